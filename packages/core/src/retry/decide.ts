// Whether and how long to wait before trying again, from the classification core-client attached
// to the error (TokpipeError.details). The decision itself is a table over dispositions.
import type { Disposition, ErrorDetails } from '../errors/types';
import type { Random } from '../ports';
import { backoffDelay, type RetryPolicy } from './policy';

/** How each disposition is retried by the generic runner. Everything else is someone else's job:
 * a token refresh (the poster), another account (the pipeline), a person, or reconciliation. */
export const retryStrategyByDisposition: Readonly<Record<Disposition, 'backoff' | 'window' | 'never'>> = Object.freeze({
  retry: 'backoff',
  wait_for_quota: 'window',
  retry_after_refresh: 'never',
  route_to_another_account: 'never',
  fix_input: 'never',
  needs_human: 'never',
  reauthorize: 'never',
  unknown_outcome: 'never', // may have happened: repeating could post twice
});

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string };

/** The classification attached to an error, if any (TokpipeError or anything shaped like it). */
export function errorDetails(error: unknown): ErrorDetails | undefined {
  const details = (error as { details?: unknown } | null)?.details;
  return details && typeof details === 'object' && 'disposition' in details ? (details as ErrorDetails) : undefined;
}

/** `attempt` is the attempt that just failed (1 = the first). */
export function decideRetry(error: unknown, attempt: number, policy: RetryPolicy, random: Random): RetryDecision {
  const details = errorDetails(error);
  if (!details) return { retry: false, reason: 'unclassified error' };
  if (!details.retryable) return { retry: false, reason: `${details.code} is not retryable` };
  if (attempt >= policy.maxAttempts) return { retry: false, reason: `gave up after ${attempt} attempts` };
  const strategy = retryStrategyByDisposition[details.disposition] ?? 'never';
  if (strategy === 'never')
    return { retry: false, reason: `${details.code}: ${details.disposition} is not retried here` };

  const serverWait = details.retryAfterMs;
  if (serverWait !== undefined && serverWait > policy.maxServerWaitMs) {
    return { retry: false, reason: `server asks to wait ${serverWait} ms, more than ${policy.maxServerWaitMs} ms` };
  }
  const backoff = backoffDelay(attempt, policy, random);
  if (strategy === 'window') {
    // No header: the per-minute window must pass; a little jitter keeps parallel callers apart.
    const base = serverWait ?? policy.rateLimitWindowMs;
    return { retry: true, delayMs: base + Math.floor(random() * policy.baseDelayMs) };
  }
  return { retry: true, delayMs: serverWait !== undefined ? Math.max(serverWait, backoff) : backoff };
}
