// The status words of a post: TikTok's own, and the two tokpipe adds. A leaf (types only).
import type { PostStatus } from '../types';

/** Every status TikTok's status/fetch can answer. */
export const PUBLISH_STATUSES = [
  'PROCESSING_UPLOAD',
  'PROCESSING_DOWNLOAD',
  'SEND_TO_USER_INBOX',
  'PUBLISH_COMPLETE',
  'FAILED',
] as const;
export type PublishStatus = (typeof PUBLISH_STATUSES)[number];

/** Every status a post outcome can carry: TikTok's, ACCEPTED (init done, not waited for) and
 * UNCONFIRMED (no final answer in time: check later, never assume it failed). */
export const OUTCOME_STATUSES = [...PUBLISH_STATUSES, 'ACCEPTED', 'UNCONFIRMED'] as const;
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];

/** Final statuses that are a success: published, or a draft delivered to the creator's inbox. */
export const SUCCESSFUL_FINAL_STATUSES: ReadonlySet<string> = new Set<PostStatus>([
  'PUBLISH_COMPLETE',
  'SEND_TO_USER_INBOX',
]);

/** Statuses after which nothing changes without a person: a draft in the inbox waits on the creator. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set<string>([
  ...SUCCESSFUL_FINAL_STATUSES,
  'FAILED' satisfies PostStatus,
]);

/** TikTok is still working on the post. */
export const PROCESSING_STATUSES: ReadonlySet<string> = new Set<PostStatus>([
  'PROCESSING_UPLOAD',
  'PROCESSING_DOWNLOAD',
]);

export function isFinalStatus(status: string | undefined): boolean {
  return status !== undefined && FINAL_STATUSES.has(status);
}
