// What Pipeline.open takes, and the numbers it runs on once defaults are applied and checked.
import type { ErrorDetails } from '../errors/types';
import type { LedgerEntry } from '../idempotency/ledger';
import type { RateLimiter } from '../limiter';
import { DEFAULT_MAX_POST_ATTEMPTS } from '../catalog/tiktok';
import { resolvePollSchedule, type PollSchedule } from '../polling';
import { defaultRetryPolicy } from '../retry/policy';
import type { Clock, KeyValueStore, Logger, Random, Transport } from '../ports';
import type { ByteSource } from '../types';
import type { TokenStore } from '../tokens/types';
import { defaultAlertOptions, type AlertOptions } from './alerts';
import { defaultBreakerOptions, type BreakerOptions } from './breaker';
import type { DeadLetterStore } from './dlq';
import type { JobStore } from './job-store';
import type { AccountCaps, AccountRecord, PipelinePoster } from './types';

/** The part of core's Ledger the pipeline uses. The writes are optional: with them, a post settled by
 * reconciliation or by hand is settled in the ledger too (a repeat of the same post then answers it). */
export interface PipelineLedger {
  get(key: string): Promise<LedgerEntry | undefined>;
  /** The entry holding a publish_id: a publish_id some other post of this store got is not an unknown job's. */
  findByPublishId?(publishId: string): Promise<LedgerEntry | undefined>;
  recordStatus?(
    key: string,
    status: 'PUBLISH_COMPLETE',
    postIds: string[],
    error: null,
    final: boolean,
  ): Promise<unknown>;
  recordRejected?(key: string, error: ErrorDetails): Promise<unknown>;
}

/** What the pipeline hands to posterFor for one account. */
export interface PosterContext {
  /** The account's token storage in the pipeline's store (for a TokenManager). */
  tokens: TokenStore;
  /** Pass it to createPoster({ limiter }): its waits are counted in the report as rate-limit waits. */
  limiter: RateLimiter;
}

export interface PipelineOptions {
  store: KeyValueStore;
  clock: Clock;
  /** One poster per account (core's createPoster with a TokenManager over `tokens`, the account's
   * token storage in this store). Called once per account, when the account first posts. */
  posterFor: (account: AccountRecord, context: PosterContext) => PipelinePoster;
  /** Where jobs live (default: under `tokpipe/pipeline/job/` in `store`). A SQL table can replace it. */
  jobStore?: JobStore;
  /** Where dead letters live (default: under `tokpipe/pipeline/dlq/` in `store`). */
  deadLetterStore?: DeadLetterStore;
  random?: Random;
  logger?: Logger;
  /** Opens `video_file` media (Node: fileByteSource from @tokpipe/core/node). */
  openFile?: (path: string) => ByteSource | Promise<ByteSource>;
  /** The poster's idempotency ledger, when it shares this store (new Ledger(store, clock)): lets a
   * restart tell "init never sent" (post it) from "init may have happened" (reconcile). Without it,
   * every interrupted init is treated as an unknown outcome. */
  ledger?: PipelineLedger;
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
  /** How often a job another process owns (shared job store) is read until it settles. Default 5 s. */
  follow?: { everyMs?: number };
}

/** The options with every default applied. */
export interface PipelineSettings {
  breaker: BreakerOptions;
  alerts: AlertOptions;
  poll: PollSchedule;
  maxRetries: number;
  maxPostAttempts: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  rateLimitWindowMs: number;
  reconcileEveryMs: number;
  reconcileWindowMs: number;
  videoListPages: number;
  routerParkMs: number;
  followEveryMs: number;
}

/** Applies the defaults; a number out of range is a RangeError naming the option. */
export function resolveSettings(options: PipelineOptions): PipelineSettings {
  const settings: PipelineSettings = {
    breaker: { ...defaultBreakerOptions, ...options.breaker },
    alerts: { ...defaultAlertOptions, ...options.alerts },
    poll: resolvePollSchedule(options.polling),
    maxRetries: options.maxRetries ?? 3,
    maxPostAttempts: options.maxPostAttempts ?? DEFAULT_MAX_POST_ATTEMPTS,
    retryBaseDelayMs: options.retryBaseDelayMs ?? defaultRetryPolicy.baseDelayMs,
    retryMaxDelayMs: options.retryMaxDelayMs ?? defaultRetryPolicy.maxDelayMs,
    rateLimitWindowMs: options.rateLimitWindowMs ?? defaultRetryPolicy.rateLimitWindowMs,
    reconcileEveryMs: options.reconcile?.everyMs ?? 15 * 60_000,
    reconcileWindowMs: options.reconcile?.windowMs ?? 72 * 60 * 60_000,
    videoListPages: options.reconcile?.videoListPages ?? 5,
    routerParkMs: options.routerParkMs ?? 10 * 60_000,
    followEveryMs: options.follow?.everyMs ?? 5_000,
  };
  const positive: Array<[string, number]> = [
    ['reconcile.everyMs', settings.reconcileEveryMs],
    ['reconcile.windowMs', settings.reconcileWindowMs],
    ['reconcile.videoListPages', settings.videoListPages],
    ['maxPostAttempts', settings.maxPostAttempts],
    ['breaker.failureThreshold', settings.breaker.failureThreshold],
    ['breaker.cooldownMs', settings.breaker.cooldownMs],
    ['alerts.windowMs', settings.alerts.windowMs],
    ['follow.everyMs', settings.followEveryMs],
  ];
  const nonNegative: Array<[string, number]> = [
    ['maxRetries', settings.maxRetries],
    ['retryBaseDelayMs', settings.retryBaseDelayMs],
    ['retryMaxDelayMs', settings.retryMaxDelayMs],
    ['rateLimitWindowMs', settings.rateLimitWindowMs],
    ['routerParkMs', settings.routerParkMs],
  ];
  for (const [name, value] of positive) {
    if (!(value > 0) || !Number.isFinite(value)) {
      throw new RangeError(`pipeline option ${name} must be a positive number, got ${value}`);
    }
  }
  for (const [name, value] of nonNegative) {
    if (!(value >= 0) || !Number.isFinite(value)) {
      throw new RangeError(`pipeline option ${name} must be a non-negative number, got ${value}`);
    }
  }
  return settings;
}
