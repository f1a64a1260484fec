// The port through which jobs reach durable storage: load all at open, save one after each
// transition, delete one. The default keeps each job as JSON under JOB_PREFIX in the KeyValueStore;
// a SQL table can implement the same three calls.
import type { KeyValueStore } from '../ports';
import type { Job } from './types';

export const JOB_PREFIX = 'tokpipe/pipeline/job/';

export interface JobStore {
  /** Every stored job (any order). */
  loadAll(): Promise<Job[]>;
  /** Writes the job's whole record; resolves once it is durable. */
  save(job: Job): Promise<void>;
  delete(jobId: string): Promise<void>;
}

export class KeyValueJobStore implements JobStore {
  constructor(private readonly store: KeyValueStore) {}

  async loadAll(): Promise<Job[]> {
    return (await this.store.list(JOB_PREFIX)).map(([, raw]) => JSON.parse(raw) as Job);
  }

  async save(job: Job): Promise<void> {
    await this.store.set(JOB_PREFIX + job.id, JSON.stringify(job));
  }

  async delete(jobId: string): Promise<void> {
    await this.store.delete(JOB_PREFIX + jobId);
  }
}
