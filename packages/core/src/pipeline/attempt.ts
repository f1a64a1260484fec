// One init on one account: the intent is written, the poster is called, and the answer goes to
// tracking (a publish_id) or to failures.ts (an error). Also the per-account posters and the
// limiter whose waits are counted against the job being posted.
import { inputError, isTokpipeError, toTokpipeError } from '../errors/classify';
import type { ErrorDetails } from '../errors/types';
import { RateLimiter } from '../limiter';
import type { Clock } from '../ports';
import type { PostRequest } from '../types';
import { safeMessage, type PipelineContext } from './context';
import { toPostRequest } from './job-spec';
import { pipelineError } from './pipeline-errors';
import type { Shard } from './scheduler';
import type { AccountRecord, Job, PipelinePoster, PosterOutcome } from './types';

/** Calls whose limiter waits belong to the job a shard is posting (the others, e.g. status polls, to the account). */
const jobScopedEndpoints: ReadonlySet<string> = new Set(['video_init', 'inbox_video_init', 'content_init', 'creator_info']);

/** A RateLimiter that reports each wait it imposed. */
class ObservedRateLimiter extends RateLimiter {
  constructor(
    clock: Clock,
    private readonly onWait: (endpoint: string, waitedMs: number) => void,
  ) {
    super({ clock });
  }

  override async acquire(subject: string, endpoint: string): Promise<number> {
    const waited = await super.acquire(subject, endpoint);
    if (waited > 0) this.onWait(endpoint, waited);
    return waited;
  }
}

export class AttemptRunner {
  private readonly posters = new Map<string, PipelinePoster>();

  constructor(private readonly ctx: PipelineContext) {}

  poster(account: AccountRecord): PipelinePoster {
    let poster = this.posters.get(account.id);
    if (!poster) {
      const limiter = new ObservedRateLimiter(this.ctx.clock, (endpoint, waitedMs) =>
        this.limiterWaited(account.id, endpoint, waitedMs),
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

  private limiterWaited(account: string, endpoint: string, waitedMs: number): void {
    const { ctx } = this;
    const at = ctx.clock.now();
    const current = ctx.parts.scheduler.currentJobOf(account);
    const job = current ? ctx.jobs.get(current) : undefined;
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
    const { failures, deadLettering, tracker, scheduler } = ctx.parts;
    const now = ctx.clock.now();
    shard.breaker.onStart(now);
    job.state = 'posting';
    job.account = account.id;
    job.attempts++;
    job.intentAt = now;
    job.attemptKey = `${job.id}.${account.id}.g${job.generation}`;
    // The intent is on disk before anything can reach TikTok.
    await ctx.jobs.save(job);
    ctx.emit({ type: 'attempt_started', at: now, jobId: job.id, account: account.id, attempt: job.attempts });

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
    } catch (err) {
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
