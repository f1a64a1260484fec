// The poster: what every adapter calls. validate → idempotency → scope check → creator_info
// pre-flight (direct posts) → limiter → init (never blindly repeated: an unknown outcome is kept for
// reconciliation) → upload → poll → re-post a retryable FAILED with the original asset (at most 3
// attempts in all). Every wait goes through the injected clock; every failure is a classified
// ErrorDetails in the outcome (only bad input and structural refusals throw).
import { createHash } from 'node:crypto';
import { buildInitCall, checkAgainstCreatorInfo, type InitCall } from './client/bodies';
import { TikTokClient } from './client/client';
import type { CreatorInfo, InitResult, StatusResult, VideoListPage } from './client/types';
import { classifyFailReason, errorFromTable, outcomeDetails, toTokpipeError } from './errors/classify';
import type { Endpoint } from './errors/table';
import type { ErrorDetails } from './errors/types';
import { blocksRepost, Ledger, LedgerConflictError, postIdempotencyKey, type LedgerEntry } from './idempotency';
import { sharedRateLimiter, type RateLimiter } from './limiter';
import { MemoryStore } from './memory-store';
import { pollUntilTerminal, terminalStatuses, type PollSchedule } from './polling';
import type { Clock, KeyValueStore, Logger, Random, Transport } from './ports';
import { cryptoRandom, errorDetails, resolveRetryPolicy, retry, type RetryPolicy } from './retry';
import type { PostLimits } from './schemas/post';
import { checkPostScopes, type AccessTokenProvider } from './tokens';
import type { PostRequest, PostStatus } from './types';
import type { ChunkPlan } from './upload/plan';
import { uploadChunks } from './upload/uploader';

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
  /** Default https://open.tiktokapis.com. */
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

const FINAL_STATUSES: ReadonlySet<string> = new Set(['PUBLISH_COMPLETE', 'SEND_TO_USER_INBOX', 'FAILED']);

// Keys a post() in this process is working on, per ledger store: a concurrent repeat must not
// resume the same upload in parallel (TikTok wants chunks strictly in sequence).
const keysInFlight = new WeakMap<object, Set<string>>();

export function createPoster(options: PosterOptions): TikTokPoster {
  return new Poster(options);
}

class Poster implements TikTokPoster {
  readonly ledger: Ledger;
  private readonly client: TikTokClient;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly limiter: RateLimiter;
  private readonly auth: AccessTokenProvider;
  private readonly maxPostAttempts: number;
  /** Errors after which the same call is repeated at once (fresh token). */
  private readonly retryNow = new WeakSet<object>();
  private readonly retryPolicy: RetryPolicy;

  constructor(private readonly options: PosterOptions) {
    this.clock = options.clock;
    this.random = options.random ?? cryptoRandom;
    this.auth = options.auth;
    this.client = new TikTokClient({ transport: options.transport, baseUrl: options.baseUrl, requestTimeoutMs: options.requestTimeoutMs, clock: options.clock });
    this.limiter = options.limiter ?? sharedRateLimiter(options.clock);
    this.ledger = new Ledger(options.store ?? new MemoryStore(), options.clock);
    this.retryPolicy = resolveRetryPolicy(options.retry);
    this.maxPostAttempts = options.maxPostAttempts ?? 3;
    if (!(this.maxPostAttempts >= 1)) throw new RangeError(`maxPostAttempts must be at least 1, got ${this.maxPostAttempts}`);
    if (options.budgetMs !== undefined && !(options.budgetMs > 0)) throw new RangeError(`budgetMs must be positive, got ${options.budgetMs}`);
  }

