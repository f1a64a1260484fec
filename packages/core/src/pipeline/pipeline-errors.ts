// The pipeline's own classifications (not TikTok's), built like table rows, and the TikTok codes
// the pipeline treats as facts about the account rather than the post.
import type { ErrorDetails } from '../errors/types';

export type PipelineErrorCode =
  | 'unknown_outcome'
  | 'unconfirmed_expired'
  | 'no_eligible_account'
  | 'retries_exhausted'
  | 'account_needs_reauth'
  | 'account_unusable';

type Row = Pick<ErrorDetails, 'layer' | 'disposition' | 'category' | 'retryable' | 'action'>;

const rows = (cause: ErrorDetails | undefined): Record<PipelineErrorCode, Row> => ({
  unknown_outcome: {
    layer: cause?.layer ?? 'transport',
    disposition: 'unknown_outcome',
    category: 'needs_human',
    retryable: false,
    action:
      'Check the account in the TikTok app; replay with force only if the post is not there (replaying could post twice).',
  },
  unconfirmed_expired: {
    layer: 'async',
    disposition: 'needs_human',
    category: 'needs_human',
    retryable: false,
    action: 'TikTok never reported a final status within 72 h: check the post in the TikTok app.',
  },
  no_eligible_account: {
    layer: 'input',
    disposition: 'fix_input',
    category: 'not_retryable',
    retryable: false,
    action: 'Add an active account with the needed scope (and region), or name an account in the job.',
  },
  account_needs_reauth: {
    layer: cause?.layer ?? 'oauth',
    disposition: 'reauthorize',
    category: 'needs_human',
    retryable: false,
    action:
      'Reconnect the TikTok account (tokpipe auth login), reactivate it, then replay these jobs from the dead-letter queue.',
  },
  account_unusable: {
    layer: cause?.layer ?? 'application',
    disposition: 'needs_human',
    category: 'needs_human',
    retryable: false,
    action:
      'The account cannot post (see its status in `tokpipe accounts health`); fix it, reactivate it, then replay these jobs.',
  },
  retries_exhausted: {
    layer: cause?.layer ?? 'application',
    disposition: cause?.disposition ?? 'retry',
    category: 'retryable',
    retryable: true,
    action: 'Retries are used up; replay the job from the dead-letter queue when the cause is fixed.',
  },
});

export function pipelineError(
  code: PipelineErrorCode,
  message: string,
  attempts: number,
  cause?: ErrorDetails,
): ErrorDetails {
  return {
    ...rows(cause)[code],
    code,
    message,
    attempts,
    raw: cause?.raw,
    logId: cause?.logId,
    httpStatus: cause?.httpStatus,
    failReason: cause?.failReason,
  };
}

/** needs_human codes that are about the account, not the post: the router stops using the account. */
export const accountLevelCodes: ReadonlySet<string> = new Set([
  'spam_risk_user_banned_from_posting',
  'unaudited_client_can_only_post_to_private_accounts',
  'app_version_check_failed',
]);

/** Codes meaning "this account's cap for this mode is used up" (TikTok counted before we did). */
export const capCodeMode: Readonly<Record<string, 'direct' | 'draft'>> = {
  spam_risk_too_many_posts: 'direct',
  spam_risk_too_many_pending_share: 'draft',
};
