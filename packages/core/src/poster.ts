// The poster: what every adapter calls. validate → idempotency → scope check → creator_info
// pre-flight (direct posts) → limiter → init (never blindly repeated: an unknown outcome is kept for
// reconciliation) → upload → poll → re-post a retryable FAILED with the original asset (at most 3
// attempts in all). Every wait goes through the injected clock; every failure is a classified
// ErrorDetails in the outcome (only bad input and structural refusals throw).
// Parts in poster/: api-call (token, limiter, retry, refresh), status-poll, upload-step, repeat (a key
// already in the ledger), context (what the parts share).
import { FINAL_STATUSES } from './catalog/statuses';
import { DEFAULT_MAX_POST_ATTEMPTS } from './catalog/tiktok';
import { buildInitCall, checkAgainstCreatorInfo, type InitCall } from './client/bodies';
import { TikTokClient } from './client/client';
import type { CreatorInfo, InitResult, VideoListPage } from './client/types';
import { outcomeDetails, toTokpipeError } from './errors/classify';
import type { ErrorDetails } from './errors/types';
import { blocksRepost, Ledger, LedgerConflictError, postIdempotencyKey, type LedgerEntry } from './idempotency';
import { sharedRateLimiter, type RateLimiter } from './limiter';
import { MemoryStore } from './memory-store';
import type { PollSchedule } from './polling';
import type { Clock, KeyValueStore, Logger, Random, Transport } from './ports';
import { ApiCaller } from './poster/api-call';
import { failureDetails, fetchStatus, keysInFlightFor, makeOutcome, type PosterContext } from './poster/context';
import { answerRepeat } from './poster/repeat';
import { pollForFinalStatus } from './poster/status-poll';
import { staysResumable, uploadFile } from './poster/upload-step';
import { cryptoRandom, resolveRetryPolicy, type RetryPolicy } from './retry';
import type { PostLimits } from './schemas/post';
import { checkPostScopes, type AccessTokenProvider } from './tokens';
import type { PostRequest, PostStatus } from './types';

export interface PostOutcome {
  /** null when init's outcome is unknown (no publish_id came back). */
  publishId: string | null;
  /** TikTok's status, ACCEPTED (init done, not waited for) or UNCONFIRMED (no terminal state in time). */
  status: PostStatus | 'ACCEPTED';
  /** Public post ids as exact decimal strings (filled after moderation). */
  postIds: string[];
  /** Post attempts made (re-posts after a retryable FAILED included). */
  attempts: number;
  idempotencyKey: string;
  /** True when an earlier post with the same key was returned instead of posting again. */
  reused: boolean;
  error: ErrorDetails | null;
}

export interface PosterOptions {
  /** Default TIKTOK_API_BASE_URL (https://open.tiktokapis.com). */
  baseUrl?: string;
  transport: Transport;
  clock: Clock;
  random?: Random;
  /** The idempotency ledger's storage (default: in memory, lost on exit). */
  store?: KeyValueStore;
  auth: AccessTokenProvider;
  retry?: Partial<RetryPolicy>;
  polling?: Partial<PollSchedule>;
  logger?: Logger;
  /** Overall time budget per call, ms (Zapier: stay inside 30 s). Default: no limit beyond retry/polling. */
  budgetMs?: number;
  /** Default: the limiter shared by every poster on this clock (sharedRateLimiter), so several
   * posters using one account's token stay inside TikTok's per-token limits together. */
  limiter?: RateLimiter;
  requestTimeoutMs?: number;
  /** Post attempts in all when TikTok FAILs a post for a retryable reason. Default 3. */
  maxPostAttempts?: number;
  /** Ask creator_info before a direct post (TikTok requires it; catches caps and privacy mismatches). Default true. */
  creatorInfoPreflight?: boolean;
  limits?: Partial<PostLimits>;
}

export interface TikTokPoster {
  post(request: PostRequest, options?: { wait?: boolean }): Promise<PostOutcome>;
  status(publishId: string): Promise<PostOutcome>;
  waitForCompletion(publishId: string, options?: { budgetMs?: number }): Promise<PostOutcome>;
  creatorInfo(): Promise<CreatorInfo>;
  cancel(publishId: string): Promise<void>;
  listVideos(options?: { cursor?: number | string; maxCount?: number }): Promise<VideoListPage>;
  readonly ledger: Ledger;
}