  async post(request: PostRequest, opts: { wait?: boolean } = {}): Promise<PostOutcome> {
    const deadline = this.deadline();
    const init = buildInitCall(request, { limits: this.options.limits }); // validates: throws input/structural errors
    let openId: string | undefined;
    let key = request.idempotencyKey ?? '';
    try {
      openId = await this.auth.openId?.();
      key = await postIdempotencyKey(request, openId);
      checkPostScopes(request.mode, await this.auth.scopes?.());
    } catch (error) {
      // Bad input throws; anything else (no token stored, a file that cannot be read) is an outcome.
      const details = toTokpipeError(error).details;
      if (details.layer === 'input' || details.layer === 'structural') throw error;
      return this.outcome(key, null, 'FAILED', [], 0, details);
    }

    // A repeat is answered from the ledger before anything is sent (no pre-flight for a known post).
    const prior = await this.ledger.get(key);
    if (prior && blocksRepost(prior)) return this.existing(prior, opts.wait === true, deadline, request, init);

    if (request.mode === 'direct' && this.options.creatorInfoPreflight !== false) {
      try {
        const info = await this.call('creator_info', (token) => this.client.creatorInfo(token), deadline);
        checkAgainstCreatorInfo(request, info);
      } catch (error) {
        // No init was sent and no intent recorded: the key may post again.
        const details = toTokpipeError(error).details;
        if (details.layer === 'input') throw error;
        return this.outcome(key, null, 'FAILED', [], 1, details);
      }
    }

    // The intent is recorded after the pre-flight, right before init: a process killed during the
    // pre-flight leaves nothing behind, so running the post again posts it (once).
    // In flight from here, synchronously: a concurrent call with the same key sees it before any await,
    // since a reservation alone (state 'reserved') no longer blocks a repost.
    const inFlight = this.inFlight();
    if (inFlight.has(key)) {
      const error = outcomeDetails('unconfirmed', 'Another call with this idempotency key is posting right now; it is not posted twice.', 1);
      return this.outcome(key, null, 'UNCONFIRMED', [], 1, error, true);
    }
    inFlight.add(key);
    try {
      const begun = await this.ledger.begin(key, { openId, mode: request.mode, asset: assetLabel(request), title: request.title });
      if (!begun.created) return await this.existing(begun.entry, opts.wait === true, deadline, request, init);
      return await this.run(request, init, key, 1, opts.wait === true, deadline);
    } finally {
      inFlight.delete(key);
    }
  }

  async status(publishId: string): Promise<PostOutcome> {
    const result = await this.call('status_fetch', (token) => this.client.fetchStatus(token, publishId), this.deadline());
    return this.seen(publishId, result.status, result.postIds, this.failureOf(result, publishId));
  }

  async waitForCompletion(publishId: string, opts: { budgetMs?: number } = {}): Promise<PostOutcome> {
    const deadline = Math.min(this.deadline(), opts.budgetMs !== undefined ? this.clock.now() + opts.budgetMs : Number.POSITIVE_INFINITY);
    const { status, postIds, error } = await this.poll(publishId, deadline, opts.budgetMs);
    return this.seen(publishId, status, postIds, error);
  }

  /** A status read for `publishId`: recorded in the ledger (a repeat of the post then returns it),
   * and reported with the post's idempotency key and attempts when the ledger knows the post. */
  private async seen(publishId: string, status: PostStatus, postIds: string[], error: ErrorDetails | null): Promise<PostOutcome> {
    let entry: LedgerEntry | undefined;
    try {
      entry = await this.ledger.recordSeen(publishId, status, postIds, error);
    } catch (failure) {
      // The answer is still TikTok's: report it even if our storage failed.
      this.log('warn', 'could not record a status in the idempotency ledger', { publishId, message: toTokpipeError(failure).details.message });
    }
    return this.outcome(entry?.key ?? '', publishId, status, postIds, entry?.attempts ?? 1, error);
  }

  creatorInfo(): Promise<CreatorInfo> {
    return this.call('creator_info', (token) => this.client.creatorInfo(token), this.deadline());
  }

  async cancel(publishId: string): Promise<void> {
    await this.call('cancel', (token) => this.client.cancel(token, publishId), this.deadline());
  }

  listVideos(opts: { cursor?: number | string; maxCount?: number } = {}): Promise<VideoListPage> {
    return this.call('video_list', (token) => this.client.listVideos(token, opts), this.deadline());
  }

