// How a post outcome becomes what the user sees: the `--json` object, a human line, and the exit code.
import { PROCESSING_STATUSES, SUCCESSFUL_FINAL_STATUSES, type ErrorDetails, type OutcomeStatus } from '@tokpipe/core';

export const EXIT = {
  ok: 0,
  other: 1,
  invalidInput: 2,
  permanent: 3,
  unconfirmed: 4,
  reauthorize: 5,
  /** Campaign rows waiting for a later daily-cap window (or their publish_at): nothing was sent for them yet. */
  deferred: 6,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The subset of core's PostOutcome the CLI reads (kept structural so it does not pin core's type). */
export interface OutcomeLike {
  publishId: string | null | undefined;
  status: string;
  postIds: string[];
  attempts: number;
  error: ErrorDetails | null;
}

export interface JsonError {
  category: string;
  code: string;
  failReason: string | null;
  retryable: boolean;
  action: string;
  logId: string | null;
  message: string;
}

export interface JsonResult {
  publishId: string | null;
  status: string;
  postIds: string[];
  attempts: number;
  error: JsonError | null;
}

export function jsonError(e: {
  category: string;
  code: string;
  retryable: boolean;
  action: string;
  message: string;
  failReason?: string;
  logId?: string;
}): JsonError {
  return {
    category: e.category,
    code: e.code,
    failReason: e.failReason ?? null,
    retryable: e.retryable,
    action: e.action,
    logId: e.logId ?? null,
    message: e.message,
  };
}

export function toJsonResult(outcome: OutcomeLike): JsonResult {
  return {
    publishId: outcome.publishId ?? null,
    status: outcome.status,
    postIds: outcome.postIds.map(String),
    attempts: outcome.attempts,
    error: outcome.error ? jsonError(outcome.error) : null,
  };
}

/** Dispositions that decide the exit code on their own; everything else splits on `retryable`. */
const EXIT_BY_DISPOSITION: Partial<Record<ErrorDetails['disposition'], ExitCode>> = {
  reauthorize: EXIT.reauthorize,
  retry_after_refresh: EXIT.reauthorize, // the one refresh the poster tries already failed
  unknown_outcome: EXIT.unconfirmed,
};
const EXIT_BY_LAYER: Partial<Record<ErrorDetails['layer'], ExitCode>> = {
  input: EXIT.invalidInput,
  structural: EXIT.invalidInput,
};

export function exitCodeForError(error: Pick<ErrorDetails, 'layer' | 'disposition' | 'retryable'>): ExitCode {
  return (
    EXIT_BY_LAYER[error.layer] ??
    EXIT_BY_DISPOSITION[error.disposition] ??
    (error.retryable ? EXIT.other : EXIT.permanent)
  );
}

/** Statuses that count as success without an error: published or in the inbox (draft), and, without
 * --wait, accepted or still processing. From core's statuses vocabulary. */
const SUCCESS_STATUSES: ReadonlySet<string> = new Set<string>([
  ...SUCCESSFUL_FINAL_STATUSES,
  ...PROCESSING_STATUSES,
  'ACCEPTED' satisfies OutcomeStatus,
]);

export function exitCodeForOutcome(outcome: OutcomeLike, waited: boolean): ExitCode {
  if (outcome.error) return exitCodeForError(outcome.error);
  if (outcome.status === 'UNCONFIRMED') return EXIT.unconfirmed;
  if (outcome.status === 'FAILED') return EXIT.permanent;
  // With --wait only a terminal success counts; PROCESSING_* then means we ran out of budget.
  if (waited && PROCESSING_STATUSES.has(outcome.status)) return EXIT.unconfirmed;
  return SUCCESS_STATUSES.has(outcome.status) ? EXIT.ok : EXIT.other;
}

export function describeOutcome(outcome: OutcomeLike): string {
  const lines = [`publish_id: ${outcome.publishId ?? '(none)'}`, `status:     ${outcome.status}`];
  if (outcome.postIds.length) lines.push(`post ids:   ${outcome.postIds.join(', ')}`);
  lines.push(`attempts:   ${outcome.attempts}`);
  if (outcome.error) {
    const e = outcome.error;
    lines.push(`error:      ${e.code}${e.failReason ? ` (${e.failReason})` : ''} [${e.category}] ${e.message}`);
    lines.push(`action:     ${e.action}`);
    if (e.logId) lines.push(`log_id:     ${e.logId}`);
  }
  return lines.join('\n') + '\n';
}
