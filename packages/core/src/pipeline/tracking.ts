// After TikTok accepts an init: the publish_id is followed by polling (or webhooks) until a final
// status, which publishes, delivers or fails the job; out of budget, the job is 'unconfirmed'.
import { classifyFailReason } from '../errors/classify';
import { pollDelay, unreadableStatusDetails } from '../polling';
import { redact } from '../redact';
import { statusByWebhookEvent, type WebhookEvent } from '../webhooks/events';
import { safeMessage, type PipelineContext } from './context';
import type { Job, PosterOutcome } from './types';

/** Statuses that end tracking, and the job state each leads to. FAILED is decided by its fail_reason. */
const successStateByStatus: Readonly<Record<string, 'published' | 'delivered'>> = {
  PUBLISH_COMPLETE: 'published',
  SEND_TO_USER_INBOX: 'delivered',
};

export class StatusTracker {
  /** Job id → the publish_id its tracker follows (a re-posted job gets a new tracker at once). */
  private readonly tracking = new Map<string, string>();

  constructor(private readonly ctx: PipelineContext) {}

  /** Whether a tracker is following the job's current publish_id. */
  isTracking(job: Job): boolean {
    return this.tracking.get(job.id) === job.publishId;
  }

  async markAccepted(job: Job, publishId: string): Promise<void> {
    const { ctx } = this;
    const now = ctx.clock.now();
    job.state = 'accepted';
    job.publishId = publishId;
    job.acceptedAt = now;
    job.lastError = undefined;
    ctx.jobs.indexPublishId(publishId, job.id);
    await ctx.jobs.save(job);
    ctx.emit({ type: 'job_accepted', at: now, jobId: job.id, account: job.account!, publishId });
    this.start(job);
  }

  start(job: Job): void {
    const publishId = job.publishId!;
    // A tracker of an earlier publish (a poll still in flight when the job was re-posted) ends by
    // itself when it sees the new publish_id; it must not keep the new publish untracked.
    if (this.tracking.get(job.id) === publishId) return;
    this.tracking.set(job.id, publishId);
    // Not a settle-blocking task: the job's own state ('accepted') already says it is in progress,
    // and a webhook may finish it while the tracker still sleeps.
    void this.track(job)
      .catch((err: unknown) => this.ctx.log('error', `tracking ${job.id} failed: ${safeMessage(err)}`))
      .finally(() => {
        if (this.tracking.get(job.id) === publishId) this.tracking.delete(job.id);
        this.ctx.checkSettled();
      });
  }

  /** Polls on the schedule (10, 30, 60, 120 s, then every 120 s) until a terminal status or the
   * budget; with webhooks, waits for them and checks once at the end of the budget. */
  private async track(job: Job): Promise<void> {
    const { ctx } = this;
    const { clock } = ctx;
    const publishId = job.publishId!;
    const start = job.acceptedAt ?? clock.now();
    const deadline = start + ctx.settings.poll.budgetMs;
    // Why the last poll got no status (an HTML page, a cut-off body...), cleared by a readable one.
    let unreadable: unknown;
    let polls = 0;
    for (let i = 0; ; i++) {
      const wait = ctx.options.webhooks ? deadline - clock.now() : pollDelay(ctx.settings.poll, i);
      const until = Math.min(clock.now() + Math.max(0, wait), deadline);
      await clock.sleep(Math.max(0, until - clock.now()));
      if (job.state !== 'accepted' || job.publishId !== publishId || ctx.stopped) return;
      const read = await this.readStatus(job);
      polls++;
      unreadable = read.failure;
      if (read.outcome) await this.applyStatus(job, publishId, read.outcome);
      if (job.state !== 'accepted' || job.publishId !== publishId) return;
      if (clock.now() >= deadline) {
        const error = unreadable === undefined ? undefined : unreadableStatusDetails(unreadable, publishId, polls);
        job.state = 'unconfirmed';
        if (error) job.lastError = error;
        await ctx.jobs.save(job);
        ctx.emit({
          type: 'job_unconfirmed',
          at: clock.now(),
          jobId: job.id,
          account: job.account,
          publishId,
          ...(error ? { error } : {}),
        });
        ctx.checkSettled();
        return;
      }
    }
  }

  /** One status fetch; undefined when it failed in a way worth trying again later. */
  async fetchStatus(job: Job): Promise<PosterOutcome | undefined> {
    return (await this.readStatus(job)).outcome;
  }

