// Waiting for TikTok's final answer on a post: polls on the schedule within the deadline; no final
// answer in time is UNCONFIRMED (the post may still go through), never FAILED.
import { outcomeDetails, toTokpipeError } from '../errors/classify';
import type { ErrorDetails } from '../errors/types';
import { pollUntilTerminal, terminalStatuses, unreadableStatusDetails } from '../polling';
import type { StatusResult } from '../client/types';
import type { PostStatus } from '../types';
import { failureDetails, fetchStatus, type PosterContext } from './context';

export interface PolledStatus {
  status: PostStatus;
  postIds: string[];
  error: ErrorDetails | null;
}

/** `wantPostIds`: a public post is PUBLISH_COMPLETE before moderation fills its post id; keep
 * polling (within the same budget) for the id users link to, but never call it unconfirmed. */
export async function pollForFinalStatus(
  ctx: PosterContext,
  publishId: string,
  deadline: number,
  opts: { budgetMs?: number; wantPostIds?: boolean } = {},
): Promise<PolledStatus> {
  const { budgetMs, wantPostIds = false } = opts;
  try {
    const result = await pollUntilTerminal<StatusResult>({
      clock: ctx.clock,
      isTerminal: (r) =>
        terminalStatuses.has(r.status) && !(wantPostIds && r.status === 'PUBLISH_COMPLETE' && r.postIds.length === 0),
      schedule: budgetMs !== undefined ? { ...ctx.options.polling, budgetMs } : ctx.options.polling,
      deadline,
      fetch: () => fetchStatus(ctx, publishId, deadline),
    });
    if (result.terminal)
      return {
        status: result.result.status,
        postIds: result.result.postIds,
        error: failureDetails(result.result, publishId),
      };
    if (result.last?.status === 'PUBLISH_COMPLETE') return { status: 'PUBLISH_COMPLETE', postIds: [], error: null };
    const unreadable =
      result.lastError !== undefined ? unreadableStatusDetails(result.lastError, publishId, result.polls) : undefined;
    if (unreadable) return { status: 'UNCONFIRMED', postIds: result.last?.postIds ?? [], error: unreadable };
    const last = result.last?.status ?? 'no answer';
    return {
      status: 'UNCONFIRMED',
      postIds: result.last?.postIds ?? [],
      error: outcomeDetails(
        'unconfirmed',
        `Post ${publishId} had no final status within the polling budget (last seen: ${last}).`,
        1,
      ),
    };
  } catch (error) {
    // Polling itself failed for good (e.g. re-authorization needed): the post may still go through.
    return { status: 'UNCONFIRMED', postIds: [], error: toTokpipeError(error, { endpoint: 'status_fetch' }).details };
  }
}
