// Core decides what a failure means (its disposition); this file only says which Zapier error carries
// that decision, so Zapier's platform does the right thing: reschedule, refresh, hold, or stop.
import { isTokpipeError, tiktokRateLimits, type Disposition, type ErrorDetails } from '@tokpipe/core';
import type { ZObject } from 'zapier-platform-core';

/** When nothing says how long to wait: one of TikTok's rate windows. */
const DEFAULT_DELAY_SECONDS = tiktokRateLimits.video_init!.windowMs / 1000;

/** Everything the user needs, in one line: what happened, what to do ([code, HTTP] action), log_id. */
export function userMessage(details: ErrorDetails): string {
  return details.logId ? `${details.message} (TikTok log_id ${details.logId})` : details.message;
}

const delaySeconds = (details: ErrorDetails): number =>
  details.retryAfterMs !== undefined && details.retryAfterMs > 0
    ? Math.ceil(details.retryAfterMs / 1000)
    : DEFAULT_DELAY_SECONDS;

const appError = (z: ZObject, d: ErrorDetails) => new z.errors.Error(userMessage(d), d.code, d.httpStatus);

/** The Zapier error for each disposition, and why. */
const ZAPIER_ERROR_BY_DISPOSITION: Readonly<Record<Disposition, (z: ZObject, d: ErrorDetails) => Error>> = {
  // Transient, and still failing after core's in-perform retries: Zapier runs the step again later.
  // Safe for creates: core says "retry" only when a re-run cannot post twice (nothing was created,
  // or the re-run resumes the same upload through the ledger).
  retry: (z, d) => new z.errors.ThrottledError(userMessage(d), delaySeconds(d)),
  // Zapier runs refreshAccessToken, stores the rotated tokens and runs the step again.
  retry_after_refresh: (z, d) => new z.errors.RefreshAuthError(userMessage(d)),
  // A rate window: rescheduled after it. A daily cap (not retryable soon) halts instead of looping.
  wait_for_quota: (z, d) =>
    d.retryable
      ? new z.errors.ThrottledError(userMessage(d), delaySeconds(d))
      : new z.errors.HaltedError(userMessage(d)),
  // This account cannot post right now (daily cap, pending drafts): stop this run, keep the Zap on.
  route_to_another_account: (z, d) => new z.errors.HaltedError(userMessage(d)),
  fix_input: appError,
  needs_human: appError,
  // The connection must be reconnected: Zapier marks it expired, emails the user, holds the runs.
  reauthorize: (z, d) => new z.errors.ExpiredAuthError(userMessage(d)),
  // TikTok may have created the post: never replayed automatically (Halted runs are not autoreplayed).
  unknown_outcome: (z, d) => new z.errors.HaltedError(userMessage(d)),
};

export function zapierErrorFor(z: ZObject, details: ErrorDetails): Error {
  return ZAPIER_ERROR_BY_DISPOSITION[details.disposition](z, details);
}

/** Runs core work and turns a classified failure into its Zapier error. Anything else is a bug and
 * propagates as is. */
export async function translated<T>(z: ZObject, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isTokpipeError(error)) throw zapierErrorFor(z, error.details);
    throw error;
  }
}
