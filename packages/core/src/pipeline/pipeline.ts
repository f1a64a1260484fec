// The multi-account pipeline: durable jobs, one shard per account (its own breaker, caps and retry
// timers), a router for jobs without an account, status tracking, reconciliation, webhooks, DLQ and
// alerts. Pure logic: every wait goes through the injected Clock, every request through the
// per-account poster, every byte of state through the KeyValueStore.
//
// Crash safety (kill -9 at any moment, then Pipeline.open on the same store):
// - a job is persisted as 'queued' before submit() resolves;
// - 'posting' (the intent) is persisted before the poster is called, the publish_id right after;
// - a job found in 'posting' at open had an init in flight: its outcome is unknown. It is never
//   re-inited: the poster's ledger (when shared) or the account's video list decides.
import { createHash } from 'node:crypto';
import { classifyFailReason, inputError, isTokpipeError, toTokpipeError } from '../errors/classify';
import type { Disposition, ErrorDetails } from '../errors/types';
import type { LedgerEntry } from '../idempotency/ledger';
import { RateLimiter } from '../limiter';
import { pollDelay, resolvePollSchedule, type PollSchedule } from '../polling';
import { validatePostRequest } from '../schemas/post';
import type { Clock, KeyValueStore, Logger, Random, Transport } from '../ports';
import { redact } from '../redact';
import { backoffDelay, cryptoRandom } from '../retry/policy';
import type { ByteSource, MediaSource, PostRequest } from '../types';
import type { TokenStore } from '../tokens/types';
import type { WebhookEvent } from '../webhooks/events';
import { AccountRegistry } from './accounts';
import { defaultAlertOptions, ErrorRateMonitor, type AlertOptions, type AttemptResult } from './alerts';
import { CircuitBreaker, defaultBreakerOptions, type BreakerOptions } from './breaker';
import { CapTracker, capFor, DAY_MS, defaultCaps } from './caps';
import { DeadLetterQueue, type DeadLetter } from './dlq';
import { ReadyQueue } from './ready-queue';
import { parseVideoList } from './video-list';
import {
  parkedJobStates,
  terminalJobStates,
  type AccountCaps,
  type AccountRecord,
  type AccountReport,
  type Alert,
  type BreakerState,
  type Job,
  type JobSpec,
  type JobState,
  type PipelineEvent,
  type PipelinePoster,
  type PosterOutcome,
} from './types';

export const JOB_PREFIX = 'tokpipe/pipeline/job/';

/** What the pipeline hands to posterFor for one account. */
export interface PosterContext {
  /** The account's token storage in the pipeline's store (for a TokenManager). */
  tokens: TokenStore;
  /** Pass it to createPoster({ limiter }): its waits are counted in the report as rate-limit waits. */
  limiter: RateLimiter;
}

/** Calls whose limiter waits belong to the job a shard is posting (the others, e.g. status polls, to the account). */
const jobScopedEndpoints: ReadonlySet<string> = new Set(['video_init', 'inbox_video_init', 'content_init', 'creator_info']);

/** A RateLimiter that reports each wait it imposed. */
class ObservedRateLimiter extends RateLimiter {
  constructor(clock: Clock, private readonly onWait: (endpoint: string, waitedMs: number) => void) {
    super({ clock });
  }

  override async acquire(subject: string, endpoint: string): Promise<number> {
    const waited = await super.acquire(subject, endpoint);
    if (waited > 0) this.onWait(endpoint, waited);
    return waited;
  }
}

export interface PipelineOptions {
  store: KeyValueStore;
  clock: Clock;
  /** One poster per account (core's createPoster with a TokenManager over `tokens`, the account's
   * token storage in this store). Called once per account, when the account first posts. */
  posterFor: (account: AccountRecord, context: PosterContext) => PipelinePoster;
  random?: Random;
  logger?: Logger;
  /** Opens `video_file` media (Node: fileByteSource from @tokpipe/core/node). */
  openFile?: (path: string) => ByteSource | Promise<ByteSource>;
  /** The poster's idempotency ledger, when it shares this store (new Ledger(store, clock)): lets a
   * restart tell "init never sent" (post it) from "init may have happened" (reconcile). Without it,
   * every interrupted init is treated as an unknown outcome. */
  ledger?: { get(key: string): Promise<LedgerEntry | undefined> };
  /** Pipeline-level retries of a job after the poster's own retries gave up (per job). */
  maxRetries?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Wait after a rate limit when TikTok does not say how long. */
  rateLimitWindowMs?: number;
  /** Posts per job in all (the first and the re-posts after a retryable FAILED). */
  maxPostAttempts?: number;
  breaker?: Partial<BreakerOptions>;
  alerts?: Partial<AlertOptions> & { webhookUrl?: string; transport?: Transport };
  polling?: Partial<PollSchedule>;
  /** Status arrives by webhook (handleWebhook): no polling after accept, one check at the end of the polling budget. */
  webhooks?: boolean;
  reconcile?: { everyMs?: number; windowMs?: number; videoListPages?: number };
  defaultCaps?: Partial<AccountCaps>;
  /** A job without an account whose every eligible account is capped for longer than this is
   * parked ('deferred') instead of holding a campaign run open. Default 10 min. */
  routerParkMs?: number;
}

/** What a failed attempt does to the job, by disposition (the classification table decides the disposition). */
type FailureKind = 'transient' | 'throttle' | 'account' | 'reauth' | 'content' | 'unknown';
const failureKindByDisposition: Readonly<Record<Disposition, FailureKind>> = {
  retry: 'transient',
  retry_after_refresh: 'transient',
  wait_for_quota: 'throttle',
  route_to_another_account: 'account',
  reauthorize: 'reauth',
  fix_input: 'content',
  needs_human: 'content',
  unknown_outcome: 'unknown',
};

/** needs_human codes that are about the account, not the post: the router stops using the account. */
const accountLevelCodes: ReadonlySet<string> = new Set(['spam_risk_user_banned_from_posting', 'unaudited_client_can_only_post_to_private_accounts', 'app_version_check_failed']);
/** Codes meaning "this account's cap for this mode is used up" (TikTok counted before we did). */
const capCodeMode: Readonly<Record<string, 'direct' | 'draft'>> = { spam_risk_too_many_posts: 'direct', spam_risk_too_many_pending_share: 'draft' };

const requiredScopeByMode: Readonly<Record<'direct' | 'draft', string>> = { direct: 'video.publish', draft: 'video.upload' };

/** Statuses that end tracking, and the job state each leads to. FAILED is decided by its fail_reason. */
const successStateByStatus: Readonly<Record<string, 'published' | 'delivered'>> = { PUBLISH_COMPLETE: 'published', SEND_TO_USER_INBOX: 'delivered' };

/** Whether another job in this state may own a public video whose id it does not know yet (so a listed
 * video with its caption may be its post). Only asked for jobs with an intent and no known post id. */
const mayOwnUnseenPost: Readonly<Record<JobState, (job: Job) => boolean>> = {
  queued: () => false, //      no init in flight; an earlier one was refused or FAILED (never public)
  retry_wait: () => false,
  deferred: () => false,
  posting: () => true, //      init in flight
  accepted: () => true, //     TikTok may have published it before we polled
  unconfirmed: () => true,
  unknown: () => true,
  published: () => true, //    published without a reported post id
  delivered: () => true, //    a draft the creator may have posted from the inbox
  dead: (job) => job.lastError?.disposition === 'unknown_outcome' || job.lastError?.code === 'unconfirmed_expired',
};

/** What the video list says about an unknown-outcome job: its post, or why none was claimed. */
type VideoListMatch = { found: { id: string } } | { found?: undefined; why: string };

/** Webhook event → the status it stands for. */
const statusByWebhookEvent: Readonly<Record<string, string>> = {
  'post.publish.complete': 'PUBLISH_COMPLETE',
  'post.publish.publicly_available': 'PUBLISH_COMPLETE',
  'post.publish.inbox_delivered': 'SEND_TO_USER_INBOX',
  'post.publish.failed': 'FAILED',
};

