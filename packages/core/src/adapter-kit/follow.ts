// Following a post an adapter did not wait for: what its status is now, and whether TikTok still
// knows it at all.
import { PUBLISH_ID_NOT_FOUND_CODES } from '../catalog/adapter-vocabulary';
import { isFinalStatus } from '../catalog/statuses';
import { isTokpipeError } from '../errors/classify';
import type { PostOutcome, TikTokPoster } from '../poster';

/** TikTok has no post with that publish_id for this account: a search finds nothing, a watcher stops. */
export function isUnknownPublishId(error: unknown): boolean {
  return isTokpipeError(error) && PUBLISH_ID_NOT_FOUND_CODES.has(error.code);
}

/** The post's status now; with `waitMs` (asked after the first read), polled on core's schedule until
 * final for at most that long.
 * Still processing when the time is up: the last status read (not a failure: follow it later).
 * undefined: TikTok does not know the publish_id. */
export async function currentStatus(
  poster: TikTokPoster,
  publishId: string,
  waitMs?: () => number,
): Promise<PostOutcome | undefined> {
  let outcome: PostOutcome;
  try {
    outcome = await poster.status(publishId);
  } catch (error) {
    if (isUnknownPublishId(error)) return undefined;
    throw error;
  }
  if (waitMs === undefined || isFinalStatus(outcome.status)) return outcome;
  const waited = await poster.waitForCompletion(publishId, { budgetMs: waitMs() });
  return waited.error?.code === 'unconfirmed' ? outcome : waited;
}
