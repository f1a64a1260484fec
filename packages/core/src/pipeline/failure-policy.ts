// Decide, never do: what the pipeline does with a failure, as tables over the classification's
// disposition. failures.ts carries the answer out.
import type { Disposition, ErrorDetails } from '../errors/types';
import { accountLevelCodes } from './pipeline-errors';

/** What the pipeline does with a job whose init failed. */
export type FailureResponse =
  | 'retry_later' //            transient: the retry queue, with backoff
  | 'wait_out_rate_limit' //    throttled: the retry queue, after the rate-limit window
  | 'take_off_account' //       this account cannot take it (cap, ban): router elsewhere, or wait, or DLQ
  | 'reauthorize_account' //    the account's authorization is gone (or lacks the mode's scope)
  | 'dead_letter' //            the post itself is wrong: a person must fix it
  | 'leave_to_reconciliation'; // the init may have created a post: never re-posted automatically

const responseByDisposition: Readonly<Record<Disposition, FailureResponse>> = {
  retry: 'retry_later',
  retry_after_refresh: 'retry_later',
  wait_for_quota: 'wait_out_rate_limit',
  route_to_another_account: 'take_off_account',
  reauthorize: 'reauthorize_account',
  fix_input: 'dead_letter',
  needs_human: 'dead_letter',
  unknown_outcome: 'leave_to_reconciliation',
};

/** Failures that say the account (or TikTok for it) is struggling: they count toward its breaker. */
export const countsAgainstBreaker: Readonly<Record<FailureResponse, boolean>> = {
  retry_later: true,
  wait_out_rate_limit: true,
  leave_to_reconciliation: true,
  take_off_account: false,
  reauthorize_account: false,
  dead_letter: false,
};

/** A failed init (the poster's error): what to do with the job. */
export function responseToFailedInit(error: ErrorDetails): FailureResponse {
  return accountLevelCodes.has(error.code) ? 'take_off_account' : responseByDisposition[error.disposition];
}

/** What to do with a job whose publish FAILED after init (nothing is public). */
export type FailedPublishResponse = 'repost' | 'take_off_account' | 'reauthorize_account' | 'dead_letter';

export function responseToFailedPublish(error: ErrorDetails): FailedPublishResponse {
  const response = responseByDisposition[error.disposition];
  if ((response === 'retry_later' || response === 'wait_out_rate_limit') && error.retryable) return 'repost';
  if (response === 'take_off_account' || response === 'reauthorize_account') return response;
  return 'dead_letter';
}
