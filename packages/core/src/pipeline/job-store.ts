// The port through which jobs reach durable storage: load all at open, save one after each
// transition, delete one. The default keeps each job as JSON under JOB_PREFIX in the KeyValueStore;
// a SQL table can implement the same three calls. A store several processes use at once (two
// `campaign run` on one PostgreSQL) also implements SharedJobRows: each job has one owner, the
// process whose INSERT created its row; the others follow that row instead of posting it.
import type { KeyValueStore } from '../ports';
import type { Job } from './types';

export const JOB_PREFIX = 'tokpipe/pipeline/job/';

/** A job's row as another process may have written it. */
export interface SharedJobRow {
  job: Job;
  /** The process that owns the row is gone (stopped or crashed): the row may be taken over. */
  orphaned: boolean;
}

export interface SharedJobRows {
  /** Writes a new job's row and owns it, unless a row with that id exists: false = another process
   * submitted this job first (it posts it; this one follows the row). */
  create(job: Job): Promise<boolean>;
  /** The rows of these jobs as last written (absent ids were deleted by their owner). */
  read(jobIds: readonly string[]): Promise<Map<string, SharedJobRow>>;
  /** Owns the row if it is still orphaned (compare-and-set); false = another process did first. */
  takeOver(jobId: string): Promise<boolean>;
}

export interface JobStore {
  /** Every stored job (any order). */
  loadAll(): Promise<Job[]>;
  /** Writes the job's whole record; resolves once it is durable. */
  save(job: Job): Promise<void>;
  delete(jobId: string): Promise<void>;
  /** Present when other processes write the same jobs at the same time. */
  readonly shared?: SharedJobRows;
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
