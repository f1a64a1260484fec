// The retry runner: one operation, retried per decideRetry on the injected clock, within the
// attempts and time budget of the policy. The final error carries the attempt count.
import type { Clock, Random } from '../ports';
import { decideRetry, errorDetails, type RetryDecision } from './decide';
import { cryptoRandom, resolveRetryPolicy, type RetryPolicy } from './policy';

export interface RetryInfo {
  attempt: number;
  delayMs: number;
  error: unknown;
}

export interface RetryOptions {
  clock: Clock;
  random?: Random;
  policy?: Partial<RetryPolicy>;
  /** Absolute deadline (clock ms) on top of the policy's budget, e.g. the caller's overall budget. */
  deadline?: number;
  /** Override the decision for some errors (return undefined to use the default). */
  decide?: (error: unknown, attempt: number) => RetryDecision | undefined;
  onRetry?: (info: RetryInfo) => void;
}

export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = resolveRetryPolicy(options.policy);
  const random = options.random ?? cryptoRandom;
  const { clock } = options;
  const deadline = Math.min(clock.now() + policy.budgetMs, options.deadline ?? Number.POSITIVE_INFINITY);

  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const decision = options.decide?.(error, attempt) ?? decideRetry(error, attempt, policy, random);
      const outOfTime = decision.retry && clock.now() + decision.delayMs > deadline;
      const outOfAttempts = attempt >= policy.maxAttempts; // custom decisions are bounded too
      if (!decision.retry || outOfTime || outOfAttempts) {
        const details = errorDetails(error);
        if (details) details.attempts = attempt;
        throw error;
      }
      options.onRetry?.({ attempt, delayMs: decision.delayMs, error });
      await clock.sleep(decision.delayMs);
    }
  }
}
