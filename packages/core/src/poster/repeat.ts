// A post whose idempotency key the ledger already holds: report the existing post, never post again.
// A FILE_UPLOAD whose chunks were interrupted (crash, kill) is resumed from the bytes TikTok holds.
import { FINAL_STATUSES } from '../catalog/statuses';
import type { InitCall } from '../client/bodies';
import { outcomeDetails } from '../errors/classify';
import type { LedgerEntry } from '../idempotency';
import type { PostOutcome } from '../poster';
import type { PostRequest } from '../types';
import { keysInFlightFor, makeOutcome, type PosterContext } from './context';
import { pollForFinalStatus } from './status-poll';
import { resumeUpload, staysResumable } from './upload-step';

export async function answerRepeat(
  ctx: PosterContext,
  entry: LedgerEntry,
  wait: boolean,
  deadline: number,
  request: PostRequest,
  init: InitCall,
): Promise<PostOutcome> {
  const plan = init.endpoint !== 'content_init' ? init.plan : undefined;
  if (
    entry.publishId &&
    entry.state === 'initiated' &&
    entry.pendingUploadUrl &&
    request.media.type === 'video_file' &&
    plan
  ) {
    if (keysInFlightFor(ctx).has(entry.key)) {
      const error = outcomeDetails(
        'unconfirmed',
        `Another call with this idempotency key is still uploading post ${entry.publishId}.`,
        entry.attempts,
      );
      return makeOutcome(entry.key, entry.publishId, 'UNCONFIRMED', [], entry.attempts, error, true);
    }
    const resumed = await resumeUpload(ctx, entry, request.media.file, plan, deadline);
    // TikTok could not be asked: nothing learned, so the upload stays resumable for the next run.
    if (resumed?.status === 'UNCONFIRMED')
      return makeOutcome(entry.key, entry.publishId, 'UNCONFIRMED', [], entry.attempts, resumed.error, true);
    if (resumed) {
      await ctx.ledger.recordStatus(entry.key, resumed.status, [], resumed.error, !staysResumable(resumed));
      return makeOutcome(entry.key, entry.publishId, resumed.status, [], entry.attempts, resumed.error, true);
    }
    await ctx.ledger.recordUploaded(entry.key);
    entry = (await ctx.ledger.get(entry.key)) ?? entry; // the status TikTok reported while resuming
  }
  if (!entry.publishId || entry.state === 'intent' || entry.state === 'unknown_outcome') {
    const error =
      entry.error ??
      outcomeDetails(
        'interrupted_init',
        'An earlier post with this idempotency key recorded its intent but no publish_id (interrupted or in progress); it is not posted again automatically.',
        entry.attempts,
      );
    return makeOutcome(entry.key, entry.publishId ?? null, 'UNCONFIRMED', [], entry.attempts, error, true);
  }
  const settled = entry.status !== undefined && FINAL_STATUSES.has(entry.status);
  if (wait && !settled) {
    const polled = await pollForFinalStatus(ctx, entry.publishId, deadline);
    // A FAILED here is reported, not re-posted: re-posting belongs to the call that made the post.
    await ctx.ledger.recordStatus(entry.key, polled.status, polled.postIds, polled.error, true);
    return makeOutcome(entry.key, entry.publishId, polled.status, polled.postIds, entry.attempts, polled.error, true);
  }
  return makeOutcome(
    entry.key,
    entry.publishId,
    entry.status ?? 'ACCEPTED',
    entry.postIds,
    entry.attempts,
    entry.error,
    true,
  );
}
