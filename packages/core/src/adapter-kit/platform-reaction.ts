// What a workflow platform should do with a failure core classified, as data: each adapter maps these
// few reactions to its own error classes (Zapier's ThrottledError, Make's RateLimitError, ...) in a
// few lines, so no adapter re-decides what a disposition means.
import type { Disposition, ErrorClassification, ErrorDetails } from '../errors/types';
import { tiktokRateLimits } from '../limiter';

export type PlatformReaction =
  /** Run the step again later (after `retryAfterSeconds`): a re-run cannot post twice. */
  | 'retry_later'
  /** Refresh the access token, then run again. */
  | 'refresh_then_retry'
  /** The user must connect the account again: hold the runs. */
  | 'reconnect'
  /** Stop this run and do not re-run it on its own (a daily cap, or a post that may exist already). */
  | 'stop'
  /** The step's input is wrong: a re-run with the same input fails the same way. */
  | 'fix_input'
  /** A person must look (a ban, the app's audit, content policy). */
  | 'needs_human';

const BY_DISPOSITION: Readonly<Record<Disposition, PlatformReaction>> = {
  retry: 'retry_later',
  retry_after_refresh: 'refresh_then_retry',
  // A rate window passes; a daily cap (not retryable soon) does not: see platformReaction.
  wait_for_quota: 'retry_later',
  route_to_another_account: 'stop',
  fix_input: 'fix_input',
  needs_human: 'needs_human',
  reauthorize: 'reconnect',
  // TikTok may have created the post: never re-run automatically.
  unknown_outcome: 'stop',
};

export function platformReaction(failure: Pick<ErrorClassification, 'disposition' | 'retryable'>): PlatformReaction {
  const reaction = BY_DISPOSITION[failure.disposition];
  return reaction === 'retry_later' && !failure.retryable ? 'stop' : reaction;
}

/** Codes only fixed in the app's, connection's or account's configuration (scopes, verified URL
 * prefixes, the app's audit, the client key): a platform that can pause a workflow until then should. */
export const CONFIGURATION_CODES: ReadonlySet<string> = new Set([
  'scope_not_authorized',
  'scope_permission_missed',
  'url_ownership_unverified',
  'unaudited_client_can_only_post_to_private_accounts',
  'invalid_client',
  'invalid_scope',
  'unauthorized_client',
]);

/** When nothing says how long to wait: one of TikTok's rate windows. */
const DEFAULT_RETRY_AFTER_SECONDS = tiktokRateLimits.video_init!.windowMs / 1000;

/** How long to wait before running again: the server's or the rate window's word, else one window. */
export function retryAfterSeconds(details: Pick<ErrorDetails, 'retryAfterMs'>): number {
  const ms = details.retryAfterMs;
  return ms !== undefined && ms > 0 ? Math.ceil(ms / 1000) : DEFAULT_RETRY_AFTER_SECONDS;
}

/** Everything the user needs in one line: what happened, what to do, and TikTok's log_id to quote. */
export function failureLine(details: Pick<ErrorDetails, 'message' | 'logId'>): string {
  return details.logId ? `${details.message} (TikTok log_id ${details.logId})` : details.message;
}

/** The classification under the message, one fact group a line, for a platform's error details pane
 * (a workflow routes on these fields: the words match the record's keys). */
export function failureSummary(details: ErrorDetails): string {
  return [
    details.problem && details.problem !== details.message ? `problem: ${details.problem}` : '',
    details.action,
    `layer: ${details.layer} · code: ${details.code}${details.failReason ? ` · fail_reason: ${details.failReason}` : ''}`,
    `disposition: ${details.disposition} · category: ${details.category} · attempts: ${details.attempts}`,
    details.logId ? `log_id: ${details.logId}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}