export function createPoster(options: PosterOptions): TikTokPoster {
  return new Poster(options);
}

/** Where a post attempt got to, so an unexpected error still hands back the publish_id we hold. */
interface AttemptProgress {
  publishId: string | null;
  attempt: number;
}

class Poster implements TikTokPoster {
  readonly ledger: Ledger;
  private readonly ctx: PosterContext;
  private readonly maxPostAttempts: number;

  constructor(private readonly options: PosterOptions) {
    const clock = options.clock;
    const random = options.random ?? cryptoRandom;
    const client = new TikTokClient({
      transport: options.transport,
      baseUrl: options.baseUrl,
      requestTimeoutMs: options.requestTimeoutMs,
      clock,
    });
    this.ledger = new Ledger(options.store ?? new MemoryStore(), clock);
    const log: PosterContext['log'] = (level, message, fields) => options.logger?.(level, message, fields);
    const api = new ApiCaller({
      auth: options.auth,
      limiter: options.limiter ?? sharedRateLimiter(clock),
      clock,
      random,
      retryPolicy: resolveRetryPolicy(options.retry),
      baseUrl: options.baseUrl,
      log,
    });
    this.ctx = { client, clock, random, ledger: this.ledger, api, options, log };
    this.maxPostAttempts = options.maxPostAttempts ?? DEFAULT_MAX_POST_ATTEMPTS;
    if (!(this.maxPostAttempts >= 1))
      throw new RangeError(`maxPostAttempts must be at least 1, got ${this.maxPostAttempts}`);
    if (options.budgetMs !== undefined && !(options.budgetMs > 0))
      throw new RangeError(`budgetMs must be positive, got ${options.budgetMs}`);
  }

  async post(request: PostRequest, opts: { wait?: boolean } = {}): Promise<PostOutcome> {
    const { ctx } = this;
    const deadline = this.callDeadline();
    const wait = opts.wait === true;
    const init = buildInitCall(request, { limits: this.options.limits }); // validates: throws input/structural errors
    let openId: string | undefined;
    let key = request.idempotencyKey ?? '';
    try {
      openId = await this.options.auth.openId?.();
      key = await postIdempotencyKey(request, openId);
      checkPostScopes(request.mode, await this.options.auth.scopes?.());
    } catch (error) {
      // Bad input throws; anything else (no token stored, a file that cannot be read) is an outcome.
      const details = toTokpipeError(error).details;
      if (details.layer === 'input' || details.layer === 'structural') throw error;
      return makeOutcome(key, null, 'FAILED', [], 0, details);
    }

    // A repeat is answered from the ledger before anything is sent (no pre-flight for a known post).
    const prior = await this.ledger.get(key);
    if (prior && blocksRepost(prior)) return answerRepeat(ctx, prior, wait, deadline, request, init);

    if (request.mode === 'direct' && this.options.creatorInfoPreflight !== false) {
      try {
        const info = await ctx.api.call('creator_info', (token) => ctx.client.creatorInfo(token), deadline);
        checkAgainstCreatorInfo(request, info);
      } catch (error) {
        // No init was sent and no intent recorded: the key may post again.
        const details = toTokpipeError(error).details;
        if (details.layer === 'input') throw error;
        return makeOutcome(key, null, 'FAILED', [], 1, details);
      }
    }

    // The intent is recorded after the pre-flight, right before init: a process killed during the
    // pre-flight leaves nothing behind, so running the post again posts it (once).
    // In flight from here, synchronously: a concurrent call with the same key sees it before any await,
    // since a reservation alone (state 'reserved') no longer blocks a repost.
    const inFlight = keysInFlightFor(ctx);
    if (inFlight.has(key)) {
      const error = outcomeDetails(
        'unconfirmed',
        'Another call with this idempotency key is posting right now; it is not posted twice.',
        1,
      );
      return makeOutcome(key, null, 'UNCONFIRMED', [], 1, error, true);
    }
    inFlight.add(key);
    try {
      const begun = await this.ledger.begin(key, {
        openId,
        mode: request.mode,
        asset: assetLabel(request),
        title: request.title,
      });
      if (!begun.created) return await answerRepeat(ctx, begun.entry, wait, deadline, request, init);
      return await this.postUntilSettled(request, init, key, wait, deadline);
    } finally {
      inFlight.delete(key);
    }
  }

