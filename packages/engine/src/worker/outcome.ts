// What a worker does with a poster's outcome (pure): the job's next state, and what it says about
// the account (breaker). Tables over core's classification, as the pipeline does.
import type { Disposition, PostOutcome } from '@tokpipe/core';
import { DAY_MS, REAUTH_RECHECK_MS, type AccountEvent } from './account-guard';
import type { JobState } from './jobs';

export type Next =
  | { state: 'published' }
  | { state: 'unconfirmed' | 'unknown'; reconcile: string }
  | { state: 'retry' } //   pg-boss retries the job later (a refused init: nothing was created)
  | { state: 'deferred'; forMs: number; reason: string } // queued again later: TikTok's cap, or an account to reconnect
  | { state: 'dead'; code: string; message: string };

const FINAL_OK: ReadonlySet<string> = new Set(['PUBLISH_COMPLETE', 'SEND_TO_USER_INBOX']);
const IN_PROGRESS: ReadonlySet<string> = new Set([
  'UNCONFIRMED',
  'ACCEPTED',
  'PROCESSING_DOWNLOAD',
  'PROCESSING_UPLOAD',
]);

/** Failures that say the account (or TikTok for it) struggles count toward its breaker. */
const eventByDisposition: Readonly<Record<Disposition, AccountEvent>> = {
  retry: 'failure',
  retry_after_refresh: 'failure',
  wait_for_quota: 'failure',
  unknown_outcome: 'failure',
  route_to_another_account: 'capped',
  reauthorize: 'neutral',
  fix_input: 'neutral',
  needs_human: 'neutral',
};

export function nextState(outcome: PostOutcome): Next {
  if (FINAL_OK.has(outcome.status)) return { state: 'published' };
  const error = outcome.error;
  if (IN_PROGRESS.has(outcome.status)) {
    // A publish_id without a final answer yet, or an init that may have reached TikTok: never re-inited.
    if (outcome.publishId) return { state: 'unconfirmed', reconcile: error?.code ?? 'no final status yet' };
    return { state: 'unknown', reconcile: error?.code ?? 'init outcome unknown' };
  }
  if (error?.disposition === 'route_to_another_account')
    return { state: 'deferred', forMs: DAY_MS, reason: error.code };
  // The account's authorization is gone: its jobs wait (nothing lost) until `tokpipe accounts add` reconnects it.
  if (error?.disposition === 'reauthorize') return { state: 'deferred', forMs: REAUTH_RECHECK_MS, reason: error.code };
  if (error && error.retryable && error.disposition !== 'unknown_outcome') return { state: 'retry' };
  return { state: 'dead', code: error?.code ?? 'failed', message: error?.message ?? 'the post failed' };
}

export function accountEvent(outcome: PostOutcome): AccountEvent {
  if (FINAL_OK.has(outcome.status) || (outcome.publishId && !outcome.error)) return 'success';
  return outcome.error ? eventByDisposition[outcome.error.disposition] : 'neutral';
}

export const RETRYABLE_FROM: readonly JobState[] = ['queued', 'retry', 'posting'];