  /** One post attempt after another until a final answer. */
  private async run(request: PostRequest, init: InitCall, key: string, firstAttempt: number, wait: boolean, deadline: number): Promise<PostOutcome> {
    const progress = { publishId: null as string | null, attempt: firstAttempt };
    try {
      return await this.attempts(request, init, key, wait, deadline, progress);
    } catch (error) {
      // Something below us broke (the ledger's storage, a bug): still hand back the publish_id we hold,
      // so the post is never lost, and never guess that it failed.
      const details = toTokpipeError(error).details;
      this.log('error', 'post interrupted by an unexpected error', { idempotencyKey: key, publishId: progress.publishId, message: details.message });
      return this.outcome(key, progress.publishId, 'UNCONFIRMED', [], progress.attempt, { ...details, disposition: 'unknown_outcome', category: 'needs_human', retryable: false });
    }
  }

  private async attempts(
    request: PostRequest,
    init: InitCall,
    key: string,
    wait: boolean,
    deadline: number,
    progress: { publishId: string | null; attempt: number },
  ): Promise<PostOutcome> {
    for (let attempt = progress.attempt; ; attempt++) {
      progress.attempt = attempt;
      progress.publishId = null;
      let created: InitResult;
      try {
        // markSending right before the request leaves (after rate-limit waits and token refresh): a
        // crash before it lets a re-run post; a crash after it is an unknown outcome.
        created = await this.call(init.endpoint, async (token) => {
          await this.ledger.markSending(key);
          return this.sendInit(init, token);
        }, deadline);
      } catch (error) {
        if (error instanceof LedgerConflictError) {
          // Another process took the reservation over and is posting: nothing sent here, nothing written.
          return this.outcome(key, null, 'UNCONFIRMED', [], attempt, outcomeDetails('unconfirmed', error.message, attempt), true);
        }
        const details = toTokpipeError(error, { endpoint: init.endpoint }).details;
        if (details.disposition === 'unknown_outcome') {
          // May have created a post: never re-init; reconciliation decides.
          await this.ledger.recordUnknownOutcome(key, details);
          this.log('warn', 'init outcome unknown; kept for reconciliation', { idempotencyKey: key, code: details.code });
          return this.outcome(key, null, 'UNCONFIRMED', [], attempt, details);
        }
        await this.ledger.recordRejected(key, details);
        return this.outcome(key, null, 'FAILED', [], attempt, details);
      }
      const publishId = created.publishId;
      progress.publishId = publishId;
      const uploading = init.endpoint !== 'content_init' && init.plan && request.media.type === 'video_file' ? { file: request.media.file, plan: init.plan } : undefined;
      await this.ledger.recordPublishId(key, publishId, uploading ? created.uploadUrl : undefined);
      this.log('info', 'init accepted', { idempotencyKey: key, publishId, attempt });

      if (uploading) {
        const failed = await this.upload(uploading.file, uploading.plan, created.uploadUrl, publishId, deadline);
        if (failed) {
          // Resumable (TikTok could not be asked, or our source failed): the upload_url is kept so a
          // re-run resumes the chunks.
          await this.ledger.recordStatus(key, failed.status, [], failed.error, !staysResumable(failed));
          return this.outcome(key, publishId, failed.status, [], attempt, failed.error);
        }
        await this.ledger.recordUploaded(key);
      }

      if (!wait) {
        await this.ledger.recordStatus(key, 'ACCEPTED');
        return this.outcome(key, publishId, 'ACCEPTED', [], attempt, null);
      }

      const polled = await this.poll(publishId, deadline, undefined, request.privacyLevel === 'PUBLIC_TO_EVERYONE');
      // A one-pass stream cannot be read again: its retryable FAILED is reported for the caller to re-run.
      const canReread = !(request.media.type === 'video_file' && request.media.file.onePass);
      if (polled.status === 'FAILED' && polled.error?.retryable && canReread && attempt < this.maxPostAttempts && this.clock.now() < deadline) {
        // Retryable async failure (internal, *_pull_failed): post again with the same asset.
        this.log('info', 'post failed for a retryable reason; posting again', { idempotencyKey: key, publishId, failReason: polled.error.failReason });
        await this.ledger.recordRepost(key);
        continue;
      }
      const error = polled.error ? { ...polled.error, attempts: attempt } : null;
      await this.ledger.recordStatus(key, polled.status, polled.postIds, error, FINAL_STATUSES.has(polled.status) || polled.status === 'UNCONFIRMED');
      return this.outcome(key, publishId, polled.status, polled.postIds, attempt, error);
    }
  }

