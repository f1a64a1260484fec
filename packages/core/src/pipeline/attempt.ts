// One init on one account: the intent is written, the poster is called, and the answer goes to
// tracking (a publish_id) or to failures.ts (an error). Also the per-account posters and the
// limiter whose waits are counted against the job being posted.
import { inputError, isTokpipeError, toTokpipeError } from '../errors/classify';
import type { ErrorDetails } from '../errors/types';
import type { LedgerState } from '../idempotency/ledger';
import { RateLimiter } from '../limiter';
import type { Clock } from '../ports';
import type { PostRequest } from '../types';
import { safeMessage, type PipelineContext } from './context';
import { attemptKeyFor, toPostRequest } from './job-spec';
import { pipelineError } from './pipeline-errors';
import type { Shard } from './scheduler';
import type { AccountRecord, Job, PipelinePoster, PosterOutcome } from './types';

/** Calls whose limiter waits belong to the job a shard is posting (the others, e.g. status polls, to the account). */
const jobScopedEndpoints: ReadonlySet<string> = new Set([
  'video_init',
  'inbox_video_init',
  'content_init',
  'creator_info',
]);
/** The poster acquires the limiter right before each request: one acquire of these is one init sent. */
const initEndpoints: ReadonlySet<string> = new Set(['video_init', 'inbox_video_init', 'content_init']);

/** A RateLimiter that reports each wait it imposed, and each request it let through. */
class ObservedRateLimiter extends RateLimiter {
  constructor(
    clock: Clock,
    private readonly onAcquired: (endpoint: string, waitedMs: number) => void,
  ) {
    super({ clock });
  }

  override async acquire(subject: string, endpoint: string): Promise<number> {
    const waited = await super.acquire(subject, endpoint);
    this.onAcquired(endpoint, waited);
    return waited;
  }
}

/** Ledger states that say an init request left (the entry goes 'reserved' → 'intent' right before it). */
const initLeftByLedgerState: Readonly<Record<LedgerState, boolean>> = {
  reserved: false,
  intent: true,
  initiated: true,
  final: true,
  unknown_outcome: true,
  rejected: true,
};

export class AttemptRunner {
  private readonly posters = new Map<string, PipelinePoster>();
  /** Job id → init requests counted through the limiter during its current attempt. */
  private readonly initsSeen = new Map<string, number>();

  constructor(private readonly ctx: PipelineContext) {}

  poster(account: AccountRecord): PipelinePoster {
    let poster = this.posters.get(account.id);
    if (!poster) {
      const limiter = new ObservedRateLimiter(this.ctx.clock, (endpoint, waitedMs) =>
        this.limiterAcquired(account.id, endpoint, waitedMs),
      );
      poster = this.ctx.options.posterFor(account, { tokens: this.ctx.accounts.tokenStore(account.id), limiter });
      this.posters.set(account.id, poster);
    }
    return poster;
  }

  /** The next post builds a new poster, so a token saved since is read afresh. */
  forgetPoster(accountId: string): void {
    this.posters.delete(accountId);
  }

  private limiterAcquired(account: string, endpoint: string, waitedMs: number): void {
    const { ctx } = this;
    const at = ctx.clock.now();
    const current = ctx.parts.scheduler.currentJobOf(account);
    const job = current ? ctx.jobs.get(current) : undefined;
    if (job && initEndpoints.has(endpoint) && this.initsSeen.has(job.id)) {
      // Counted as it leaves: attempts is the number of inits TikTok may have seen.
      job.attempts++;
      this.initsSeen.set(job.id, this.initsSeen.get(job.id)! + 1);
    }
    if (waitedMs <= 0) return;
    if (job && jobScopedEndpoints.has(endpoint)) {
      job.rateLimitWaits++;
      ctx.emit({ type: 'rate_limit_wait', at, jobId: job.id, account, delayMs: waitedMs, code: `limiter:${endpoint}` });
      return;
    }
    ctx.accountWaits.set(account, (ctx.accountWaits.get(account) ?? 0) + 1);
    ctx.emit({ type: 'account_rate_limit_wait', at, account, endpoint, delayMs: waitedMs });
  }

