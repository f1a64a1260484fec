// The jobs in memory: by id, by publish_id, the post ids any job holds, and the submission counter.
// Every change is written through the JobStore port before the next step.
import type { JobStore, SharedJobRows } from './job-store';
import { parkedJobStates, terminalJobStates, type Job } from './types';

/** Finished, or parked (waiting on time or reconciliation): a campaign run may end with these. */
export function isSettledState(job: Job): boolean {
  return terminalJobStates.has(job.state) || parkedJobStates.has(job.state);
}

export class JobTable {
  private readonly byId = new Map<string, Job>();
  private readonly idByPublishId = new Map<string, string>();
  /** Post ids some job holds (claimed by reconciliation or reported by TikTok). */
  readonly claimedPostIds = new Set<string>();
  private nextSeq = 1;
  /** Jobs not settled as last written: every state change is saved before anything waits on it, so
   * "is everything settled" is a size check instead of a scan of every job (drain at 100k rows). */
  private readonly unsettled = new Set<string>();

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

  get unsettledCount(): number {
    return this.unsettled.size;
  }

  private noteState(job: Job): void {
    if (isSettledState(job)) this.unsettled.delete(job.id);
    else this.unsettled.add(job.id);
  }

  /** A stored job found at open (keeps the counter and indexes in step). */
  loaded(job: Job): void {
    this.byId.set(job.id, job);
    this.noteState(job);
    this.nextSeq = Math.max(this.nextSeq, (job.seq ?? 0) + 1);
    if (job.publishId) this.idByPublishId.set(job.publishId, job.id);
    for (const id of job.postIds) this.claimedPostIds.add(id);
  }

  /** A new job (not yet saved). */
  add(job: Job): void {
    this.byId.set(job.id, job);
    this.noteState(job);
  }

  /** Present when other processes share the store (see SharedJobRows). */
  get shared(): SharedJobRows | undefined {
    return this.store.shared;
  }

  /** Writes a new job: false when the store is shared and another process created its row first. */
  async create(job: Job): Promise<boolean> {
    this.noteState(job);
    if (this.store.shared) return this.store.shared.create(job);
    await this.store.save(job);
    return true;
  }

  /** The job as another process wrote it (copied into the one in memory; nothing is saved). */
  adopted(job: Job, row: Job): void {
    Object.assign(job, row);
    this.noteState(job);
    if (job.publishId) this.idByPublishId.set(job.publishId, job.id);
    for (const id of job.postIds) this.claimedPostIds.add(id);
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

  /** Forgets the job (memory and store). */
  async delete(job: Job): Promise<void> {
    this.forget(job);
    await this.store.delete(job.id);
  }

  /** Forgets the job in memory only (its row is another process's, or already gone). */
  forget(job: Job): void {
    this.byId.delete(job.id);
    this.unsettled.delete(job.id);
    if (job.publishId && this.idByPublishId.get(job.publishId) === job.id) this.idByPublishId.delete(job.publishId);
  }

  async loadAll(): Promise<Job[]> {
    return this.store.loadAll();
  }

  save(job: Job): Promise<void> {
    this.noteState(job);
    return this.store.save(job);
  }
}
