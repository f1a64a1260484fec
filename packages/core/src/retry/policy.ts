// Backoff policy: full-jitter exponential (AWS "Exponential Backoff and Jitter"), bounded by a number
// of attempts and a time budget. Defaults are TikTok-friendly: base 1 s, cap 64 s.
import { randomBytes } from 'node:crypto';
import type { Random } from '../ports';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Total time allowed from the first attempt; a wait that would end past it is not started. */
  budgetMs: number;
  /** How long a rate-limit window lasts when the server does not say (TikTok: per minute). */
  rateLimitWindowMs: number;
  /** Longest server-requested wait (Retry-After) we accept before giving up instead. */
  maxServerWaitMs: number;
}

export const defaultRetryPolicy: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 64_000,
  budgetMs: 5 * 60_000,
  rateLimitWindowMs: 60_000,
  maxServerWaitMs: 5 * 60_000,
});

export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...defaultRetryPolicy, ...stripUndefined(overrides) };
  for (const [name, value] of Object.entries(policy)) {
    if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
      throw new RangeError(`retry.${name} must be a non-negative number, got ${String(value)}`);
    }
  }
  if (policy.maxAttempts < 1) throw new RangeError(`retry.maxAttempts must be at least 1, got ${policy.maxAttempts}`);
  return policy;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Uniform in [0, 1) from node:crypto (used when no Random is injected). */
export const cryptoRandom: Random = () => randomBytes(4).readUInt32BE(0) / 0x1_0000_0000;

/** Full jitter: uniform in [0, min(cap, base * 2^(retry-1))]. `retry` counts from 1. */
export function backoffDelay(
  retry: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: Random = cryptoRandom,
): number {
  const exponent = Math.max(0, retry - 1);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(exponent, 30));
  return Math.floor(random() * ceiling);
}
