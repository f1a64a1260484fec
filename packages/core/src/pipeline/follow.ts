// Jobs another process owns in a shared job store: two `campaign run` on one database submitted the
// same row and the other one's INSERT came first, or this process opened while another was posting.
// This process does not post them: one loop reads their rows every `follow.everyMs` until each is
// settled, copies what the owner wrote (so the run's report shows the true outcome) and emits the
// event the owner emitted. A row whose owner is gone (stopped, crashed) is taken over and resumed
// here; its ledger entry decides whether an init already left.
import type { PipelineContext } from './context';
import { isSettledState } from './jobs';
import { resumeJob } from './recovery';
import { terminalJobStates, type Job, type JobState, type PipelineEvent } from './types';

/** The event a settled row stands for, as its owner emitted it. */
const settledEvent: Partial<Record<JobState, (job: Job, at: number) => PipelineEvent | undefined>> = {
  published: (job, at) => ({
    type: 'job_published',
    at,
    jobId: job.id,
    account: job.account,
    postIds: job.postIds,
    timeToPublishMs: (job.completedAt ?? at) - job.submittedAt,
  }),
  delivered: (job, at) => ({
    type: 'job_delivered',
    at,
    jobId: job.id,
    account: job.account,
    timeToPublishMs: (job.completedAt ?? at) - job.submittedAt,
  }),
  dead: (job, at) =>
    job.lastError && { type: 'job_dead_lettered', at, jobId: job.id, account: job.account, error: job.lastError },
  unknown: (job, at) => ({ type: 'job_unknown_outcome', at, jobId: job.id, account: job.account }),
  unconfirmed: (job, at) => ({
    type: 'job_unconfirmed',
    at,
    jobId: job.id,
    account: job.account,
    publishId: job.publishId,
    error: job.lastError,
  }),
  deferred: (job, at) =>
    job.deferredFor === 'daily_cap' && job.account
      ? { type: 'job_deferred', at, jobId: job.id, account: job.account, until: job.dueAt ?? at, reason: 'daily_cap' }
      : { type: 'job_scheduled', at, jobId: job.id, account: job.account, until: job.dueAt ?? at },
};

export class Follower {
  private readonly followed = new Set<string>();
  private running = false;

  constructor(private readonly ctx: PipelineContext) {}

  isFollowing(jobId: string): boolean {
    return this.followed.has(jobId);
  }

  /** Follows the job's row until it settles (drain waits for it: the loop is a pipeline task). */
  follow(job: Job): void {
    this.followed.add(job.id);
    if (this.running) return;
    this.running = true;
    this.ctx.spawn(async () => {
      try {
        await this.loop();
      } finally {
        this.running = false;
      }
    });
  }

  private async loop(): Promise<void> {
    const { ctx } = this;
    // The first pass is immediate: a row left by a crashed run is taken over without waiting.
    while (this.followed.size > 0 && !ctx.stopped) {
      await this.pass();
      if (this.followed.size > 0 && !ctx.stopped) await ctx.clock.sleep(ctx.settings.followEveryMs);
    }
  }

  private async pass(): Promise<void> {
    const { ctx } = this;
    const shared = ctx.jobs.shared!;
    // Only the ids read: a job followed while the read ran is looked at next pass.
    const ids = [...this.followed];
    const rows = await shared.read(ids);
    for (const id of ids) {
      const job = ctx.jobs.get(id);
      const row = rows.get(id);
      if (!job || !row) {
        // Its owner forgot it (resolved as not posted): so does this process.
        this.followed.delete(id);
        if (job) ctx.jobs.forget(job);
        continue;
      }
      // Not finished and nobody posts it (a deferred or open row counts): it becomes this process's job.
      if (row.orphaned && !terminalJobStates.has(row.job.state) && (await shared.takeOver(id))) {
        this.followed.delete(id);
        ctx.jobs.adopted(job, row.job);
        ctx.log('info', `job ${id}: the process that owned it stopped; resuming it here`);
        await resumeJob(ctx, job);
        ctx.parts.scheduler.dispatch();
        continue;
      }
      if (isSettledState(row.job)) {
        this.followed.delete(id);
        const changed = row.job.state !== job.state;
        // A row loaded in flight was counted against the cap at open already.
        const counted = job.state === 'posting' || job.state === 'unknown';
        ctx.jobs.adopted(job, row.job);
        if (changed && !counted) ctx.caps.recordJob(job, ctx.clock.now());
        const event = changed ? settledEvent[job.state]?.(job, ctx.clock.now()) : undefined;
        if (event) ctx.emit(event);
        continue;
      }
      if (row.job.state !== job.state) ctx.jobs.adopted(job, row.job);
    }
  }
}