/** The pipeline's own classifications (not TikTok's): built like table rows. */
function pipelineError(
  code: 'unknown_outcome' | 'unconfirmed_expired' | 'no_eligible_account' | 'retries_exhausted' | 'account_needs_reauth' | 'account_unusable',
  message: string,
  attempts: number,
  cause?: ErrorDetails,
): ErrorDetails {
  const rows: Record<typeof code, Pick<ErrorDetails, 'layer' | 'disposition' | 'category' | 'retryable' | 'action'>> = {
    unknown_outcome: {
      layer: cause?.layer ?? 'transport',
      disposition: 'unknown_outcome',
      category: 'needs_human',
      retryable: false,
      action: 'Check the account in the TikTok app; replay with force only if the post is not there (replaying could post twice).',
    },
    unconfirmed_expired: {
      layer: 'async',
      disposition: 'needs_human',
      category: 'needs_human',
      retryable: false,
      action: 'TikTok never reported a final status within 72 h: check the post in the TikTok app.',
    },
    no_eligible_account: {
      layer: 'input',
      disposition: 'fix_input',
      category: 'not_retryable',
      retryable: false,
      action: 'Add an active account with the needed scope (and region), or name an account in the job.',
    },
    account_needs_reauth: {
      layer: cause?.layer ?? 'oauth',
      disposition: 'reauthorize',
      category: 'needs_human',
      retryable: false,
      action: 'Reconnect the TikTok account (tokpipe auth login), reactivate it, then replay these jobs from the dead-letter queue.',
    },
    account_unusable: {
      layer: cause?.layer ?? 'application',
      disposition: 'needs_human',
      category: 'needs_human',
      retryable: false,
      action: 'The account cannot post (see its status in `tokpipe accounts health`); fix it, reactivate it, then replay these jobs.',
    },
    retries_exhausted: {
      layer: cause?.layer ?? 'application',
      disposition: cause?.disposition ?? 'retry',
      category: 'retryable',
      retryable: true,
      action: 'Retries are used up; replay the job from the dead-letter queue when the cause is fixed.',
    },
  };
  return { ...rows[code], code, message, attempts, raw: cause?.raw, logId: cause?.logId, httpStatus: cause?.httpStatus, failReason: cause?.failReason };
}

interface Shard {
  account: string;
  /** Job ids ready to post on this account, FIFO. */
  ready: ReadyQueue;
  busy: boolean;
  /** The job whose init is in progress. */
  current?: string;
  breaker: CircuitBreaker;
  wakeScheduled?: number;
}

export interface AccountHealth {
  account: string;
  status: AccountRecord['status'];
  statusReason?: string;
  region?: string;
  breaker: BreakerState;
  /** 0..1: success ratio in the alert window, halved while half-open, 0 while open or unusable. */
  score: number;
  remaining: { direct: number; draft: number };
  queued: number;
}

export class Pipeline {
  readonly accounts: AccountRegistry;
  readonly deadLetters: DeadLetterQueue;
  private readonly jobs = new Map<string, Job>();
  private readonly byPublishId = new Map<string, string>();
  private readonly shards = new Map<string, Shard>();
  private readonly unassigned: string[] = [];
  private readonly posters = new Map<string, PipelinePoster>();
  private readonly caps = new CapTracker();
  private readonly monitor: ErrorRateMonitor;
  private readonly listeners = new Set<(event: PipelineEvent) => void>();
  /** Job id → the publish_id its tracker follows (a re-posted job gets a new tracker at once). */
  private readonly tracking = new Map<string, string>();
  private readonly tasks = new Set<Promise<void>>();
  private readonly settleWaiters: Array<() => void> = [];
  private readonly claimedPostIds = new Set<string>();
  /** Limiter waits not tied to a job (status polls, video list), per account. */
  private readonly accountWaits = new Map<string, number>();
  private routerWake?: number;
  private nextSeq = 1;
  private stopped = false;
  private reconcileLoop?: Promise<void>;

  private readonly clock: Clock;
  private readonly store: KeyValueStore;
  private readonly random: Random;
  private readonly log: Logger;
  private readonly breakerOptions: BreakerOptions;
  private readonly alertOptions: AlertOptions;
  private readonly poll: PollSchedule;
  private readonly maxRetries: number;
  private readonly maxPostAttempts: number;
  private readonly retryBaseDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly rateLimitWindowMs: number;
  private readonly reconcileEveryMs: number;
  private readonly reconcileWindowMs: number;
  private readonly videoListPages: number;
  private readonly routerParkMs: number;

  /** Loads accounts, jobs and the DLQ from the store. Nothing runs until start() (or the first
   * submit/drain/reconcileOnce), so listeners attached right after open() see every event. */
  static async open(options: PipelineOptions): Promise<Pipeline> {
    const pipeline = new Pipeline(options);
    await pipeline.load();
    return pipeline;
  }

  private started?: Promise<void>;

  /** Resumes every unfinished job found in the store (idempotent). */
  start(): Promise<void> {
    if (!this.started) {
      this.started = (async () => {
        for (const job of [...this.jobs.values()]) await this.resume(job);
        this.pump();
      })();
    }
    return this.started;
  }

