// Core decides what a failure means and what a platform should do about it; this file only says which
// Zapier error carries that decision, so Zapier's platform does the right thing: reschedule, refresh, hold, or stop.
import {
  failureLine,
  isTokpipeError,
  platformReaction,
  retryAfterSeconds,
  type ErrorDetails,
  type PlatformReaction,
} from '@tokpipe/core';
import type { ZObject } from 'zapier-platform-core';

/** Which Zapier error carries each of core's platform reactions, and why. */
const ZAPIER_ERROR: Readonly<Record<PlatformReaction, (z: ZObject, d: ErrorDetails) => Error>> = {
  // Transient, and still failing after core's in-perform retries: Zapier runs the step again later.
  // Safe for creates: core says so only when a re-run cannot post twice.
  retry_later: (z, d) => new z.errors.ThrottledError(failureLine(d), retryAfterSeconds(d)),
  // Zapier runs refreshAccessToken, stores the rotated tokens and runs the step again.
  refresh_then_retry: (z, d) => new z.errors.RefreshAuthError(failureLine(d)),
  // Zapier marks the connection expired, emails the user, holds the runs.
  reconnect: (z, d) => new z.errors.ExpiredAuthError(failureLine(d)),
  // A daily cap, or a post that may exist: stop this run, keep the Zap on (Halted runs are not autoreplayed).
  stop: (z, d) => new z.errors.HaltedError(failureLine(d)),
  fix_input: (z, d) => new z.errors.Error(failureLine(d), d.code, d.httpStatus),
  needs_human: (z, d) => new z.errors.Error(failureLine(d), d.code, d.httpStatus),
};

export function zapierErrorFor(z: ZObject, details: ErrorDetails): Error {
  return ZAPIER_ERROR[platformReaction(details)](z, details);
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