  async status(publishId: string): Promise<PostOutcome> {
    const result = await fetchStatus(this.ctx, publishId, this.callDeadline());
    return this.reportStatusRead(publishId, result.status, result.postIds, failureDetails(result, publishId));
  }

  async waitForCompletion(publishId: string, opts: { budgetMs?: number } = {}): Promise<PostOutcome> {
    const deadline = Math.min(
      this.callDeadline(),
      opts.budgetMs !== undefined ? this.ctx.clock.now() + opts.budgetMs : Number.POSITIVE_INFINITY,
    );
    const { status, postIds, error } = await pollForFinalStatus(this.ctx, publishId, deadline, {
      budgetMs: opts.budgetMs,
    });
    return this.reportStatusRead(publishId, status, postIds, error);
  }

  creatorInfo(): Promise<CreatorInfo> {
    return this.ctx.api.call('creator_info', (token) => this.ctx.client.creatorInfo(token), this.callDeadline());
  }

  async cancel(publishId: string): Promise<void> {
    await this.ctx.api.call('cancel', (token) => this.ctx.client.cancel(token, publishId), this.callDeadline());
  }

  listVideos(opts: { cursor?: number | string; maxCount?: number } = {}): Promise<VideoListPage> {
    return this.ctx.api.call('video_list', (token) => this.ctx.client.listVideos(token, opts), this.callDeadline());
  }

  /** A status read for `publishId`: recorded in the ledger (a repeat of the post then returns it),
   * and reported with the post's idempotency key and attempts when the ledger knows the post. */
  private async reportStatusRead(
    publishId: string,
    status: PostStatus,
    postIds: string[],
    error: ErrorDetails | null,
  ): Promise<PostOutcome> {
    let entry: LedgerEntry | undefined;
    try {
      entry = await this.ledger.recordSeen(publishId, status, postIds, error);
    } catch (failure) {
      // The answer is still TikTok's: report it even if our storage failed.
      this.ctx.log('warn', 'could not record a status in the idempotency ledger', {
        publishId,
        message: toTokpipeError(failure).details.message,
      });
    }
    return makeOutcome(entry?.key ?? '', publishId, status, postIds, entry?.attempts ?? 1, error);
  }

  /** Post attempts until a final answer. Something below us breaking (the ledger's storage, a bug) still
   * hands back the publish_id we hold, so the post is never lost, and never guesses that it failed. */
  private async postUntilSettled(
    request: PostRequest,
    init: InitCall,
    key: string,
    wait: boolean,
    deadline: number,
  ): Promise<PostOutcome> {
    const progress: AttemptProgress = { publishId: null, attempt: 1 };
    try {
      return await this.attemptUntilFinal(request, init, key, wait, deadline, progress);
    } catch (error) {
      const details = toTokpipeError(error).details;
      this.ctx.log('error', 'post interrupted by an unexpected error', {
        idempotencyKey: key,
        publishId: progress.publishId,
        message: details.message,
      });
      const unknown: ErrorDetails = {
        ...details,
        disposition: 'unknown_outcome',
        category: 'needs_human',
        retryable: false,
      };
      return makeOutcome(key, progress.publishId, 'UNCONFIRMED', [], progress.attempt, unknown);
    }
  }

