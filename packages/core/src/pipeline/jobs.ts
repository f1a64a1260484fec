// The jobs in memory: by id, by publish_id, the post ids any job holds, and the submission counter.
// Every change is written through the JobStore port before the next step.
import type { JobStore } from './job-store';
import type { Job } from './types';

export class JobTable {
  private readonly byId = new Map<string, Job>();
  private readonly idByPublishId = new Map<string, string>();
  /** Post ids some job holds (claimed by reconciliation or reported by TikTok). */
  readonly claimedPostIds = new Set<string>();
  private nextSeq = 1;

  constructor(private readonly store: JobStore) {}

  get(id: string): Job | undefined {
    return this.byId.get(id);
  }

  values(): IterableIterator<Job> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }

  /** A stored job found at open (keeps the counter and indexes in step). */
  loaded(job: Job): void {
    this.byId.set(job.id, job);
    this.nextSeq = Math.max(this.nextSeq, (job.seq ?? 0) + 1);
    if (job.publishId) this.idByPublishId.set(job.publishId, job.id);
    for (const id of job.postIds) this.claimedPostIds.add(id);
  }

  /** A new job (not yet saved). */
  add(job: Job): void {
    this.byId.set(job.id, job);
  }

  takeSeq(): number {
    return this.nextSeq++;
  }

  indexPublishId(publishId: string, jobId: string): void {
    this.idByPublishId.set(publishId, jobId);
  }

  byPublishId(publishId: string): Job | undefined {
    const id = this.idByPublishId.get(publishId);
    return id === undefined ? undefined : this.byId.get(id);
  }

  async loadAll(): Promise<Job[]> {
    return this.store.loadAll();
  }

  save(job: Job): Promise<void> {
    return this.store.save(job);
  }
}