  /** One status fetch: TikTok's answer, or the failure that kept us from reading one (an error with
   * classified `details`, as polling's unreadableStatusDetails expects). */
  private async readStatus(job: Job): Promise<{ outcome?: PosterOutcome; failure?: unknown }> {
    const { ctx } = this;
    const account = job.account ? ctx.accounts.get(job.account) : undefined;
    if (!account || !job.publishId) return {};
    try {
      const outcome = await ctx.parts.attempts.poster(account).status(job.publishId);
      if (outcome.error && outcome.status !== 'FAILED') {
        ctx.log('debug', `status of ${job.publishId} failed: ${outcome.error.code}`, { jobId: job.id });
        return { failure: { details: outcome.error } };
      }
      return { outcome };
    } catch (err) {
      ctx.log('debug', `status of ${job.publishId} failed: ${safeMessage(err)}`, { jobId: job.id });
      return { failure: err };
    }
  }

  /** Applies a status from polling, reconciliation or a webhook, about the publish `about`. An answer
   * about an earlier publish of the job (a poll or webhook that arrives after the job was re-posted or
   * moved on) changes nothing: acting on it would re-post a job whose new publish is under way. */
  async applyStatus(job: Job, about: string, outcome: PosterOutcome): Promise<void> {
    const { ctx } = this;
    if (job.publishId !== about) {
      const now = job.publishId ? ` with ${job.publishId}` : '';
      ctx.log(
        'debug',
        `job ${job.id}: ignored a late ${outcome.status} about ${about}; the job is now ${job.state}${now}`,
        {
          jobId: job.id,
        },
      );
      return;
    }
    const now = ctx.clock.now();
    if (outcome.postIds.length) job.postIds = [...new Set([...job.postIds, ...outcome.postIds.map(String)])];
    for (const id of job.postIds) ctx.jobs.claimedPostIds.add(id);
    if (outcome.status !== job.status) {
      job.status = outcome.status;
      ctx.emit({ type: 'job_status', at: now, jobId: job.id, account: job.account, status: outcome.status });
    }
    const success = successStateByStatus[outcome.status];
    if (success) {
      // A draft in the inbox that is later posted by the creator upgrades to published.
      if (job.state === success || job.state === 'published') {
        await ctx.jobs.save(job);
        return;
      }
      job.state = success;
      job.completedAt = now;
      await ctx.jobs.save(job);
      const timeToPublishMs = now - job.submittedAt;
      const base = { at: now, jobId: job.id, account: job.account, timeToPublishMs };
      if (success === 'published') ctx.emit({ type: 'job_published', ...base, postIds: job.postIds });
      else ctx.emit({ type: 'job_delivered', ...base });
      ctx.checkSettled();
      return;
    }
    if (outcome.status === 'FAILED') {
      const error = outcome.error ?? classifyFailReason('unknown_fail_reason', { publishId: job.publishId });
      await ctx.parts.failures.failedPublish(job, error);
      ctx.checkSettled();
      return;
    }
    // Still processing.
    const { stuckProcessingMs } = ctx.settings.alerts;
    if (!job.stuckAlerted && job.acceptedAt !== undefined && now - job.acceptedAt > stuckProcessingMs) {
      job.stuckAlerted = true;
      const minutes = Math.round((now - job.acceptedAt) / 60_000);
      ctx.raise({
        kind: 'stuck_processing',
        account: job.account,
        jobId: job.id,
        message: `post ${job.publishId} on ${job.account} has been ${outcome.status} for ${minutes} min`,
      });
    }
    await ctx.jobs.save(job);
  }

  /** A verified, parsed webhook: its job's status (or the account's authorization). True when it changed something. */
  async handleWebhook(event: WebhookEvent): Promise<boolean> {
    const { ctx } = this;
    if (event.event === 'authorization.removed') {
      const account = ctx.accounts.byOpenId(event.openId);
      if (!account) return false;
      await ctx.setAccountStatus(
        account.id,
        'needs_reauth',
        "the creator removed the app's access (authorization.removed)",
      );
      return true;
    }
    const status = statusByWebhookEvent[event.event];
    const content = event.content as { publish_id?: string; reason?: string; post_id?: string };
    const job = content.publish_id ? ctx.jobs.byPublishId(content.publish_id) : undefined;
    if (status && content.publish_id && !job) {
      // Maybe the publish of an init whose reply was lost: kept for reconciliation (webhook-inbox.ts).
      await ctx.parts.webhookInbox.record(event, ctx.clock.now());
      return false;
    }
    if (!status || !job || job.publishId !== content.publish_id) return false;
    if (job.state === 'dead' || (job.state === 'published' && !content.post_id)) return false;
    const postIds = content.post_id ? [String(content.post_id)] : [];
    const error =
      status === 'FAILED'
        ? classifyFailReason(content.reason ?? 'unknown_fail_reason', {
            publishId: job.publishId,
            raw: redact(content),
          })
        : null;
    await this.applyStatus(job, content.publish_id!, { publishId: job.publishId, status, postIds, error });
    ctx.parts.scheduler.dispatch();
    ctx.checkSettled();
    return true;
  }
}
