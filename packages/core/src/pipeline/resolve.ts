// Settling a job by hand (`tokpipe resolve`): a person saw the post in the TikTok app (posted, with its
// post id) or made sure it is not there (not posted: the job is forgotten and its ledger entry marked
// refused, so the same row or `tokpipe post` may be sent again). Also adopting a post sent outside
// the pipeline (a single `tokpipe post` whose outcome is unknown) so reconciliation can follow it.
import { inputError } from '../errors/classify';
import type { ErrorDetails } from '../errors/types';
import type { PipelineContext } from './context';
import { jobIdFor } from './job-spec';
import { pipelineError } from './pipeline-errors';
import type { Job, JobSpec, JobState } from './types';

/** Whether a person may settle a job in this state, and if not, why. */
const settleableByState: Readonly<Record<JobState, string | null>> = {
  queued: 'nothing was sent for it yet',
  retry_wait: 'nothing was posted yet (it waits to retry)',
  deferred: 'nothing was sent for it yet (it waits for its time)',
  posting: 'its init is being sent right now; try again in a moment',
  accepted: null,
  unconfirmed: null,
  unknown: null,
  dead: null,
  published: 'it is already published',
  delivered: "it is already in the creator's inbox",
};

/** TikTok post ids are int64: digits only, at most 19. */
const POST_ID = /^[1-9]\d{0,18}$/;

export interface AdoptInput {
  account: string;
  spec: JobSpec;
  /** The poster's idempotency key (its ledger entry). */
  attemptKey: string;
  state: 'unknown' | 'unconfirmed';
  publishId?: string;
  intentAt: number;
  attempts: number;
  error?: ErrorDetails;
}

/** A post found or settled outside the poster: its ledger entry says so too (a repeat of the post answers it). */
export async function settleInLedger(ctx: PipelineContext, job: Job): Promise<void> {
  const { ledger } = ctx.options;
  if (!ledger?.recordStatus || !job.attemptKey) return;
  await ledger.recordStatus(job.attemptKey, 'PUBLISH_COMPLETE', job.postIds, null, true).catch((err: unknown) => {
    ctx.log('warn', `job ${job.id}: could not record the post in the ledger (${String(err)})`, { jobId: job.id });
  });
}

export class Resolver {
  constructor(private readonly ctx: PipelineContext) {}

  private settleable(jobId: string): Job {
    const job = this.ctx.jobs.get(jobId);
    if (!job) throw inputError('job', `no job ${jobId}`);
    const refusal = settleableByState[job.state];
    if (refusal) throw inputError('job', `job ${jobId} cannot be settled by hand: ${refusal}`);
    return job;
  }

  /** A person saw the post on TikTok: the job is published with that post id. */
  async posted(jobId: string, postId: string): Promise<Job> {
    const { ctx } = this;
    const job = this.settleable(jobId);
    if (!POST_ID.test(postId))
      throw inputError('postId', `must be TikTok's post id: 1 to 19 digits, got ${JSON.stringify(postId)}`);
    const holder = [...ctx.jobs.values()].find((o) => o.id !== job.id && o.postIds.includes(postId));
    if (holder) throw inputError('postId', `post ${postId} already belongs to job ${holder.id}`);
    const wasDead = job.state === 'dead';
    ctx.parts.scheduler.unqueue(job);
    const now = ctx.clock.now();
    job.state = 'published';
    job.status = 'PUBLISH_COMPLETE';
    job.postIds = [postId];
    job.completedAt = now;
    job.resolvedByHand = true;
    job.reconcileNote = undefined;
    job.lastError = undefined;
    ctx.jobs.claimedPostIds.add(postId);
    await ctx.jobs.save(job);
    if (wasDead) await ctx.dlqStore.remove(job.id);
    await settleInLedger(ctx, job);
    ctx.emit({ type: 'job_resolved', at: now, jobId: job.id, account: job.account, posted: true, postId });
    const timeToPublishMs = now - job.submittedAt;
    ctx.emit({
      type: 'job_published',
      at: now,
      jobId: job.id,
      account: job.account,
      postIds: job.postIds,
      timeToPublishMs,
    });
    ctx.checkSettled();
    return job;
  }

  /** A person made sure the post is not on TikTok: the job is forgotten (its ledger entry refused), so
   * submitting the same row again, or the same `tokpipe post`, posts it anew. Returns the job as it was. */
  async notPosted(jobId: string): Promise<Job> {
    const { ctx } = this;
    const job = this.settleable(jobId);
    const { ledger } = ctx.options;
    if (job.attemptKey && ledger?.recordRejected) {
      const message = 'Settled by hand: the post is not on TikTok, so it may be sent again.';
      await ledger.recordRejected(job.attemptKey, pipelineError('unknown_outcome', message, job.attempts));
    }
    ctx.parts.scheduler.unqueue(job);
    if (job.state === 'dead') await ctx.dlqStore.remove(job.id);
    await ctx.jobs.delete(job);
    ctx.emit({ type: 'job_resolved', at: ctx.clock.now(), jobId: job.id, account: job.account, posted: false });
    ctx.checkSettled();
    return job;
  }

  /** Records a post sent outside the pipeline whose outcome is open, for reconcile and resolve. */
  async adopt(input: AdoptInput): Promise<Job> {
    const { ctx } = this;
    if (!ctx.accounts.get(input.account)) throw inputError('account', `no account ${input.account}`);
    const spec: JobSpec = { ...input.spec, account: input.account, idempotencyKey: input.attemptKey };
    const id = jobIdFor(spec);
    const existing = ctx.jobs.get(id);
    if (existing) return existing;
    const job: Job = {
      id,
      seq: ctx.jobs.takeSeq(),
      spec,
      account: input.account,
      state: input.state,
      attempts: input.attempts,
      generation: 0,
      attemptKey: input.attemptKey,
      postIds: [],
      submittedAt: input.intentAt,
      intentAt: input.intentAt,
      retries: 0,
      rateLimitWaits: 0,
      refusedBy: [],
      adopted: true,
      ...(input.publishId ? { publishId: input.publishId, acceptedAt: input.intentAt } : {}),
      ...(input.error ? { lastError: input.error } : {}),
    };
    ctx.jobs.add(job);
    if (job.publishId) ctx.jobs.indexPublishId(job.publishId, job.id);
    await ctx.jobs.save(job);
    return job;
  }
}