  private sendInit(init: InitCall, token: string): Promise<InitResult> {
    switch (init.endpoint) {
      case 'video_init':
        return this.client.initDirectVideo(token, init.body);
      case 'inbox_video_init':
        return this.client.initInboxVideo(token, init.body);
      case 'content_init':
        return this.client.initPhoto(token, init.body);
    }
  }

  /** Uploads the file; on failure decides from TikTok's own view whether the upload really failed. */
  private async upload(
    file: Extract<PostRequest['media'], { type: 'video_file' }>['file'],
    plan: ChunkPlan,
    uploadUrl: string | undefined,
    publishId: string,
    deadline: number,
    startAt = 0,
  ): Promise<{ status: PostStatus; error: ErrorDetails } | undefined> {
    if (!uploadUrl) {
      return { status: 'UNCONFIRMED', error: outcomeDetails('interrupted_init', 'TikTok accepted the upload post but sent no upload_url.', 1) };
    }
    try {
      await uploadChunks({ client: this.client, uploadUrl, source: file, plan, clock: this.clock, random: this.random, startAt });
      return undefined;
    } catch (error) {
      let details = toTokpipeError(error, { endpoint: 'upload' }).details;
      // The source failed mid-upload (a download dropped, a file cut short): not the caller's input
      // as such — TikTok already holds part of the upload.
      if (details.layer === 'input') {
        // The problem alone ("field: what"), without the input row's own action.
        const problem = details.message.split(` [${details.code}`)[0];
        details = errorFromTable('application', 'upload_source_failed', { detail: problem }).details;
      }
      // The last chunk may have landed even though its reply was lost: ask TikTok before calling it failed.
      try {
        const seen = await this.call('status_fetch', (token) => this.client.fetchStatus(token, publishId), deadline);
        // Every chunk landed; TikTok may already have failed the post (e.g. auth_removed): say so.
        if (seen.status === 'FAILED') return { status: 'FAILED', error: this.failureOf(seen, publishId)! };
        if (seen.status !== 'PROCESSING_UPLOAD') return undefined;
      } catch {
        return { status: 'UNCONFIRMED', error: details };
      }
      return { status: 'FAILED', error: details };
    }
  }

  /** `wantPostIds`: a public post is PUBLISH_COMPLETE before moderation fills its post id; keep
   * polling (within the same budget) for the id users link to, but never call it unconfirmed. */
  private async poll(publishId: string, deadline: number, budgetMs?: number, wantPostIds = false): Promise<{ status: PostStatus; postIds: string[]; error: ErrorDetails | null }> {
    try {
      const result = await pollUntilTerminal<StatusResult>({
        clock: this.clock,
        isTerminal: (r) => terminalStatuses.has(r.status) && !(wantPostIds && r.status === 'PUBLISH_COMPLETE' && r.postIds.length === 0),
        schedule: budgetMs !== undefined ? { ...this.options.polling, budgetMs } : this.options.polling,
        deadline,
        fetch: () => this.call('status_fetch', (token) => this.client.fetchStatus(token, publishId), deadline),
      });
      if (result.terminal) return { status: result.result.status, postIds: result.result.postIds, error: this.failureOf(result.result, publishId) };
      if (result.last?.status === 'PUBLISH_COMPLETE') return { status: 'PUBLISH_COMPLETE', postIds: [], error: null };
      const last = result.last?.status ?? 'no answer';
      return {
        status: 'UNCONFIRMED',
        postIds: result.last?.postIds ?? [],
        error: outcomeDetails('unconfirmed', `Post ${publishId} had no final status within the polling budget (last seen: ${last}).`, 1),
      };
    } catch (error) {
      // Polling itself failed for good (e.g. re-authorization needed): the post may still go through.
      return { status: 'UNCONFIRMED', postIds: [], error: toTokpipeError(error, { endpoint: 'status_fetch' }).details };
    }
  }

