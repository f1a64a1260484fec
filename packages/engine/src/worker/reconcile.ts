// The reconciliation sweep of the shared queue: posts parked in tokpipe.reconcile are asked about
// again. A publish_id known to the job (or recorded in the shared ledger by another process after
// a lost reply here) is looked up with a status fetch; a final answer settles the job. An init whose
// outcome is unknown and that no ledger entry names stays parked for a person (tokpipe dlq), never
// re-posted blindly.
import { postIdempotencyKey, type TikTokPoster } from '@tokpipe/core';
import type { Clock } from '@tokpipe/core';
import type { Db } from '../db/db';
import { addToDlq, transition, type JobRow } from './jobs';

const RECHECK_MS = 15 * 60_000;
const PARKED = ['unconfirmed', 'unknown'] as const;

export interface ReconcileResult {
  checked: number;
  settled: number;
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
  let settled = 0;
  for (const job of rows) {
    const poster = posterFor(job.account);
    let publishId = job.publish_id;
    if (!publishId) {
      const key = await postIdempotencyKey(job.spec.request, await openIdOf(db, job.account));
      publishId = (await poster.ledger.get(key))?.publishId ?? null;
    }
    const outcome = publishId ? await poster.status(publishId).catch(() => undefined) : undefined;
    const status = outcome?.status;
    if (publishId && (status === 'PUBLISH_COMPLETE' || status === 'SEND_TO_USER_INBOX')) {
      if (await transition(db, job.id, PARKED, 'published', { publishId, now: clock.now() })) settled++;
      await db.query('DELETE FROM tokpipe.reconcile WHERE job_id = $1', [job.id]);
    } else if (publishId && status === 'FAILED') {
      if (await transition(db, job.id, PARKED, 'dead', { publishId, error: outcome!.error, now: clock.now() }))
        settled++;
      await addToDlq(
        db,
        job,
        outcome!.error?.code ?? 'failed',
        outcome!.error?.message ?? 'the post failed',
        outcome!.error,
        clock.now(),
      );
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

async function openIdOf(db: Db, account: string): Promise<string | undefined> {
  const { rows } = await db.query<{ record: string }>('SELECT record FROM tokpipe.tokens WHERE account = $1', [
    account,
  ]);
  return rows[0] ? (JSON.parse(rows[0].record) as { open_id?: string }).open_id : undefined;
}