  async run(shard: Shard, account: AccountRecord, job: Job): Promise<void> {
    const { ctx } = this;
    const now = ctx.clock.now();
    shard.breaker.onStart(now);
    job.state = 'posting';
    job.account = account.id;
    job.intentAt = now;
    job.attemptKey = attemptKeyFor(job.id, account.id, job.generation);
    // The intent is on disk before anything can reach TikTok.
    await ctx.jobs.save(job);
    ctx.emit({ type: 'attempt_started', at: now, jobId: job.id, account: account.id, attempt: job.attempts + 1 });
    this.initsSeen.set(job.id, 0);
    try {
      await this.post(shard, account, job);
    } finally {
      this.initsSeen.delete(job.id);
    }
  }

  /** A poster that does not use the pipeline's limiter is not seen sending: then the outcome (and the
   * ledger, when shared) says whether an init left. */
  private async countInitIfUnseen(job: Job, outcome: PosterOutcome | undefined): Promise<void> {
    if ((this.initsSeen.get(job.id) ?? 0) > 0) return;
    let sent = Boolean(outcome?.publishId) || outcome?.error?.disposition === 'unknown_outcome';
    const { ledger } = this.ctx.options;
    if (!sent && ledger && job.attemptKey) {
      const entry = await ledger.get(job.attemptKey).catch(() => undefined);
      sent = entry !== undefined && initLeftByLedgerState[entry.state] && entry.updatedAt >= (job.intentAt ?? 0);
    }
    if (sent) job.attempts++;
  }

  private async post(shard: Shard, account: AccountRecord, job: Job): Promise<void> {
    const { ctx } = this;
    const { failures, deadLettering, tracker, scheduler } = ctx.parts;

    let request: PostRequest;
    try {
      request = await toPostRequest(job, ctx.options.openFile);
    } catch (err) {
      // The media file could not be opened: nothing was sent, and retrying will not help.
      shard.breaker.onNeutral();
      const details = isTokpipeError(err)
        ? err.details
        : inputError('media.path', `cannot open the video file: ${safeMessage(err)}`).details;
      await deadLettering.put(job, details);
      return;
    }
    let outcome: PosterOutcome;
    try {
      outcome = await this.poster(account).post(request, { wait: false });
      await this.countInitIfUnseen(job, outcome);
    } catch (err) {
      await this.countInitIfUnseen(job, undefined);
      // The poster throws only for input/structural errors (nothing was sent); anything else is
      // classified the same way so it still lands somewhere visible.
      const details = toTokpipeError(err).details;
      if (isTokpipeError(err) && (details.layer === 'input' || details.layer === 'structural')) {
        shard.breaker.onNeutral();
        if (details.disposition === 'reauthorize') {
          await failures.failedInit(shard, account, job, details);
          return;
        }
        await deadLettering.put(job, details);
        return;
      }
      outcome = { status: 'FAILED', postIds: [], error: details };
    }
    if (!outcome.error && outcome.publishId) {
      const changed = shard.breaker.onSuccess(ctx.clock.now());
      if (changed) scheduler.breakerChanged(account.id, changed);
      ctx.recordAlerts(account.id, 'ok', undefined);
      ctx.caps.record(account.id, job.spec.mode, ctx.clock.now());
      await tracker.markAccepted(job, outcome.publishId);
      if (outcome.status && outcome.status !== 'ACCEPTED') await tracker.applyStatus(job, outcome.publishId, outcome);
      return;
    }
    const error: ErrorDetails =
      outcome.error ??
      pipelineError('unknown_outcome', 'The poster returned neither a publish_id nor an error.', job.attempts);
    await failures.failedInit(shard, account, job, error);
  }
}