  private constructor(private readonly options: PipelineOptions) {
    this.clock = options.clock;
    this.store = options.store;
    this.random = options.random ?? cryptoRandom;
    this.log = options.logger ?? (() => undefined);
    this.breakerOptions = { ...defaultBreakerOptions, ...options.breaker };
    this.alertOptions = { ...defaultAlertOptions, ...options.alerts };
    this.poll = resolvePollSchedule(options.polling);
    this.maxRetries = options.maxRetries ?? 3;
    this.maxPostAttempts = options.maxPostAttempts ?? 3;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 1_000;
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? 64_000;
    this.rateLimitWindowMs = options.rateLimitWindowMs ?? 60_000;
    this.reconcileEveryMs = options.reconcile?.everyMs ?? 15 * 60_000;
    this.reconcileWindowMs = options.reconcile?.windowMs ?? 72 * 60 * 60_000;
    this.videoListPages = options.reconcile?.videoListPages ?? 5;
    this.routerParkMs = options.routerParkMs ?? 10 * 60_000;
    const positive: Array<[string, number]> = [
      ['reconcile.everyMs', this.reconcileEveryMs],
      ['reconcile.windowMs', this.reconcileWindowMs],
      ['reconcile.videoListPages', this.videoListPages],
      ['maxPostAttempts', this.maxPostAttempts],
      ['breaker.failureThreshold', this.breakerOptions.failureThreshold],
      ['breaker.cooldownMs', this.breakerOptions.cooldownMs],
      ['alerts.windowMs', this.alertOptions.windowMs],
    ];
    const nonNegative: Array<[string, number]> = [
      ['maxRetries', this.maxRetries],
      ['retryBaseDelayMs', this.retryBaseDelayMs],
      ['retryMaxDelayMs', this.retryMaxDelayMs],
      ['rateLimitWindowMs', this.rateLimitWindowMs],
      ['routerParkMs', this.routerParkMs],
    ];
    for (const [name, value] of positive) if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`pipeline option ${name} must be a positive number, got ${value}`);
    for (const [name, value] of nonNegative) if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`pipeline option ${name} must be a non-negative number, got ${value}`);
    this.monitor = new ErrorRateMonitor(this.alertOptions);
    this.accounts = new AccountRegistry(this.store, this.clock, { ...defaultCaps, ...options.defaultCaps });
    this.deadLetters = new DeadLetterQueue(this.store);
  }

  // ---------------------------------------------------------------- public API

  /** Subscribes to pipeline events (live display, reports). Returns the unsubscribe function. */
  on(listener: (event: PipelineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Validates every spec first (nothing is queued if one is bad), then queues them all. */
  async submitMany(specs: JobSpec[]): Promise<Array<{ job: Job; created: boolean }>> {
    specs.forEach((spec, i) => this.validate(spec, `jobs[${i}]`));
    const out: Array<{ job: Job; created: boolean }> = [];
    // Each spec object was just checked against the post schema (same limits): submit re-checks
    // only what can change in the meantime (the account), not the schema again.
    for (const spec of specs) out.push(await this.submitChecked(spec, true));
    return out;
  }

  /** Queues one post. The same spec (or the same idempotencyKey) submitted again is the same job. */
  async submit(spec: JobSpec): Promise<{ job: Job; created: boolean }> {
    return this.submitChecked(spec, false);
  }

  private async submitChecked(spec: JobSpec, schemaChecked: boolean): Promise<{ job: Job; created: boolean }> {
    this.validate(spec, 'job', schemaChecked);
    await this.start();
    const id = jobIdFor(spec);
    const existing = this.jobs.get(id);
    if (existing) return { job: existing, created: false };
    const job: Job = {
      id,
      seq: this.nextSeq++,
      spec,
      account: spec.account,
      state: 'queued',
      attempts: 0,
      generation: 0,
      postIds: [],
      submittedAt: this.clock.now(),
      retries: 0,
      rateLimitWaits: 0,
      refusedBy: [],
    };
    this.jobs.set(id, job);
    await this.save(job);
    this.emit({ type: 'job_queued', at: this.clock.now(), job: { ...job } });
    const publishAt = spec.publishAt ? Date.parse(spec.publishAt) : undefined;
    if (publishAt !== undefined && publishAt > this.clock.now()) {
      // TikTok has no scheduling: the job waits (parked, persisted) until its publish time.
      job.state = 'deferred';
      job.dueAt = publishAt;
      await this.save(job);
      this.emit({ type: 'job_scheduled', at: this.clock.now(), jobId: id, account: spec.account, until: publishAt });
      this.scheduleDue(job);
      return { job, created: true };
    }
    this.enqueue(job);
    this.pump();
    return { job, created: true };
  }

  getJob(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  listJobs(): Job[] {
    return [...this.jobs.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Resolves when every job is finished (published, delivered, dead) or parked (deferred by a cap,
   * unconfirmed, unknown outcome): what a campaign run waits for before printing its report. */
  async drain(): Promise<void> {
    await this.start();
    if (this.isSettled()) return;
    await new Promise<void>((resolve) => this.settleWaiters.push(resolve));
  }

  /** Runs reconciliation every `reconcile.everyMs` until stop(). */
  startReconciliation(): void {
    if (this.reconcileLoop) return;
    this.reconcileLoop = (async () => {
      await this.start();
      while (!this.stopped) {
        await this.clock.sleep(this.reconcileEveryMs);
        if (this.stopped) break;
        await this.reconcileOnce().catch((err: unknown) => this.log('error', `reconciliation failed: ${safeMessage(err)}`));
      }
    })();
  }

  /** Stops starting new work. In-flight requests finish; their results are persisted. */
  stop(): void {
    this.stopped = true;
  }

  /** stop(), then waits until every in-flight attempt has finished and been written (a graceful
   * Ctrl-C: no job is left in 'posting', so a restart has no unknown outcome to reconcile). */
  async shutdown(): Promise<void> {
    this.stop();
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  /** Re-checks every job that is not terminal and younger than the window (72 h): publish_ids by
   * status, unknown-outcome inits by the ledger and the account's video list. */
  async reconcileOnce(): Promise<{ checked: number; resolved: number }> {
    await this.start();
    let checked = 0;
    let resolved = 0;
    const candidates = [...this.jobs.values()].filter((j) => (j.state === 'accepted' && this.tracking.get(j.id) !== j.publishId) || j.state === 'unconfirmed' || j.state === 'unknown');
    for (const job of candidates) {
      checked++;
      const before = job.state;
      await this.reconcileJob(job).catch((err: unknown) => this.log('warn', `reconciliation of ${job.id} failed: ${safeMessage(err)}`, { jobId: job.id }));
      if (job.state !== before) resolved++;
    }
    this.pump();
    this.checkSettled();
    return { checked, resolved };
  }

  /** Applies a verified, parsed webhook event (see verifyTikTokSignature / parseWebhookEvent).
   * Returns true when it changed a job or an account. */
  async handleWebhook(event: WebhookEvent): Promise<boolean> {
    if (event.event === 'authorization.removed') {
      const account = this.accounts.byOpenId(event.openId);
      if (!account) return false;
      await this.setAccountStatus(account.id, 'needs_reauth', 'the creator removed the app\'s access (authorization.removed)');
      return true;
    }
    const status = statusByWebhookEvent[event.event];
    const content = event.content as { publish_id?: string; reason?: string; post_id?: string };
    const jobId = content.publish_id ? this.byPublishId.get(content.publish_id) : undefined;
    const job = jobId ? this.jobs.get(jobId) : undefined;
    if (!status || !job || job.publishId !== content.publish_id) return false;
    if (job.state === 'dead' || (job.state === 'published' && !content.post_id)) return false;
    const postIds = content.post_id ? [String(content.post_id)] : [];
    const error = status === 'FAILED' ? classifyFailReason(content.reason ?? 'unknown_fail_reason', { publishId: job.publishId, raw: redact(content) }) : null;
    await this.applyStatus(job, content.publish_id!, { publishId: job.publishId, status, postIds, error });
    this.pump();
    this.checkSettled();
    return true;
  }

  /** Per-account health for `tokpipe accounts health` and the router's view of the world. */
  health(): AccountHealth[] {
    const now = this.clock.now();
    return this.accounts.list().map((a) => {
      const shard = this.shard(a.id);
      return {
        account: a.id,
        status: a.status,
        statusReason: a.statusReason,
        region: a.region,
        breaker: shard.breaker.state(now),
        score: this.score(a, now),
        remaining: { direct: this.caps.remaining(a, 'direct', now), draft: this.caps.remaining(a, 'draft', now) },
        queued: shard.ready.length,
      };
    });
  }

  /** Marks an account usable again (after re-authorizing it and saving the new token, for example). */
  async reactivateAccount(id: string): Promise<void> {
    if (!this.accounts.get(id)) throw inputError('account', `no account ${id}`);
    // The next post builds a new poster, so a token saved since is read afresh.
    this.posters.delete(id);
    await this.setAccountStatus(id, 'active');
    this.pump();
  }

  /** The final report, per account (from the persisted jobs, so it covers resumed runs too). */
  report(): AccountReport[] {
    const rows = new Map<string, AccountReport & { times: number[] }>();
    const row = (account: string) => {
      let r = rows.get(account);
      if (!r) {
        r = { account, published: 0, delivered: 0, failed: 0, inDlq: 0, pending: 0, retries: 0, rateLimitWaits: 0, timeToPublishMs: { count: 0 }, times: [] };
        rows.set(account, r);
      }
      return r;
    };
    for (const a of this.accounts.list()) row(a.id).rateLimitWaits += this.accountWaits.get(a.id) ?? 0;
    for (const job of this.jobs.values()) {
      const r = row(job.account ?? '(unassigned)');
      r.retries += job.retries;
      r.rateLimitWaits += job.rateLimitWaits;
      if (job.state === 'published') r.published++;
      else if (job.state === 'delivered') r.delivered++;
      else if (job.state === 'dead') {
        r.inDlq++;
        if (job.lastError?.disposition !== 'unknown_outcome') r.failed++;
      } else r.pending++;
      if ((job.state === 'published' || job.state === 'delivered') && job.completedAt !== undefined) r.times.push(job.completedAt - job.submittedAt);
    }
    return [...rows.values()].map(({ times, ...r }) => {
      const sorted = [...times].sort((a, b) => a - b);
      const timeToPublishMs = sorted.length
        ? { count: sorted.length, avg: Math.round(sorted.reduce((s, t) => s + t, 0) / sorted.length), p50: sorted[Math.floor((sorted.length - 1) / 2)], max: sorted[sorted.length - 1] }
        : { count: 0 };
      return { ...r, timeToPublishMs };
    });
  }

  /** The DLQ API the CLI's `tokpipe dlq list|show|replay` uses. */
  readonly dlq = {
    list: (): Promise<DeadLetter[]> => this.deadLetters.list(),
    show: (jobId: string): Promise<DeadLetter | undefined> => this.deadLetters.get(jobId),
    /** Puts a dead job back in its queue as a new post attempt. An unknown outcome may already be
     * on TikTok: it is replayed only with `force` (after a person checked the account). */
    replay: async (jobId: string, options: { account?: string; force?: boolean } = {}): Promise<Job> => {
      const entry = await this.deadLetters.get(jobId);
      const job = this.jobs.get(jobId);
      if (!entry || !job || job.state !== 'dead') throw inputError('jobId', `no dead-lettered job ${jobId}`);
      if (entry.error.disposition === 'unknown_outcome' && !options.force) {
        throw inputError('force', `job ${jobId} has an unknown outcome: it may already be posted. Check the account, then replay with force`);
      }
      if (options.account !== undefined && !this.accounts.get(options.account)) throw inputError('account', `no account ${options.account}`);
      job.spec = options.account !== undefined ? { ...job.spec, account: options.account } : job.spec;
      job.account = job.spec.account;
      job.state = 'queued';
      job.generation++;
      job.retries = 0;
      job.refusedBy = [];
      job.publishId = undefined;
      job.status = undefined;
      job.lastError = undefined;
      job.reconcileNote = undefined;
      await this.save(job);
      await this.deadLetters.remove(jobId);
      this.emit({ type: 'job_requeued', at: this.clock.now(), jobId, reason: 'replayed from the dead-letter queue' });
      this.enqueue(job);
      this.pump();
      return job;
    },
  };

  // ---------------------------------------------------------------- loading and persistence

  private async load(): Promise<void> {
    await this.accounts.load();
    const now = this.clock.now();
    for (const [, raw] of await this.store.list(JOB_PREFIX)) {
      const job = JSON.parse(raw) as Job;
      this.jobs.set(job.id, job);
      this.nextSeq = Math.max(this.nextSeq, (job.seq ?? 0) + 1);
      if (job.publishId) this.byPublishId.set(job.publishId, job.id);
      this.caps.recordJob(job, now);
      for (const id of job.postIds) this.claimedPostIds.add(id);
    }
    // A crash between writing the dead letter and the job's own 'dead' state: the DLQ wins.
    for (const entry of await this.deadLetters.list()) {
      const job = this.jobs.get(entry.jobId);
      if (job && job.state !== 'dead') {
        job.state = 'dead';
        job.lastError = entry.error;
        job.completedAt = entry.at;
        await this.save(job);
      }
    }
  }

  /** What each persisted state means after a restart. */
  private async resume(job: Job): Promise<void> {
    switch (job.state) {
      case 'posting':
        // The process died with this init in flight: never re-init blindly.
        await this.interruptedInit(job);
        return;
      case 'queued':
        this.enqueue(job);
        return;
      case 'retry_wait':
      case 'deferred':
        this.scheduleDue(job);
        return;
      case 'accepted':
        this.startTracking(job);
        return;
      default:
        return; // terminal or waiting for reconciliation
    }
  }

  private async interruptedInit(job: Job): Promise<void> {
    const entry = job.attemptKey && this.options.ledger ? await this.options.ledger.get(job.attemptKey) : undefined;
    if (this.options.ledger && (!entry || entry.state === 'rejected' || entry.state === 'reserved')) {
      // The poster never recorded an intent (or TikTok refused the init): nothing was created.
      job.state = 'queued';
      await this.save(job);
      this.emit({ type: 'job_requeued', at: this.clock.now(), jobId: job.id, reason: 'interrupted before the init was sent' });
      this.enqueue(job);
      return;
    }
    if (entry?.publishId) {
      await this.markAccepted(job, entry.publishId);
      return;
    }
    job.state = 'unknown';
    job.lastError = pipelineError('unknown_outcome', 'The process stopped while this post was being sent; it may or may not exist on TikTok.', job.attempts);
    await this.save(job);
    this.emit({ type: 'job_unknown_outcome', at: this.clock.now(), jobId: job.id, account: job.account });
  }

  private async save(job: Job): Promise<void> {
    await this.store.set(JOB_PREFIX + job.id, JSON.stringify(job));
  }

  // ---------------------------------------------------------------- scheduling

  private shard(account: string): Shard {
    let shard = this.shards.get(account);
    if (!shard) {
      shard = { account, ready: new ReadyQueue((id) => this.jobs.get(id)?.spec.mode), busy: false, breaker: new CircuitBreaker(this.breakerOptions) };
      this.shards.set(account, shard);
    }
    return shard;
  }

  /** Puts a queued job where it waits: its account's shard (pinned) or the router's queue. */
  private enqueue(job: Job): void {
    if (job.spec.account) {
      job.account = job.spec.account;
      const shard = this.shard(job.spec.account);
      if (!shard.ready.includes(job.id)) shard.ready.push(job.id);
    } else {
      job.account = undefined;
      if (!this.unassigned.includes(job.id)) this.unassigned.push(job.id);
    }
  }

  /** Starts whatever can start now. Never waits: waiting happens in timers and tasks. */
  private pump(): void {
    if (this.stopped) return;
    this.routeUnassigned();
    for (const shard of this.shards.values()) this.pumpShard(shard);
    this.checkSettled();
  }

  private routeUnassigned(): void {
    const now = this.clock.now();
    let earliestChange: number | undefined;
    for (const jobId of [...this.unassigned]) {
      const job = this.jobs.get(jobId)!;
      const eligible = this.eligibleAccounts(job);
      if (eligible.length === 0) {
        this.removeFrom(this.unassigned, jobId);
        const refused = job.refusedBy.length ? ` (refused by ${job.refusedBy.join(', ')}: ${job.lastError?.code ?? 'unusable'})` : '';
        const message = `No active account can take this ${job.spec.mode} post${job.spec.region ? ` in region ${job.spec.region}` : ''}${refused}.`;
        this.spawn(() => this.deadLetter(job, pipelineError('no_eligible_account', message, job.attempts, job.lastError)));
        continue;
      }
      // Each account's free capacity once per job (it scans the account's queue).
      const available: Array<{ a: AccountRecord; left: number }> = [];
      for (const a of eligible) {
        if (!this.shard(a.id).breaker.allows(now)) continue;
        const left = this.capacityLeft(a, job.spec.mode, now);
        if (left > 0) available.push({ a, left });
      }
      if (available.length === 0) {
        const capFree = eligible.map((a) => ({ a, at: this.caps.nextFreeAt(a, job.spec.mode, now) })).sort((x, y) => x.at - y.at)[0]!;
        if (capFree.at - now > this.routerParkMs) {
          // Every account's cap is used up for a while: park the job (a campaign run can end) until the first frees.
          this.removeFrom(this.unassigned, jobId);
          this.spawn(() => this.defer(job, capFree.a.id, capFree.at));
          continue;
        }
        // Only waits on time need a timer; a full queue frees up when a shard finishes (which pumps).
        for (const a of eligible) {
          const at = this.nextChangeFor(a, job.spec.mode, now);
          if (at > now) earliestChange = earliestChange === undefined ? at : Math.min(earliestChange, at);
        }
        continue;
      }
      const chosen = available
        .map(({ a, left }) => ({ a, score: Math.round(this.score(a, now) * 10), left, load: this.shard(a.id).ready.length }))
        .sort((x, y) => y.score - x.score || y.left - x.left || x.load - y.load || (x.a.id < y.a.id ? -1 : 1))[0]!.a;
      this.removeFrom(this.unassigned, jobId);
      job.account = chosen.id;
      this.shard(chosen.id).ready.push(jobId);
      this.emit({ type: 'job_routed', at: now, jobId, account: chosen.id });
    }
    if (earliestChange !== undefined) this.wakeRouterAt(earliestChange);
  }

  private pumpShard(shard: Shard): void {
    if (shard.busy || shard.ready.length === 0) return;
    const now = this.clock.now();
    const account = this.accounts.get(shard.account);
    if (!account) {
      for (const jobId of shard.ready.drain()) {
        const job = this.jobs.get(jobId)!;
        this.spawn(() => this.deadLetter(job, pipelineError('no_eligible_account', `Account ${shard.account} is not registered.`, job.attempts)));
      }
      return;
    }
    if (account.status !== 'active') {
      this.unusableAccount(shard, account);
      return;
    }
    if (!shard.breaker.allows(now)) {
      // Open: wake at the end of the cooldown. Half-open with the probe out: its result pumps.
      if (shard.breaker.openUntil() > now) this.wakeShardAt(shard, shard.breaker.openUntil());
      return;
    }
    const jobId = shard.ready.shift()!;
    const job = this.jobs.get(jobId)!;
    if (this.caps.remaining(account, job.spec.mode, now) <= 0) {
      const until = this.caps.nextFreeAt(account, job.spec.mode, now);
      if (until === Number.POSITIVE_INFINITY && job.spec.account) {
        this.spawn(() => this.deadLetter(job, pipelineError('no_eligible_account', `Account ${account.id} has a ${job.spec.mode} cap of 0: it never takes these posts.`, job.attempts)));
        this.pumpShard(shard);
        return;
      }
      if (!job.spec.account) {
        // Routed job: another account may have room now.
        this.enqueue(job);
        this.pump();
        return;
      }
      this.spawn(() => this.defer(job, account.id, until));
      this.pumpShard(shard);
      return;
    }
    shard.busy = true;
    shard.current = job.id;
    this.spawn(async () => {
      try {
        await this.runAttempt(shard, account, job);
      } finally {
        shard.busy = false;
        shard.current = undefined;
        this.pump();
      }
    });
  }

  /** Jobs waiting on an account that cannot post: routed ones go elsewhere, pinned ones to the DLQ. */
  private unusableAccount(shard: Shard, account: AccountRecord): void {
    for (const jobId of shard.ready.drain()) {
      const job = this.jobs.get(jobId)!;
      if (!job.spec.account) {
        if (!job.refusedBy.includes(account.id)) job.refusedBy.push(account.id);
        this.enqueue(job);
        continue;
      }
      const code = account.status === 'needs_reauth' ? 'account_needs_reauth' : 'account_unusable';
      const message = `Account ${account.id} cannot post (${account.status}${account.statusReason ? `: ${account.statusReason}` : ''}).`;
      this.spawn(() => this.deadLetter(job, pipelineError(code, message, job.attempts, job.lastError)));
    }
    this.routeUnassigned();
  }

  private eligibleAccounts(job: Job): AccountRecord[] {
    const scope = requiredScopeByMode[job.spec.mode];
    return this.accounts
      .list()
      .filter(
        (a) =>
          a.status === 'active' &&
          !job.refusedBy.includes(a.id) &&
          capFor(a, job.spec.mode) > 0 &&
          (a.scopes.length === 0 || a.scopes.includes(scope)) &&
          (!job.spec.region || a.region === job.spec.region),
      );
  }

  /** Remaining daily capacity minus what is already queued or in flight on the account. */
  private capacityLeft(account: AccountRecord, mode: 'direct' | 'draft', now: number): number {
    const shard = this.shard(account.id);
    const committed = shard.ready.count(mode) + (shard.busy ? 1 : 0);
    return this.caps.remaining(account, mode, now) - committed;
  }

  private nextChangeFor(account: AccountRecord, mode: 'direct' | 'draft', now: number): number {
    const breaker = this.shard(account.id).breaker;
    const breakerAt = breaker.allows(now) ? now : breaker.openUntil();
    return Math.max(breakerAt, this.caps.nextFreeAt(account, mode, now));
  }

  private score(account: AccountRecord, now: number): number {
    if (account.status !== 'active') return 0;
    const factorByBreaker: Record<BreakerState, number> = { closed: 1, half_open: 0.5, open: 0 };
    return factorByBreaker[this.shard(account.id).breaker.state(now)] * this.monitor.health(account.id, now);
  }

  /** Timers only for future times: a wake "now" would spin (pump → wake → pump) on a virtual clock. */
  private wakeShardAt(shard: Shard, at: number): void {
    if (at <= this.clock.now()) return;
    if (shard.wakeScheduled !== undefined && shard.wakeScheduled <= at && shard.wakeScheduled > this.clock.now()) return;
    shard.wakeScheduled = at;
    void this.clock.sleep(Math.max(0, at - this.clock.now())).then(() => {
      if (shard.wakeScheduled === at) shard.wakeScheduled = undefined;
      this.pump();
    });
  }

  private wakeRouterAt(at: number): void {
    if (at <= this.clock.now()) return;
    if (this.routerWake !== undefined && this.routerWake <= at && this.routerWake > this.clock.now()) return;
    this.routerWake = at;
    void this.clock.sleep(Math.max(0, at - this.clock.now())).then(() => {
      if (this.routerWake === at) this.routerWake = undefined;
      this.pump();
    });
  }

  /** A retry_wait or deferred job: a timer of its own, so it never blocks anything queued. */
  private scheduleDue(job: Job): void {
    const dueAt = job.dueAt ?? this.clock.now();
    const state = job.state;
    void this.clock.sleep(Math.max(0, dueAt - this.clock.now())).then(() =>
      this.spawn(async () => {
        if (this.stopped || job.state !== state || job.dueAt !== dueAt) return;
        job.state = 'queued';
        job.dueAt = undefined;
        await this.save(job);
        this.enqueue(job);
        this.pump();
      }),
    );
  }

  // ---------------------------------------------------------------- one attempt

  private poster(account: AccountRecord): PipelinePoster {
    let poster = this.posters.get(account.id);
    if (!poster) {
      const limiter = new ObservedRateLimiter(this.clock, (endpoint, waitedMs) => this.limiterWaited(account.id, endpoint, waitedMs));
      poster = this.options.posterFor(account, { tokens: this.accounts.tokenStore(account.id), limiter });
      this.posters.set(account.id, poster);
    }
    return poster;
  }

  private limiterWaited(account: string, endpoint: string, waitedMs: number): void {
    const at = this.clock.now();
    const current = this.shards.get(account)?.current;
    const job = current ? this.jobs.get(current) : undefined;
    if (job && jobScopedEndpoints.has(endpoint)) {
      job.rateLimitWaits++;
      this.emit({ type: 'rate_limit_wait', at, jobId: job.id, account, delayMs: waitedMs, code: `limiter:${endpoint}` });
      return;
    }
    this.accountWaits.set(account, (this.accountWaits.get(account) ?? 0) + 1);
    this.emit({ type: 'account_rate_limit_wait', at, account, endpoint, delayMs: waitedMs });
  }

  private async runAttempt(shard: Shard, account: AccountRecord, job: Job): Promise<void> {
    const now = this.clock.now();
    shard.breaker.onStart(now);
    job.state = 'posting';
    job.account = account.id;
    job.attempts++;
    job.intentAt = now;
    job.attemptKey = `${job.id}.${account.id}.g${job.generation}`;
    // The intent is on disk before anything can reach TikTok.
    await this.save(job);
    this.emit({ type: 'attempt_started', at: now, jobId: job.id, account: account.id, attempt: job.attempts });

    let request: PostRequest;
    try {
      request = await this.toPostRequest(job);
    } catch (err) {
      // The media file could not be opened: nothing was sent, and retrying will not help.
      shard.breaker.onNeutral();
      await this.deadLetter(job, isTokpipeError(err) ? err.details : inputError('media.path', `cannot open the video file: ${safeMessage(err)}`).details);
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
          await this.failedAttempt(shard, account, job, details);
          return;
        }
        await this.deadLetter(job, details);
        return;
      }
      outcome = { status: 'FAILED', postIds: [], error: details };
    }
    if (!outcome.error && outcome.publishId) {
      const changed = shard.breaker.onSuccess(this.clock.now());
      if (changed) this.emitBreaker(account.id, changed);
      this.recordAlerts(account.id, 'ok', undefined);
      this.caps.record(account.id, job.spec.mode, this.clock.now());
      await this.markAccepted(job, outcome.publishId);
      if (outcome.status && outcome.status !== 'ACCEPTED') await this.applyStatus(job, outcome.publishId, outcome);
      return;
    }
    const error: ErrorDetails = outcome.error ?? pipelineError('unknown_outcome', 'The poster returned neither a publish_id nor an error.', job.attempts);
    await this.failedAttempt(shard, account, job, error);
  }

  private async markAccepted(job: Job, publishId: string): Promise<void> {
    const now = this.clock.now();
    job.state = 'accepted';
    job.publishId = publishId;
    job.acceptedAt = now;
    job.lastError = undefined;
    this.byPublishId.set(publishId, job.id);
    await this.save(job);
    this.emit({ type: 'job_accepted', at: now, jobId: job.id, account: job.account!, publishId });
    this.startTracking(job);
  }

  /** What a failed init does, by the failure's kind (a table over the disposition). */
  private async failedAttempt(shard: Shard, account: AccountRecord, job: Job, error: ErrorDetails): Promise<void> {
    const now = this.clock.now();
    const kind = accountLevelCodes.has(error.code) ? 'account' : failureKindByDisposition[error.disposition];
    job.lastError = error;
    this.recordAlerts(account.id, kind === 'content' ? 'content_failure' : 'failure', error.code);
    if (kind === 'transient' || kind === 'throttle' || kind === 'unknown') {
      const changed = shard.breaker.onFailure(now);
      if (changed) this.emitBreaker(account.id, changed);
      if (changed === 'open') this.rerouteFrom(shard);
    } else {
      shard.breaker.onNeutral();
    }
    const handlers: Record<FailureKind, () => Promise<void>> = {
      transient: () => this.scheduleRetry(job, error, 'retry'),
      throttle: () => this.scheduleRetry(job, error, 'throttle'),
      unknown: () => this.markUnknown(job, error),
      content: () => this.deadLetter(job, error),
      reauth: async () => {
        // A scope missing for this mode only says this job cannot go here; anything else means the
        // account's authorization is gone.
        if (error.code !== 'missing_scope') await this.setAccountStatus(account.id, 'needs_reauth', error.message);
        await this.refuse(job, account, error);
      },
      account: async () => {
        const capMode = capCodeMode[error.code];
        if (capMode) await this.accounts.blockCap(account.id, capMode, now + DAY_MS);
        else await this.setAccountStatus(account.id, 'needs_human', error.message);
        await this.refuse(job, account, error);
      },
    };
    await handlers[kind]();
  }

  /** The account cannot take this job: a routed job goes back to the router, a pinned one waits for
   * the cap (when that is the reason) or is dead-lettered. */
  private async refuse(job: Job, account: AccountRecord, error: ErrorDetails): Promise<void> {
    if (!job.spec.account) {
      // A cap clears by itself (the account's cap block keeps the router away until then); a ban or
      // a lost authorization does not.
      if (!capCodeMode[error.code] && !job.refusedBy.includes(account.id)) job.refusedBy.push(account.id);
      job.state = 'queued';
      await this.save(job);
      this.emit({ type: 'job_requeued', at: this.clock.now(), jobId: job.id, reason: `${account.id}: ${error.code}` });
      this.enqueue(job);
      return;
    }
    const capMode = capCodeMode[error.code];
    const record = this.accounts.get(account.id);
    if (capMode && record && record.status === 'active') {
      await this.defer(job, account.id, this.caps.nextFreeAt(record, capMode, this.clock.now()));
      return;
    }
    await this.deadLetter(job, error);
  }

  /** Parks a job until a daily cap frees a slot (its own timer; persisted, so a restart keeps it). */
  private async defer(job: Job, account: string, until: number): Promise<void> {
    job.state = 'deferred';
    job.dueAt = until;
    job.rateLimitWaits++;
    await this.save(job);
    this.emit({ type: 'job_deferred', at: this.clock.now(), jobId: job.id, account, until, reason: 'daily_cap' });
    this.scheduleDue(job);
  }

  private async scheduleRetry(job: Job, error: ErrorDetails, reason: 'retry' | 'throttle' | 'repost'): Promise<void> {
    const now = this.clock.now();
    const limit = reason === 'repost' ? this.maxPostAttempts - 1 : this.maxRetries;
    const used = reason === 'repost' ? job.generation : job.retries;
    if (used >= limit) {
      await this.deadLetter(job, reason === 'repost' ? error : pipelineError('retries_exhausted', `${error.message} (gave up after ${job.attempts} attempts)`, job.attempts, error));
      return;
    }
    const delayMs =
      reason === 'throttle'
        ? (error.retryAfterMs ?? this.rateLimitWindowMs) + Math.floor(this.random() * this.retryBaseDelayMs)
        : Math.max(error.retryAfterMs ?? 0, backoffDelay(used + 1, { baseDelayMs: this.retryBaseDelayMs, maxDelayMs: this.retryMaxDelayMs }, this.random));
    if (reason === 'repost') job.generation++;
    else job.retries++;
    if (reason === 'throttle') job.rateLimitWaits++;
    job.state = 'retry_wait';
    job.dueAt = now + delayMs;
    job.publishId = undefined;
    // When due, a routed job goes back through the router (its account may be degraded by then).
    await this.save(job);
    if (reason === 'throttle') this.emit({ type: 'rate_limit_wait', at: now, jobId: job.id, account: job.account, delayMs, code: error.code });
    this.emit({ type: 'retry_scheduled', at: now, jobId: job.id, account: job.account, delayMs, code: error.code, reason: reason === 'repost' ? 'repost' : 'retry' });
    this.scheduleDue(job);
  }

  private async markUnknown(job: Job, error: ErrorDetails): Promise<void> {
    job.state = 'unknown';
    job.lastError = error;
    // It may have counted against the cap.
    if (job.account) this.caps.record(job.account, job.spec.mode, this.clock.now());
    await this.save(job);
    this.emit({ type: 'job_unknown_outcome', at: this.clock.now(), jobId: job.id, account: job.account });
    this.log('warn', `job ${job.id} on ${job.account}: init outcome unknown (${error.code}); reconciliation will look for the post, it is never re-posted automatically`, { jobId: job.id, code: error.code });
  }

  /** When the breaker opens, routed jobs waiting on this account go elsewhere. */
  private rerouteFrom(shard: Shard): void {
    const keep: string[] = [];
    for (const jobId of shard.ready.drain()) {
      const job = this.jobs.get(jobId)!;
      if (job.spec.account) keep.push(jobId);
      else this.enqueue(job);
    }
    for (const jobId of keep) shard.ready.push(jobId);
  }

  // ---------------------------------------------------------------- status tracking

  private startTracking(job: Job): void {
    const publishId = job.publishId!;
    // A tracker of an earlier publish (a poll still in flight when the job was re-posted) ends by
    // itself when it sees the new publish_id; it must not keep the new publish untracked.
    if (this.tracking.get(job.id) === publishId) return;
    this.tracking.set(job.id, publishId);
    // Not a settle-blocking task: the job's own state ('accepted') already says it is in progress,
    // and a webhook may finish it while the tracker still sleeps.
    void this.track(job)
      .catch((err: unknown) => this.log('error', `tracking ${job.id} failed: ${safeMessage(err)}`))
      .finally(() => {
        if (this.tracking.get(job.id) === publishId) this.tracking.delete(job.id);
        this.checkSettled();
      });
  }

  /** Polls on the schedule (10, 30, 60, 120 s, then every 120 s) until a terminal status or the
   * budget; with webhooks, waits for them and checks once at the end of the budget. */
  private async track(job: Job): Promise<void> {
    const publishId = job.publishId!;
    const start = job.acceptedAt ?? this.clock.now();
    const deadline = start + this.poll.budgetMs;
    for (let i = 0; ; i++) {
      const wait = this.options.webhooks ? deadline - this.clock.now() : pollDelay(this.poll, i);
      const until = Math.min(this.clock.now() + Math.max(0, wait), deadline);
      await this.clock.sleep(Math.max(0, until - this.clock.now()));
      if (job.state !== 'accepted' || job.publishId !== publishId || this.stopped) return;
      const outcome = await this.statusOf(job);
      if (outcome) await this.applyStatus(job, publishId, outcome);
      if (job.state !== 'accepted' || job.publishId !== publishId) return;
      if (this.clock.now() >= deadline) {
        job.state = 'unconfirmed';
        await this.save(job);
        this.emit({ type: 'job_unconfirmed', at: this.clock.now(), jobId: job.id, account: job.account, publishId });
        this.checkSettled();
        return;
      }
    }
  }

  /** One status fetch; undefined when it failed in a way worth trying again later. */
  private async statusOf(job: Job): Promise<PosterOutcome | undefined> {
    const account = job.account ? this.accounts.get(job.account) : undefined;
    if (!account || !job.publishId) return undefined;
    try {
      const outcome = await this.poster(account).status(job.publishId);
      if (outcome.error && outcome.status !== 'FAILED') {
        this.log('debug', `status of ${job.publishId} failed: ${outcome.error.code}`, { jobId: job.id });
        return undefined;
      }
      return outcome;
    } catch (err) {
      this.log('debug', `status of ${job.publishId} failed: ${safeMessage(err)}`, { jobId: job.id });
      return undefined;
    }
  }

  /** Applies a status from polling, reconciliation or a webhook, about the publish `about`. An answer
   * about an earlier publish of the job (a poll or webhook that arrives after the job was re-posted or
   * moved on) changes nothing: acting on it would re-post a job whose new publish is under way. */
  private async applyStatus(job: Job, about: string, outcome: PosterOutcome): Promise<void> {
    if (job.publishId !== about) {
      this.log('debug', `job ${job.id}: ignored a late ${outcome.status} about ${about}; the job is now ${job.state}${job.publishId ? ` with ${job.publishId}` : ''}`, { jobId: job.id });
      return;
    }
    const now = this.clock.now();
    if (outcome.postIds.length) job.postIds = [...new Set([...job.postIds, ...outcome.postIds.map(String)])];
    for (const id of job.postIds) this.claimedPostIds.add(id);
    if (outcome.status !== job.status) {
      job.status = outcome.status;
      this.emit({ type: 'job_status', at: now, jobId: job.id, account: job.account, status: outcome.status });
    }
    const success = successStateByStatus[outcome.status];
    if (success) {
      // A draft in the inbox that is later posted by the creator upgrades to published.
      if (job.state === success || job.state === 'published') {
        await this.save(job);
        return;
      }
      job.state = success;
      job.completedAt = now;
      await this.save(job);
      const timeToPublishMs = now - job.submittedAt;
      if (success === 'published') this.emit({ type: 'job_published', at: now, jobId: job.id, account: job.account, postIds: job.postIds, timeToPublishMs });
      else this.emit({ type: 'job_delivered', at: now, jobId: job.id, account: job.account, timeToPublishMs });
      this.checkSettled();
      return;
    }
    if (outcome.status === 'FAILED') {
      const error = outcome.error ?? classifyFailReason('unknown_fail_reason', { publishId: job.publishId });
      await this.asyncFailure(job, error);
      this.checkSettled();
      return;
    }
    // Still processing.
    if (!job.stuckAlerted && job.acceptedAt !== undefined && now - job.acceptedAt > this.alertOptions.stuckProcessingMs) {
      job.stuckAlerted = true;
      this.raise({
        kind: 'stuck_processing',
        account: job.account,
        jobId: job.id,
        message: `post ${job.publishId} on ${job.account} has been ${outcome.status} for ${Math.round((now - job.acceptedAt) / 60_000)} min`,
      });
    }
    await this.save(job);
  }

  /** A publish that FAILED after init: retryable reasons are re-posted (≤ maxPostAttempts in all). */
  private async asyncFailure(job: Job, error: ErrorDetails): Promise<void> {
    const account = job.account ? this.accounts.get(job.account) : undefined;
    job.lastError = error;
    if (job.account) this.recordAlerts(job.account, error.disposition === 'fix_input' ? 'content_failure' : 'failure', error.failReason ?? error.code);
    const kind = failureKindByDisposition[error.disposition];
    if ((kind === 'transient' || kind === 'throttle') && error.retryable) {
      await this.scheduleRetry(job, error, 'repost');
      return;
    }
    if ((kind === 'account' || kind === 'reauth') && account) {
      // Nothing is public: the job may go to another account (or wait for this one's cap) as a new post.
      job.generation++;
      job.publishId = undefined;
      if (kind === 'reauth') await this.setAccountStatus(account.id, 'needs_reauth', error.message);
      const capMode = capCodeMode[error.code];
      if (capMode) await this.accounts.blockCap(account.id, capMode, this.clock.now() + DAY_MS);
      await this.refuse(job, account, error);
      this.pump();
      return;
    }
    await this.deadLetter(job, error);
  }

  // ---------------------------------------------------------------- reconciliation

  private async reconcileJob(job: Job): Promise<void> {
    const now = this.clock.now();
    const age = now - (job.intentAt ?? job.submittedAt);
    if (job.state === 'unknown') {
      await this.reconcileUnknown(job, age);
      return;
    }
    const asked = job.publishId;
    const outcome = await this.statusOf(job);
    if (outcome && asked) await this.applyStatus(job, asked, outcome);
    if ((job.state === 'accepted' || job.state === 'unconfirmed') && age > this.reconcileWindowMs) {
      await this.deadLetter(job, pipelineError('unconfirmed_expired', `Post ${job.publishId} had no final status after ${Math.round(age / 3_600_000)} h (last: ${job.status ?? 'none'}).`, job.attempts, job.lastError));
    }
  }

  private async reconcileUnknown(job: Job, age: number): Promise<void> {
    const entry = job.attemptKey && this.options.ledger ? await this.options.ledger.get(job.attemptKey) : undefined;
    if (entry?.publishId) {
      await this.markAccepted(job, entry.publishId);
      return;
    }
    await this.learnPostIdsOfTwins(job);
    const match = await this.findInVideoList(job);
    if (match.found) {
      const found = match.found;
      this.claimedPostIds.add(found.id);
      job.postIds = [found.id];
      job.publishId = undefined;
      job.state = 'published';
      job.status = 'PUBLISH_COMPLETE';
      job.completedAt = this.clock.now();
      job.reconcileNote = undefined;
      await this.save(job);
      this.emit({ type: 'job_published', at: this.clock.now(), jobId: job.id, account: job.account, postIds: job.postIds, timeToPublishMs: job.completedAt - job.submittedAt });
      this.log('info', `job ${job.id}: unknown-outcome post found on ${job.account} (post ${found.id})`, { jobId: job.id });
      return;
    }
    if (match.why !== job.reconcileNote) {
      job.reconcileNote = match.why;
      await this.save(job);
      this.log('info', `job ${job.id}: outcome still unknown: ${match.why}`, { jobId: job.id });
    }
    if (age > this.reconcileWindowMs) {
      await this.deadLetter(job, pipelineError('unknown_outcome', `No post could be confirmed on ${job.account} within ${Math.round(this.reconcileWindowMs / 3_600_000)} h of an init whose outcome was unknown (last check: ${match.why}).`, job.attempts, job.lastError));
    }
  }

  /** TikTok reports PUBLISH_COMPLETE before moderation makes the post public, so a job can be published
   * without its post id. Asks again for same-caption jobs on the account, so their videos count as held. */
  private async learnPostIdsOfTwins(job: Job): Promise<void> {
    const caption = (job.spec.title ?? '').trim();
    if (caption === '') return;
    for (const twin of [...this.jobs.values()]) {
      const unseen = (twin.state === 'published' || twin.state === 'delivered') && twin.postIds.length === 0 && twin.publishId !== undefined;
      if (twin.id === job.id || !unseen || twin.account !== job.account || (twin.spec.title ?? '').trim() !== caption) continue;
      const asked = twin.publishId!;
      const outcome = await this.statusOf(twin);
      if (outcome && outcome.postIds.length > 0) await this.applyStatus(twin, asked, outcome);
    }
  }

  /** Every post id a job holds, from the jobs themselves (loaded from the store) and what was claimed since. */
  private heldPostIds(): Set<string> {
    const held = new Set(this.claimedPostIds);
    for (const other of this.jobs.values()) for (const id of other.postIds) held.add(id);
    return held;
  }

  /** Looks for the post in the account's public video list: same caption, created after the intent,
   * held by no other job. Claims it only when exactly one video fits and no other job on the account
   * with that caption could own it; otherwise says why and leaves the job unknown (never a guess). */
  private async findInVideoList(job: Job): Promise<VideoListMatch> {
    const account = job.account ? this.accounts.get(job.account) : undefined;
    const poster = account ? this.poster(account) : undefined;
    const wantedTitle = (job.spec.title ?? '').trim();
    // Without a caption nothing ties a listed video to this job: leave it to a person (DLQ after the window).
    if (wantedTitle === '') return { why: 'the post has no caption, so no listed video can be tied to it' };
    if (!account || !poster?.listVideos) return { why: `the video list of ${job.account ?? 'its account'} cannot be read` };
    if (job.intentAt === undefined) return { why: 'no intent time was recorded for the init' };
    // TikTok's create_time is in seconds; allow a minute of clock difference.
    const notBeforeOf = (intentAt: number) => Math.floor(intentAt / 1000) - 60;
    const notBefore = notBeforeOf(job.intentAt);
    const held = this.heldPostIds();
    // Other jobs on this account with the same caption that may own a listed video we cannot tell from ours.
    const rivals = [...this.jobs.values()].filter(
      (other) =>
        other.id !== job.id &&
        other.account === job.account &&
        (other.spec.title ?? '').trim() === wantedTitle &&
        other.intentAt !== undefined &&
        other.postIds.length === 0 &&
        mayOwnUnseenPost[other.state](other),
    );

    const candidates: Array<{ id: string; createTime: number }> = [];
    let cursor: number | string | undefined;
    let complete = false;
    for (let page = 0; page < this.videoListPages; page++) {
      let reply: unknown;
      try {
        reply = await poster.listVideos({ cursor, maxCount: 20 });
      } catch (err) {
        this.log('debug', `video list for ${account.id} failed: ${safeMessage(err)}`);
        return { why: `the video list of ${account.id} could not be read (${safeMessage(err)})` };
      }
      const { videos, cursor: next, hasMore } = parseVideoList(reply);
      for (const v of videos) {
        if (v.createTime === undefined || v.createTime < notBefore || held.has(v.id) || (v.title ?? '').trim() !== wantedTitle) continue;
        if (!candidates.some((c) => c.id === v.id)) candidates.push({ id: v.id, createTime: v.createTime });
      }
      // The list is newest first: once past the intent time, older pages cannot hold the post.
      if (!hasMore || next === undefined || videos.some((v) => v.createTime !== undefined && v.createTime < notBefore)) {
        complete = true;
        break;
      }
      cursor = next;
    }

    if (candidates.length === 0) return { why: complete ? `no unclaimed public video on ${account.id} has its caption and was created after the init` : `no match in the first ${this.videoListPages} pages of ${account.id}'s video list` };
    if (!complete) return { why: `${account.id}'s video list since the init is longer than ${this.videoListPages} pages; a second video with this caption may be further down` };
    if (candidates.length > 1) return { why: `${candidates.length} unclaimed public videos on ${account.id} have its caption (${candidates.map((c) => c.id).join(', ')}); cannot tell which, if any, is this job's` };
    const [candidate] = candidates;
    const rival = rivals.find((other) => candidate!.createTime >= notBeforeOf(other.intentAt!));
    if (rival) return { why: `job ${rival.id} (${rival.state}) on ${account.id} has the same caption and may own video ${candidate!.id}; cannot tell which job posted it` };
    return { found: { id: candidate!.id } };
  }

  // ---------------------------------------------------------------- DLQ, accounts, alerts, events

  private async deadLetter(job: Job, error: ErrorDetails): Promise<void> {
    this.removeFrom(this.unassigned, job.id);
    if (job.account) this.shard(job.account).ready.remove(job.id);
    job.state = 'dead';
    job.lastError = error;
    job.completedAt = this.clock.now();
    await this.deadLetters.put({ jobId: job.id, account: job.account, spec: job.spec, error, at: this.clock.now(), attempts: job.attempts, publishId: job.publishId, label: job.spec.label });
    await this.save(job);
    this.emit({ type: 'job_dead_lettered', at: this.clock.now(), jobId: job.id, account: job.account, error });
    this.log('error', `job ${job.id}${job.account ? ` on ${job.account}` : ''} dead-lettered: ${error.code} (${error.disposition}): ${error.message}`, { jobId: job.id, code: error.code, logId: error.logId });
    this.checkSettled();
  }

  private async setAccountStatus(id: string, status: AccountRecord['status'], reason?: string): Promise<void> {
    const before = this.accounts.get(id);
    if (!before || (before.status === status && before.statusReason === reason)) return;
    await this.accounts.setStatus(id, status, reason);
    this.emit({ type: 'account_status', at: this.clock.now(), account: id, status, reason });
    this.log(status === 'active' ? 'info' : 'warn', `account ${id} is now ${status}${reason ? `: ${reason}` : ''}`);
  }

  private recordAlerts(account: string, result: AttemptResult, code: string | undefined): void {
    for (const alert of this.monitor.record(account, result, code, this.clock.now())) this.raise(alert);
  }

  private raise(alert: Alert): void {
    this.emit({ type: 'alert', at: this.clock.now(), alert });
    this.log('warn', `alert ${alert.kind}: ${alert.message}`, { ...alert });
    const { webhookUrl, transport } = this.options.alerts ?? {};
    if (webhookUrl && transport) {
      const body = JSON.stringify({ source: 'tokpipe', at: new Date(this.clock.now()).toISOString(), ...alert });
      this.spawn(async () => {
        try {
          const res = await transport({ method: 'POST', url: webhookUrl, headers: { 'content-type': 'application/json' }, body, timeoutMs: 10_000 });
          if (res.status >= 300) this.log('warn', `alert webhook answered HTTP ${res.status}`);
        } catch (err) {
          this.log('warn', `alert webhook failed: ${safeMessage(err)}`);
        }
      });
    }
  }

  private emitBreaker(account: string, state: BreakerState): void {
    this.emit({ type: 'breaker', at: this.clock.now(), account, state });
    this.log(state === 'open' ? 'warn' : 'info', `account ${account}: circuit ${state}`);
    if (state === 'open') this.wakeShardAt(this.shard(account), this.shard(account).breaker.openUntil());
  }

  private emit(event: PipelineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log('warn', `event listener failed: ${safeMessage(err)}`);
      }
    }
  }

  private spawn(work: () => Promise<void>): void {
    const task: Promise<void> = work()
      .catch((err: unknown) => this.log('error', `pipeline task failed: ${safeMessage(err)}`))
      .finally(() => {
        this.tasks.delete(task);
        this.checkSettled();
      });
    this.tasks.add(task);
  }

  private isSettled(): boolean {
    if (this.tasks.size > 0) return false;
    for (const job of this.jobs.values()) if (!terminalJobStates.has(job.state) && !parkedJobStates.has(job.state)) return false;
    return true;
  }

  private checkSettled(): void {
    if (this.settleWaiters.length === 0 || !this.isSettled()) return;
    for (const resolve of this.settleWaiters.splice(0)) resolve();
  }

  private removeFrom(list: string[], id: string): void {
    const i = list.indexOf(id);
    if (i >= 0) list.splice(i, 1);
  }

  // ---------------------------------------------------------------- input

  /** schemaChecked: this same spec object already passed the post schema (skips that part only). */
  private validate(spec: JobSpec, where: string, schemaChecked = false): void {
    if (!spec || typeof spec !== 'object') throw inputError(where, 'must be an object');
    if (spec.mode !== 'direct' && spec.mode !== 'draft') throw inputError(`${where}.mode`, `must be "direct" or "draft", got ${JSON.stringify(spec.mode)}`);
    if (spec.account !== undefined && !this.accounts.get(spec.account)) throw inputError(`${where}.account`, `no account named ${JSON.stringify(spec.account)} (add it first)`);
    if (spec.region !== undefined && (typeof spec.region !== 'string' || spec.region.trim() === '')) throw inputError(`${where}.region`, 'must be a non-empty string');
    if (spec.title !== undefined && typeof spec.title !== 'string') throw inputError(`${where}.title`, 'must be a string');
    const media = spec.media as JobSpec['media'] | undefined;
    const mediaTypes = ['video_url', 'video_file', 'photo_urls'];
    if (!media || typeof media !== 'object' || !mediaTypes.includes(media.type)) throw inputError(`${where}.media.type`, 'must be video_url, video_file or photo_urls');
    if (media.type === 'video_file') {
      if (typeof media.path !== 'string' || media.path === '') throw inputError(`${where}.media.path`, 'must be a file path');
      if (!this.options.openFile) throw inputError(`${where}.media`, 'video_file needs the pipeline option openFile (fileByteSource from @tokpipe/core/node)');
    }
    if (schemaChecked) return;
    // The poster's own schema (title length, privacy, URLs, photo count...), so a bad row fails at
    // submit, before any request. A file's bytes are checked when it is opened.
    const mediaForCheck: MediaSource =
      media.type === 'video_file' ? { type: 'video_url', url: 'https://media.invalid/placeholder.mp4' } : media.type === 'video_url' ? { type: 'video_url', url: media.url } : { type: 'photo_urls', urls: media.urls, coverIndex: media.coverIndex };
    try {
      validatePostRequest({ ...spec.options, mode: spec.mode, media: mediaForCheck, title: spec.title, description: spec.description, privacyLevel: spec.privacyLevel, publishAt: spec.publishAt });
    } catch (err) {
      if (!isTokpipeError(err)) throw err;
      const field = err.details.field ?? '';
      // The message ends with "[code] action"; inputError adds those again.
      const bare = err.details.message.replace(` [${err.details.code}] ${err.details.action}`, '');
      const problem = field && bare.startsWith(`${field}: `) ? bare.slice(field.length + 2) : bare;
      throw inputError(field ? `${where}.${field}` : where, problem);
    }
  }

  private async toPostRequest(job: Job): Promise<PostRequest> {
    const { spec } = job;
    const mediaByType: Record<JobSpec['media']['type'], () => Promise<MediaSource>> = {
      video_url: async () => ({ type: 'video_url', url: (spec.media as { url: string }).url }),
      video_file: async () => ({ type: 'video_file', file: await this.options.openFile!((spec.media as { path: string }).path) }),
      photo_urls: async () => {
        const m = spec.media as { urls: string[]; coverIndex?: number };
        return { type: 'photo_urls', urls: m.urls, coverIndex: m.coverIndex };
      },
    };
    return {
      ...spec.options,
      mode: spec.mode,
      media: await mediaByType[spec.media.type](),
      title: spec.title,
      description: spec.description,
      privacyLevel: spec.privacyLevel,
      publishAt: spec.publishAt,
      idempotencyKey: job.attemptKey,
    };
  }
}

/** A job's id: the user's idempotency key, or the content of the request (so re-submitting the same
 * campaign row after a crash is the same job, never a second post). */
export function jobIdFor(spec: JobSpec): string {
  const basis = spec.idempotencyKey
    ? `key:${spec.idempotencyKey}`
    : JSON.stringify([spec.account ?? null, spec.region ?? null, spec.mode, spec.media, spec.title ?? null, spec.description ?? null, spec.publishAt ?? null]);
  return `job_${createHash('sha256').update(basis).digest('hex').slice(0, 24)}`;
}

function safeMessage(err: unknown): string {
  return redact(err instanceof Error ? err.message : String(err));
}
