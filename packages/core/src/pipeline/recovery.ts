// Opening on a store: jobs and dead letters are loaded, and each unfinished job continues from the
// state it was written in. A job found in 'posting' had an init in flight when the process died: it
// is never re-inited blindly (the ledger tells "never sent" from "maybe sent").
import type { PipelineContext } from './context';
import { pipelineError } from './pipeline-errors';
import type { Job } from './types';

export async function loadJobs(ctx: PipelineContext): Promise<void> {
  const now = ctx.clock.now();
  for (const job of await ctx.jobs.loadAll()) {
    ctx.jobs.loaded(job);
    ctx.caps.recordJob(job, now);
  }
  // A crash between writing the dead letter and the job's own 'dead' state: the DLQ wins.
  for (const entry of await ctx.dlqStore.list()) {
    const job = ctx.jobs.get(entry.jobId);
    if (job && job.state !== 'dead') {
      job.state = 'dead';
      job.lastError = entry.error;
      job.completedAt = entry.at;
      await ctx.jobs.save(job);
    }
  }
}

/** What each persisted state means after a restart. */
export async function resumeJob(ctx: PipelineContext, job: Job): Promise<void> {
  const { scheduler, tracker } = ctx.parts;
  switch (job.state) {
    case 'posting':
      // The process died with this init in flight: never re-init blindly.
      await resumeInterruptedInit(ctx, job);
      return;
    case 'queued':
      scheduler.enqueue(job);
      return;
    case 'retry_wait':
    case 'deferred':
      scheduler.resumeCapWait(job);
      scheduler.scheduleDue(job);
      return;
    case 'accepted':
      tracker.start(job);
      return;
    default:
      return; // terminal or waiting for reconciliation
  }
}

async function resumeInterruptedInit(ctx: PipelineContext, job: Job): Promise<void> {
  const { ledger } = ctx.options;
  const entry = job.attemptKey && ledger ? await ledger.get(job.attemptKey) : undefined;
  if (ledger && (!entry || entry.state === 'rejected' || entry.state === 'reserved')) {
    // The poster never recorded an intent (or TikTok refused the init): nothing was created.
    job.state = 'queued';
    await ctx.jobs.save(job);
    ctx.emit({
      type: 'job_requeued',
      at: ctx.clock.now(),
      jobId: job.id,
      reason: 'interrupted before the init was sent',
    });
    ctx.parts.scheduler.enqueue(job);
    return;
  }
  // The init left before the process died (the record on disk was written before it was counted).
  job.attempts++;
  if (entry?.publishId) {
    await ctx.parts.tracker.markAccepted(job, entry.publishId);
    return;
  }
  job.state = 'unknown';
  const message = 'The process stopped while this post was being sent; it may or may not exist on TikTok.';
  job.lastError = pipelineError('unknown_outcome', message, job.attempts);
  await ctx.jobs.save(job);
  ctx.emit({ type: 'job_unknown_outcome', at: ctx.clock.now(), jobId: job.id, account: job.account });
}
