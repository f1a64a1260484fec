// What a worker does with a poster's outcome: a table from outcome to next job state (pure).
import type { PostOutcome } from '@tokpipe/core';
import type { JobState } from './jobs';

export type Next =
  | { state: 'published' }
  | { state: 'unconfirmed' | 'unknown'; reconcile: string }
  | { state: 'retry' } //  pg-boss retries the job later (a refused init: nothing was created)
  | { state: 'dead'; code: string; message: string };

const FINAL_OK: ReadonlySet<string> = new Set(['PUBLISH_COMPLETE', 'SEND_TO_USER_INBOX']);

export function nextState(outcome: PostOutcome): Next {
  if (FINAL_OK.has(outcome.status)) return { state: 'published' };
  const error = outcome.error;
  if (outcome.status === 'UNCONFIRMED' || outcome.status === 'ACCEPTED' || outcome.status === 'PROCESSING_DOWNLOAD' || outcome.status === 'PROCESSING_UPLOAD') {
    // A publish_id without a final answer yet, or an init that may have reached TikTok: never re-inited.
    if (outcome.publishId) return { state: 'unconfirmed', reconcile: error?.code ?? 'no final status yet' };
    return { state: 'unknown', reconcile: error?.code ?? 'init outcome unknown' };
  }
  if (error && error.retryable && error.disposition !== 'unknown_outcome') return { state: 'retry' };
  return { state: 'dead', code: error?.code ?? 'failed', message: error?.message ?? 'the post failed' };
}

export const RETRYABLE_FROM: readonly JobState[] = ['queued', 'retry', 'posting'];
