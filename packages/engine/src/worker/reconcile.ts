// The reconciliation sweep of the shared queue: posts parked in tokpipe.reconcile are asked about
// again. A publish_id known to the job (or recorded in the shared ledger by another process after
// a lost reply here) is looked up with a status fetch; a final answer settles the job. An init whose
// outcome is unknown and that no ledger entry names a publish_id for is looked for in the account's
// public video list with core's search (searchVideoList: the same judgement the pipeline's reconciler
// makes): a match settles it as published and marks its ledger entry final, so the key is never
// posted again. What none of them settles stays parked for a person (tokpipe dlq), never re-posted blindly.
import {
  captionOf,
  postIdempotencyKey,
  searchVideoList,
  VideoListPages,
  whyNotInVideoList,
  type Clock,
  type LedgerEntry,
  type TikTokPoster,
} from '@tokpipe/core';
import type { Db } from '../db/db';
import { storedOpenId } from '../state/sql-tokens';
import { addToDlq, transition, type JobRow } from './jobs';
import { queueSteps } from './steps';

const RECHECK_MS = 15 * 60_000;
const PARKED = ['unconfirmed', 'unknown'] as const;
/** Pages of a video list read at most per post (core's pipeline default). */
const VIDEO_LIST_PAGES = 5;

export interface ReconcileResult {
  checked: number;
  settled: number;
}

interface Parked {
  job: JobRow;
  key: string;
  entry: LedgerEntry | undefined;
}

export async function reconcileSweep(
  db: Db,
  clock: Clock,
  posterFor: (account: string) => TikTokPoster,
  limit = 100,
): Promise<ReconcileResult> {
  const now = clock.now();
  const { rows } = await db.query<JobRow>(
    `SELECT j.id, j.account, j.spec, j.state, j.publish_id, j.attempts, j.error FROM tokpipe.reconcile r JOIN tokpipe.jobs j ON j.id = r.job_id
     WHERE r.due_at <= $1 AND j.state = ANY($2::text[]) ORDER BY r.due_at LIMIT $3`,
    [now, [...PARKED], limit],
  );
  const openIds = new Map<string, string | undefined>();
  const parked: Parked[] = [];
  for (const job of rows) {
    if (!openIds.has(job.account)) openIds.set(job.account, await storedOpenId(db, job.account));
    const key = await postIdempotencyKey(job.spec.request, openIds.get(job.account));
    parked.push({ job, key, entry: await posterFor(job.account).ledger.get(key) });
  }
  // One read of each account's video list for the whole sweep, shared by its posts.
  const lists = new VideoListPages();
  const held = new Map<string, Set<string>>();
  let settled = 0;
  let found: string | undefined;
  for (const { job, key, entry } of parked) {
    const poster = posterFor(job.account);
    const publishId = job.publish_id ?? entry?.publishId ?? null;
    const outcome = publishId ? await poster.status(publishId).catch(() => undefined) : undefined;
    const status = outcome?.status;
    const mode = job.spec.request.mode;
    if (publishId && (status === 'PUBLISH_COMPLETE' || status === 'SEND_TO_USER_INBOX')) {
      const now = clock.now();
      const steps = [queueSteps.published(job.id, now, mode, outcome!.postIds)];
      if (await transition(db, job.id, PARKED, 'published', { publishId, now, steps })) settled++;
      await db.query('DELETE FROM tokpipe.reconcile WHERE job_id = $1', [job.id]);
    } else if (publishId && status === 'FAILED') {
      const now = clock.now();
      const error = outcome!.error ?? undefined;
      const steps = [queueSteps.dead(job.id, now, error, 'the post failed')];
      if (await transition(db, job.id, PARKED, 'dead', { publishId, error: outcome!.error, now, steps })) settled++;
      await addToDlq(
        db,
        job,
        outcome!.error?.code ?? 'failed',
        outcome!.error?.message ?? 'the post failed',
        outcome!.error,
        clock.now(),
      );
      await db.query('DELETE FROM tokpipe.reconcile WHERE job_id = $1', [job.id]);
    } else if (
      !publishId &&
      entry &&
      (found = await foundInVideoList(db, poster, lists, held, { job, key, entry }, parked))
    ) {
      const now = clock.now();
      const steps = [queueSteps.published(job.id, now, mode, [found])];
      if (await transition(db, job.id, PARKED, 'published', { now, steps })) settled++;
      await db.query('DELETE FROM tokpipe.reconcile WHERE job_id = $1', [job.id]);
    } else {
      await db.query('UPDATE tokpipe.reconcile SET checks = checks + 1, due_at = $2 WHERE job_id = $1', [
        job.id,
        clock.now() + RECHECK_MS,
      ]);
    }
  }
  return { checked: rows.length, settled };
}

/** Looks for an unknown-outcome post in its account's public video list (core decides what fits); a
 * match is recorded in its ledger entry as published (a repeat of the key answers it, never posts) and its
 * post id returned. */
async function foundInVideoList(
  db: Db,
  poster: TikTokPoster,
  lists: VideoListPages,
  held: Map<string, Set<string>>,
  post: Parked & { entry: LedgerEntry },
  all: readonly Parked[],
): Promise<string | undefined> {
  const { job, key, entry } = post;
  const spec = job.spec.request;
  if (whyNotInVideoList({ spec }) !== undefined) return undefined;
  let taken = held.get(job.account);
  if (!taken) held.set(job.account, (taken = await heldPostIds(db, entry.openId)));
  const caption = captionOf({ spec });
  // Other parked posts on the account with the same caption: a listed video could be theirs.
  const rivals = all
    .filter((o) => o.job.id !== job.id && o.job.account === job.account && o.entry && !o.entry.postIds.length)
    .filter((o) => captionOf({ spec: o.job.spec.request }) === caption)
    .map((o) => ({ id: o.job.id, state: o.job.state as (typeof PARKED)[number], intentAt: o.entry!.createdAt }));
  const match = await searchVideoList(lists, {
    account: job.account,
    poster: { listVideos: (opts) => poster.listVideos(opts) },
    caption,
    intentAt: entry.createdAt,
    held: taken,
    rivals,
    pages: VIDEO_LIST_PAGES,
  });
  if (!match.found) return undefined;
  taken.add(match.found.id);
  await poster.ledger.recordStatus(key, 'PUBLISH_COMPLETE', [match.found.id], null, true);
  return match.found.id;
}

/** Post ids the shared ledger already gives to some post of this TikTok user. */
async function heldPostIds(db: Db, openId: string | undefined): Promise<Set<string>> {
  if (!openId) return new Set();
  const { rows } = await db.query<{ ids: string[] | null }>(
    `SELECT array_agg(id) AS ids FROM tokpipe.ledger, jsonb_array_elements_text(entry::jsonb -> 'postIds') AS id
     WHERE entry::jsonb ->> 'openId' = $1`,
    [openId],
  );
  return new Set(rows[0]?.ids ?? []);
}