  /** init → upload → poll; a retryable FAILED is posted again with the same asset (≤ maxPostAttempts). */
  private async attemptUntilFinal(
    request: PostRequest,
    init: InitCall,
    key: string,
    wait: boolean,
    deadline: number,
    progress: AttemptProgress,
  ): Promise<PostOutcome> {
    const { ctx, ledger } = this;
    for (let attempt = progress.attempt; ; attempt++) {
      progress.attempt = attempt;
      progress.publishId = null;
      let created: InitResult;
      try {
        // markSending right before the request leaves (after rate-limit waits and token refresh): a
        // crash before it lets a re-run post; a crash after it is an unknown outcome.
        created = await ctx.api.call(
          init.endpoint,
          async (token) => {
            await ledger.markSending(key);
            return this.sendInit(init, token);
          },
          deadline,
        );
      } catch (error) {
        if (error instanceof LedgerConflictError) {
          // Another process took the reservation over and is posting: nothing sent here, nothing written.
          return makeOutcome(
            key,
            null,
            'UNCONFIRMED',
            [],
            attempt,
            outcomeDetails('unconfirmed', error.message, attempt),
            true,
          );
        }
        const details = toTokpipeError(error, { endpoint: init.endpoint }).details;
        if (details.disposition === 'unknown_outcome') {
          // May have created a post: never re-init; reconciliation decides.
          await ledger.recordUnknownOutcome(key, details);
          ctx.log('warn', 'init outcome unknown; kept for reconciliation', { idempotencyKey: key, code: details.code });
          return makeOutcome(key, null, 'UNCONFIRMED', [], attempt, details);
        }
        await ledger.recordRejected(key, details);
        return makeOutcome(key, null, 'FAILED', [], attempt, details);
      }
      const publishId = created.publishId;
      progress.publishId = publishId;
      const uploading =
        init.endpoint !== 'content_init' && init.plan && request.media.type === 'video_file'
          ? { file: request.media.file, plan: init.plan }
          : undefined;
      await ledger.recordPublishId(key, publishId, uploading ? created.uploadUrl : undefined);
      ctx.log('info', 'init accepted', { idempotencyKey: key, publishId, attempt });

      if (uploading) {
        const failed = await uploadFile(ctx, uploading.file, uploading.plan, created.uploadUrl, publishId, deadline);
        if (failed) {
          // Resumable (TikTok could not be asked, or our source failed): the upload_url is kept so a
          // re-run resumes the chunks.
          await ledger.recordStatus(key, failed.status, [], failed.error, !staysResumable(failed));
          return makeOutcome(key, publishId, failed.status, [], attempt, failed.error);
        }
        await ledger.recordUploaded(key);
      }

      if (!wait) {
        await ledger.recordStatus(key, 'ACCEPTED');
        return makeOutcome(key, publishId, 'ACCEPTED', [], attempt, null);
      }

      const polled = await pollForFinalStatus(ctx, publishId, deadline, {
        wantPostIds: request.privacyLevel === 'PUBLIC_TO_EVERYONE',
      });
      // A one-pass stream cannot be read again: its retryable FAILED is reported for the caller to re-run.
      const canReread = !(request.media.type === 'video_file' && request.media.file.onePass);
      if (
        polled.status === 'FAILED' &&
        polled.error?.retryable &&
        canReread &&
        attempt < this.maxPostAttempts &&
        ctx.clock.now() < deadline
      ) {
        // Retryable async failure (internal, *_pull_failed): post again with the same asset.
        ctx.log('info', 'post failed for a retryable reason; posting again', {
          idempotencyKey: key,
          publishId,
          failReason: polled.error.failReason,
        });
        await ledger.recordRepost(key);
        continue;
      }
      const error = polled.error ? { ...polled.error, attempts: attempt } : null;
      await ledger.recordStatus(
        key,
        polled.status,
        polled.postIds,
        error,
        FINAL_STATUSES.has(polled.status) || polled.status === 'UNCONFIRMED',
      );
      return makeOutcome(key, publishId, polled.status, polled.postIds, attempt, error);
    }
  }

  private sendInit(init: InitCall, token: string): Promise<InitResult> {
    const { client } = this.ctx;
    switch (init.endpoint) {
      case 'video_init':
        return client.initDirectVideo(token, init.body);
      case 'inbox_video_init':
        return client.initInboxVideo(token, init.body);
      case 'content_init':
        return client.initPhoto(token, init.body);
    }
  }

  /** The clock time by which this call must end (the poster's budgetMs), or never. */
  private callDeadline(): number {
    return this.options.budgetMs !== undefined
      ? this.ctx.clock.now() + this.options.budgetMs
      : Number.POSITIVE_INFINITY;
  }
}

function assetLabel(request: PostRequest): string | undefined {
  switch (request.media.type) {
    case 'video_url':
      return request.media.url;
    case 'photo_urls':
      return request.media.urls.join(' ');
    case 'video_file':
      return `file (${request.media.file.size} bytes)`;
  }
}
