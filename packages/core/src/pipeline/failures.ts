// Carrying out what failure-policy.ts decides: the retry queue (with backoff or the rate-limit
// window), parking a job for a daily cap, moving it off an account, the unknown-outcome state.
import type { ErrorDetails } from '../errors/types';
import { backoffDelay } from '../retry/policy';
import { DAY_MS } from './caps';
import type { PipelineContext } from './context';
import {
  countsAgainstBreaker,
  responseToFailedInit,
  responseToFailedPublish,
  type FailureResponse,
} from './failure-policy';
import { capCodeMode, pipelineError } from './pipeline-errors';
import type { Shard } from './scheduler';
import type { AccountRecord, Job } from './types';

export class Failures {
  constructor(private readonly ctx: PipelineContext) {}

  /** What a failed init does to the job and the account (failure-policy decides which). */
  async failedInit(shard: Shard, account: AccountRecord, job: Job, error: ErrorDetails): Promise<void> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const response = responseToFailedInit(error);
    job.lastError = error;
    ctx.recordAlerts(account.id, response === 'dead_letter' ? 'content_failure' : 'failure', error.code);
    if (countsAgainstBreaker[response]) {
      const changed = shard.breaker.onFailure(now);
      if (changed) ctx.parts.scheduler.breakerChanged(account.id, changed);
      if (changed === 'open') ctx.parts.scheduler.rerouteFrom(shard);
    } else {
      shard.breaker.onNeutral();
    }
    const handlers: Record<FailureResponse, () => Promise<void>> = {
      retry_later: () => this.scheduleRetry(job, error, 'retry'),
      wait_out_rate_limit: () => this.scheduleRetry(job, error, 'throttle'),
      leave_to_reconciliation: () => this.markUnknown(job, error),
      dead_letter: () => ctx.parts.deadLettering.put(job, error),
      reauthorize_account: async () => {
        // A scope missing for this mode only says this job cannot go here; anything else means the
        // account's authorization is gone.
        if (error.code !== 'missing_scope') await ctx.setAccountStatus(account.id, 'needs_reauth', error.message);
        await this.takeOffAccount(job, account, error);
      },
      take_off_account: async () => {
        const capMode = capCodeMode[error.code];
        if (capMode) await ctx.accounts.blockCap(account.id, capMode, now + DAY_MS);
        else await ctx.setAccountStatus(account.id, 'needs_human', error.message);
        await this.takeOffAccount(job, account, error);
      },
    };
    await handlers[response]();
  }

  /** A publish that FAILED after init: retryable reasons are re-posted (≤ maxPostAttempts in all). */
  async failedPublish(job: Job, error: ErrorDetails): Promise<void> {
    const { ctx } = this;
    const account = job.account ? ctx.accounts.get(job.account) : undefined;
    job.lastError = error;
    if (job.account) {
      const result = error.disposition === 'fix_input' ? 'content_failure' : 'failure';
      ctx.recordAlerts(job.account, result, error.failReason ?? error.code);
    }
    const response = responseToFailedPublish(error);
    if (response === 'repost') {
      await this.scheduleRetry(job, error, 'repost');
      return;
    }
    if (response !== 'dead_letter' && account) {
      // Nothing is public: the job may go to another account (or wait for this one's cap) as a new post.
      job.generation++;
      job.publishId = undefined;
      if (response === 'reauthorize_account') await ctx.setAccountStatus(account.id, 'needs_reauth', error.message);
      const capMode = capCodeMode[error.code];
      if (capMode) await ctx.accounts.blockCap(account.id, capMode, ctx.clock.now() + DAY_MS);
      await this.takeOffAccount(job, account, error);
      ctx.parts.scheduler.dispatch();
      return;
    }
    await ctx.parts.deadLettering.put(job, error);
  }

  /** The account cannot take this job: a routed job goes back to the router, a pinned one waits for
   * the cap (when that is the reason) or is dead-lettered. */
  async takeOffAccount(job: Job, account: AccountRecord, error: ErrorDetails): Promise<void> {
    const { ctx } = this;
    if (!job.spec.account) {
      // A cap clears by itself (the account's cap block keeps the router away until then); a ban or
      // a lost authorization does not.
      if (!capCodeMode[error.code] && !job.refusedBy.includes(account.id)) job.refusedBy.push(account.id);
      job.state = 'queued';
      await ctx.jobs.save(job);
      ctx.emit({ type: 'job_requeued', at: ctx.clock.now(), jobId: job.id, reason: `${account.id}: ${error.code}` });
      ctx.parts.scheduler.enqueue(job);
      return;
    }
    const capMode = capCodeMode[error.code];
    const record = ctx.accounts.get(account.id);
    if (capMode && record && record.status === 'active') {
      const now = ctx.clock.now();
      const slot = ctx.parts.scheduler.capSlot(`${account.id}|${capMode}`, [record], capMode, job.id, now);
      await this.defer(job, account.id, slot.at);
      return;
    }
    await ctx.parts.deadLettering.put(job, error);
  }

  /** Parks a job until a daily cap frees a slot (its own timer; persisted, so a restart keeps it). */
  async defer(job: Job, account: string, until: number): Promise<void> {
    const { ctx } = this;
    job.state = 'deferred';
    job.dueAt = until;
    job.deferredFor = 'daily_cap';
    await ctx.jobs.save(job);
    ctx.emit({ type: 'job_deferred', at: ctx.clock.now(), jobId: job.id, account, until, reason: 'daily_cap' });
    ctx.parts.scheduler.scheduleDue(job);
  }

  async scheduleRetry(job: Job, error: ErrorDetails, reason: 'retry' | 'throttle' | 'repost'): Promise<void> {
    const { ctx } = this;
    const { settings } = ctx;
    const now = ctx.clock.now();
    const limit = reason === 'repost' ? settings.maxPostAttempts - 1 : settings.maxRetries;
    const used = reason === 'repost' ? job.generation : job.retries;
    if (used >= limit) {
      const message = `${error.message} (gave up after ${job.attempts} attempts)`;
      const final = reason === 'repost' ? error : pipelineError('retries_exhausted', message, job.attempts, error);
      await ctx.parts.deadLettering.put(job, final);
      return;
    }
    const backoff = { baseDelayMs: settings.retryBaseDelayMs, maxDelayMs: settings.retryMaxDelayMs };
    const delayMs =
      reason === 'throttle'
        ? (error.retryAfterMs ?? settings.rateLimitWindowMs) + Math.floor(ctx.random() * settings.retryBaseDelayMs)
        : Math.max(error.retryAfterMs ?? 0, backoffDelay(used + 1, backoff, ctx.random));
    if (reason === 'repost') job.generation++;
    else job.retries++;
    if (reason === 'throttle') job.rateLimitWaits++;
    job.state = 'retry_wait';
    job.dueAt = now + delayMs;
    job.publishId = undefined;
    // When due, a routed job goes back through the router (its account may be degraded by then).
    await ctx.jobs.save(job);
    const base = { at: now, jobId: job.id, account: job.account, delayMs, code: error.code };
    if (reason === 'throttle') ctx.emit({ type: 'rate_limit_wait', ...base });
    ctx.emit({ type: 'retry_scheduled', ...base, reason: reason === 'repost' ? 'repost' : 'retry' });
    ctx.parts.scheduler.scheduleDue(job);
  }

  async markUnknown(job: Job, error: ErrorDetails): Promise<void> {
    const { ctx } = this;
    job.state = 'unknown';
    job.lastError = error;
    // It may have counted against the cap.
    if (job.account) ctx.caps.record(job.account, job.spec.mode, ctx.clock.now());
    await ctx.jobs.save(job);
    ctx.emit({ type: 'job_unknown_outcome', at: ctx.clock.now(), jobId: job.id, account: job.account });
    ctx.log(
      'warn',
      `job ${job.id} on ${job.account}: init outcome unknown (${error.code}); ` +
        'reconciliation will look for the post, it is never re-posted automatically',
      { jobId: job.id, code: error.code },
    );
  }
}