  private failureOf(result: StatusResult, publishId: string): ErrorDetails | null {
    if (result.status !== 'FAILED') return null;
    return result.error ?? classifyFailReason(result.failReason ?? 'unknown', { publishId, logId: result.logId });
  }

  /** The repeat of a key: report the existing post; never post again. A FILE_UPLOAD whose chunks
   * were interrupted (crash, kill) is resumed from the bytes TikTok holds, with the same upload_url. */
  private async existing(entry: LedgerEntry, wait: boolean, deadline: number, request: PostRequest, init: InitCall): Promise<PostOutcome> {
    const plan = init.endpoint !== 'content_init' ? init.plan : undefined;
    if (entry.publishId && entry.state === 'initiated' && entry.pendingUploadUrl && request.media.type === 'video_file' && plan) {
      if (this.inFlight().has(entry.key)) {
        const error = outcomeDetails('unconfirmed', `Another call with this idempotency key is still uploading post ${entry.publishId}.`, entry.attempts);
        return this.outcome(entry.key, entry.publishId, 'UNCONFIRMED', [], entry.attempts, error, true);
      }
      const resumed = await this.resumeUpload(entry, request.media.file, plan, deadline);
      // TikTok could not be asked: nothing learned, so the upload stays resumable for the next run.
      if (resumed?.status === 'UNCONFIRMED') return this.outcome(entry.key, entry.publishId, 'UNCONFIRMED', [], entry.attempts, resumed.error, true);
      if (resumed) {
        await this.ledger.recordStatus(entry.key, resumed.status, [], resumed.error, !staysResumable(resumed));
        return this.outcome(entry.key, entry.publishId, resumed.status, [], entry.attempts, resumed.error, true);
      }
      await this.ledger.recordUploaded(entry.key);
      entry = (await this.ledger.get(entry.key)) ?? entry; // the status TikTok reported while resuming
    }
    if (!entry.publishId || entry.state === 'intent' || entry.state === 'unknown_outcome') {
      const error = entry.error ?? outcomeDetails('interrupted_init', 'An earlier post with this idempotency key recorded its intent but no publish_id (interrupted or in progress); it is not posted again automatically.', entry.attempts);
      return this.outcome(entry.key, entry.publishId ?? null, 'UNCONFIRMED', [], entry.attempts, error, true);
    }
    const settled = entry.status !== undefined && FINAL_STATUSES.has(entry.status);
    if (wait && !settled) {
      const polled = await this.poll(entry.publishId, deadline);
      // A FAILED here is reported, not re-posted: re-posting belongs to the call that made the post.
      await this.ledger.recordStatus(entry.key, polled.status, polled.postIds, polled.error, true);
      return this.outcome(entry.key, entry.publishId, polled.status, polled.postIds, entry.attempts, polled.error, true);
    }
    return this.outcome(entry.key, entry.publishId, entry.status ?? 'ACCEPTED', entry.postIds, entry.attempts, entry.error, true);
  }

  /** Finishes an interrupted FILE_UPLOAD: asks TikTok how many bytes it holds and sends the rest.
   * Undefined when the upload is complete (now or already). */
  private async resumeUpload(entry: LedgerEntry, file: Extract<PostRequest['media'], { type: 'video_file' }>['file'], plan: ChunkPlan, deadline: number): Promise<{ status: PostStatus; error: ErrorDetails } | undefined> {
    const publishId = entry.publishId!;
    const inFlight = this.inFlight();
    inFlight.add(entry.key);
    try {
      let seen: StatusResult;
      try {
        seen = await this.call('status_fetch', (token) => this.client.fetchStatus(token, publishId), deadline);
      } catch (error) {
        return { status: 'UNCONFIRMED', error: toTokpipeError(error, { endpoint: 'status_fetch' }).details };
      }
      if (seen.status !== 'PROCESSING_UPLOAD') {
        // Every chunk had landed before the crash: keep what TikTok says now (it may even have FAILED).
        await this.ledger.recordSeen(publishId, seen.status, seen.postIds, this.failureOf(seen, publishId));
        return undefined;
      }
      // uploaded_bytes off a chunk boundary: start at 0 and let TikTok's 416 Content-Range say where.
      const held = seen.uploadedBytes ?? 0;
      const startAt = plan.chunks.some((c) => c.first === held) ? held : 0;
      this.log('info', 'resuming an interrupted upload', { idempotencyKey: entry.key, publishId, startAt });
      return await this.upload(file, plan, entry.pendingUploadUrl, publishId, deadline, startAt);
    } finally {
      inFlight.delete(entry.key);
    }
  }

