// The FILE_UPLOAD step of a post: sending the chunks, and finishing an upload a crash interrupted.
// A failed upload is judged by TikTok's own view (the last chunk may have landed though its reply was lost).
import type { StatusResult } from '../client/types';
import { errorFromTable, outcomeDetails, toTokpipeError } from '../errors/classify';
import type { ErrorDetails } from '../errors/types';
import type { LedgerEntry } from '../idempotency';
import type { ByteSource } from '../types';
import type { ChunkPlan } from '../upload/plan';
import { uploadChunks } from '../upload/uploader';
import { failureDetails, fetchStatus, keysInFlightFor, type PosterContext, type StepFailure } from './context';

/** Uploads `file` from `startAt`; undefined when TikTok holds every byte, else what went wrong. */
export async function uploadFile(
  ctx: PosterContext,
  file: ByteSource,
  plan: ChunkPlan,
  uploadUrl: string | undefined,
  publishId: string,
  deadline: number,
  startAt = 0,
): Promise<StepFailure | undefined> {
  if (!uploadUrl) {
    return {
      status: 'UNCONFIRMED',
      error: outcomeDetails('interrupted_init', 'TikTok accepted the upload post but sent no upload_url.', 1),
    };
  }
  try {
    await uploadChunks({
      client: ctx.client,
      uploadUrl,
      source: file,
      plan,
      clock: ctx.clock,
      random: ctx.random,
      startAt,
    });
    return undefined;
  } catch (error) {
    const details = sourceFailureOrAsIs(toTokpipeError(error, { endpoint: 'upload' }).details);
    // The last chunk may have landed even though its reply was lost: ask TikTok before calling it failed.
    try {
      const seen = await fetchStatus(ctx, publishId, deadline);
      // Every chunk landed; TikTok may already have failed the post (e.g. auth_removed): say so.
      if (seen.status === 'FAILED') return { status: 'FAILED', error: failureDetails(seen, publishId)! };
      if (seen.status !== 'PROCESSING_UPLOAD') return undefined;
    } catch {
      return { status: 'UNCONFIRMED', error: details };
    }
    return { status: 'FAILED', error: details };
  }
}

/** The source failed mid-upload (a download dropped, a file cut short): not the caller's input as such —
 * TikTok already holds part of the upload. The problem text is kept; the input row's action is not. */
function sourceFailureOrAsIs(details: ErrorDetails): ErrorDetails {
  if (details.layer !== 'input') return details;
  return errorFromTable('application', 'upload_source_failed', { detail: details.problem ?? details.message }).details;
}

/** Finishes an interrupted FILE_UPLOAD: asks TikTok how many bytes it holds and sends the rest.
 * Undefined when the upload is complete (now or already). */
export async function resumeUpload(
  ctx: PosterContext,
  entry: LedgerEntry,
  file: ByteSource,
  plan: ChunkPlan,
  deadline: number,
): Promise<StepFailure | undefined> {
  const publishId = entry.publishId!;
  const inFlight = keysInFlightFor(ctx);
  inFlight.add(entry.key);
  try {
    let seen: StatusResult;
    try {
      seen = await fetchStatus(ctx, publishId, deadline);
    } catch (error) {
      return { status: 'UNCONFIRMED', error: toTokpipeError(error, { endpoint: 'status_fetch' }).details };
    }
    if (seen.status !== 'PROCESSING_UPLOAD') {
      // Every chunk had landed before the crash: keep what TikTok says now (it may even have FAILED).
      await ctx.ledger.recordSeen(publishId, seen.status, seen.postIds, failureDetails(seen, publishId));
      return undefined;
    }
    // uploaded_bytes off a chunk boundary: start at 0 and let TikTok's 416 Content-Range say where.
    const held = seen.uploadedBytes ?? 0;
    const startAt = plan.chunks.some((c) => c.first === held) ? held : 0;
    ctx.log('info', 'resuming an interrupted upload', { idempotencyKey: entry.key, publishId, startAt });
    return await uploadFile(ctx, file, plan, entry.pendingUploadUrl, publishId, deadline, startAt);
  } finally {
    inFlight.delete(entry.key);
  }
}

/** An upload that failed but can be finished later with the same upload_url: TikTok could not be
 * asked (UNCONFIRMED), or our own source failed mid-way (TikTok keeps what it has for the hour). */
export function staysResumable(failed: StepFailure): boolean {
  return failed.status === 'UNCONFIRMED' || failed.error.code === 'upload_source_failed';
}