  private inFlight(): Set<string> {
    const owner = this.options.store ?? this.ledger;
    let keys = keysInFlight.get(owner);
    if (!keys) {
      keys = new Set();
      keysInFlight.set(owner, keys);
    }
    return keys;
  }

  /** One API call with a token, the limiter, retries with backoff, and one refresh on access_token_invalid. */
  private async call<T>(endpoint: Endpoint, send: (token: string) => Promise<T>, deadline: number): Promise<T> {
    let refreshed = false;
    let subject = '';
    return retry(
      async () => {
        const token = await this.auth.getAccessToken();
        subject = await this.subjectFor(token);
        await this.limiter.acquire(subject, endpoint);
        try {
          return await send(token);
        } catch (error) {
          const details = errorDetails(error);
          if (details?.code === 'rate_limit_exceeded' || details?.code === 'rate_limited') {
            this.limiter.onRateLimited(subject, endpoint, details.retryAfterMs);
          }
          if (details?.disposition === 'retry_after_refresh' && !refreshed && this.auth.onUnauthorized) {
            refreshed = true;
            await this.auth.onUnauthorized();
            this.retryNow.add(error as object);
          }
          throw error;
        }
      },
      {
        clock: this.clock,
        random: this.random,
        policy: this.retryPolicy,
        deadline,
        decide: (error) => {
          if (typeof error === 'object' && error !== null && this.retryNow.has(error)) return { retry: true, delayMs: 0 };
          const details = errorDetails(error);
          // The limiter holds the endpoint for the window; the retry waits exactly that long.
          if (details?.disposition === 'wait_for_quota' && (details.code === 'rate_limit_exceeded' || details.code === 'rate_limited')) {
            const wait = this.limiter.waitTime(subject, endpoint);
            if (wait > this.retryPolicy.maxServerWaitMs) return { retry: false, reason: `rate limit window of ${wait} ms is too long to wait` };
            return { retry: true, delayMs: wait };
          }
          return undefined;
        },
        onRetry: ({ attempt, delayMs, error }) =>
          this.log('debug', 'retrying', { endpoint, attempt, delayMs, code: errorDetails(error)?.code }),
      },
    );
  }

  /** The limiter's key: the account when known (tokens rotate), else a hash of the token (never the token). */
  private async subjectFor(token: string): Promise<string> {
    const openId = await this.auth.openId?.();
    // The limiter may be shared across posters: windows belong to one API host's account or token.
    const host = this.options.baseUrl ?? 'https://open.tiktokapis.com';
    return openId ? `${host} open_id:${openId}` : `${host} token:${createHash('sha256').update(token).digest('hex').slice(0, 24)}`;
  }

  private deadline(): number {
    return this.options.budgetMs !== undefined ? this.clock.now() + this.options.budgetMs : Number.POSITIVE_INFINITY;
  }

  private outcome(key: string, publishId: string | null, status: PostOutcome['status'], postIds: string[], attempts: number, error: ErrorDetails | null, reused = false): PostOutcome {
    return { publishId, status, postIds, attempts, idempotencyKey: key, reused, error };
  }

  private log(level: Parameters<Logger>[0], message: string, fields?: Record<string, unknown>): void {
    this.options.logger?.(level, message, fields);
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

/** An upload that failed but can be finished later with the same upload_url: TikTok could not be
 * asked (UNCONFIRMED), or our own source failed mid-way (TikTok keeps what it has for the hour). */
function staysResumable(failed: { status: PostStatus; error: ErrorDetails }): boolean {
  return failed.status === 'UNCONFIRMED' || failed.error.code === 'upload_source_failed';
}
