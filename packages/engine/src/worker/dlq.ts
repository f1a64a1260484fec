// The shared queue's dead-letter queue: dead rows of tokpipe.jobs (with their tokpipe.dlq row) as core's
// DeadLetter, the view every front end shows, and their replay as a new post. A replay moves the row from
// dead back to queued by compare-and-set with a new ledger key (core's attemptKeyFor, next generation),
// drops its dlq row and queues its pg-boss job in one transaction: two replays at once, one wins.
// Whether a dead job may already be on TikTok is core's decision (replayRefusal on the letter's error):
// the letter says unknown_outcome when the worker said so, or when the shared ledger's entry for its key
// still blocks a repost (an init whose reply was lost, a publish_id never confirmed).
import {
  attemptKeyFor,
  blocksRepost,
  inputError,
  Ledger,
  pipelineError,
  postIdempotencyKey,
  replayRefusal,
  type Clock,
  type DeadLetter,
  type ErrorDetails,
  type JobSpec,
  type ReplayOptions,
} from '@tokpipe/core';
import type PgBoss from 'pg-boss';
import type { Db } from '../db/db';
import { storedOpenId } from '../state/sql-tokens';
import { bossDb, QUEUES } from '../queue/boss';
import { SqlStore } from '../state/sql-store';
import type { JobRow, PostJobData } from './jobs';
import { appendStepsCtes, queueSteps } from './steps';

/** A replay lost to another one (or the row left dead meanwhile): nothing was changed. */
export class ReplayConflictError extends Error {
  override readonly name = 'ReplayConflictError';
  readonly code = 'replay_conflict';
  constructor(
    readonly jobId: string,
    /** The state it is in, when known (else another replay took it between the read and the update). */
    state?: string,
  ) {
    super(
      state
        ? `job ${jobId} is not dead-lettered (it is ${state}): nothing to replay`
        : `job ${jobId} is no longer dead-lettered: another replay took it first`,
    );
  }
}

/** A dead row with its dlq row (absent when the process died between the two writes). */
interface DeadRow extends JobRow {
  updated_at: number;
  code: string | null;
  message: string | null;
  details: unknown;
  at: number | null;
}

/** A row's replay generation: 0 as submitted, n after the nth replay (kept in its spec column). */
export const generationOf = (row: Pick<JobRow, 'spec'>): number =>
  (row.spec as { generation?: number }).generation ?? 0;

const SELECT_DEAD = `SELECT j.id, j.account, j.spec, j.state, j.publish_id, j.attempts, j.error, j.updated_at,
    d.code, d.message, d.details, d.at
  FROM tokpipe.jobs j LEFT JOIN tokpipe.dlq d ON d.job_id = j.id WHERE j.state = 'dead'`;

const isDetails = (value: unknown): value is ErrorDetails =>
  !!value && typeof value === 'object' && 'disposition' in value && 'code' in value;

/** What the dead row says about its failure, as core's classification. */
function errorOf(row: DeadRow): ErrorDetails {
  if (isDetails(row.details)) return row.details;
  if (isDetails(row.error)) return row.error;
  return pipelineError('retries_exhausted', row.message ?? 'the queue gave up on this post', row.attempts);
}

/** The spec shown for a row queued without one (an older `campaign submit`): account, mode and media. */
function specOf(row: JobRow): JobSpec {
  if (row.spec.spec) return row.spec.spec;
  const media = row.spec.request.media;
  return {
    account: row.account,
    mode: row.spec.request.mode,
    media:
      media.type === 'photo_urls'
        ? { type: 'photo_urls', urls: [...media.urls] }
        : { type: 'video_url', url: media.type === 'video_url' ? media.url : '' },
    ...(row.spec.request.title !== undefined ? { title: row.spec.request.title } : {}),
  };
}

/** The row as core's dead letter; an entry of its key in the shared ledger that still blocks a repost
 * makes it an unknown outcome (it may be on TikTok). */
async function letterOf(db: Db, ledger: Ledger, row: DeadRow): Promise<DeadLetter> {
  const cause = errorOf(row);
  const { request } = row.spec;
  const key = request.idempotencyKey ?? (await postIdempotencyKey(request, await storedOpenId(db, row.account)));
  const entry = cause.disposition === 'unknown_outcome' ? undefined : await ledger.get(key);
  const error =
    entry && blocksRepost(entry)
      ? pipelineError(
          'unknown_outcome',
          `its last attempt may have reached TikTok (ledger: ${entry.state}${entry.publishId ? `, publish_id ${entry.publishId}` : ''}); last error: ${cause.message}`,
          row.attempts,
          cause,
        )
      : cause;
  const spec = specOf(row);
  return {
    jobId: row.id,
    account: row.account,
    spec,
    error,
    at: Number(row.at ?? row.updated_at),
    attempts: row.attempts,
    ...(row.publish_id ? { publishId: row.publish_id } : {}),
    ...(spec.label ? { label: spec.label } : {}),
  };
}

const ledgerOf = (db: Db, clock: Pick<Clock, 'now'>) => new Ledger(new SqlStore(db), clock as Clock);

/** Dead queue jobs, oldest first (`accounts`: only these). */
export async function listDeadJobs(
  db: Db,
  clock: Pick<Clock, 'now'>,
  options: { accounts?: readonly string[]; limit?: number } = {},
): Promise<DeadLetter[]> {
  const { rows } = await db.query<DeadRow>(
    `${SELECT_DEAD} AND ($1::text[] IS NULL OR j.account = ANY($1)) ORDER BY COALESCE(d.at, j.updated_at) LIMIT $2`,
    [options.accounts ? [...options.accounts] : null, options.limit ?? 1000],
  );
  const ledger = ledgerOf(db, clock);
  const letters: DeadLetter[] = [];
  for (const row of rows) letters.push(await letterOf(db, ledger, row));
  return letters;
}

async function deadRow(db: Db, jobId: string): Promise<DeadRow | undefined> {
  return (await db.query<DeadRow>(`${SELECT_DEAD} AND j.id = $1`, [jobId])).rows[0];
}

export async function getDeadJob(db: Db, clock: Pick<Clock, 'now'>, jobId: string): Promise<DeadLetter | undefined> {
  const row = await deadRow(db, jobId);
  return row && letterOf(db, ledgerOf(db, clock), row);
}

/** Puts a dead job back on the queue as a new post (a new ledger key), on `account` when given. Refused
 * (core's replayRefusal) when it may already be on TikTok, unless `force`; a replay that loses to another
 * throws ReplayConflictError. Returns the queued row. */
export async function replayDeadJob(
  db: Db,
  boss: PgBoss,
  clock: Pick<Clock, 'now'>,
  jobId: string,
  options: ReplayOptions = {},
): Promise<JobRow> {
  const row = await deadRow(db, jobId);
  if (!row) {
    // A job that exists but is not dead: another replay (or the sweep) moved it first.
    const { rows } = await db.query<{ state: string }>('SELECT state FROM tokpipe.jobs WHERE id = $1', [jobId]);
    if (rows[0]) throw new ReplayConflictError(jobId, rows[0].state);
    throw inputError('jobId', `no dead-lettered job ${jobId}`);
  }
  const refused = replayRefusal(await letterOf(db, ledgerOf(db, clock), row), options.force);
  if (refused) throw refused;
  const account = options.account ?? row.account;
  if (account !== row.account && !(await accountExists(db, account)))
    throw inputError('account', `no account ${account}`);
  const generation = generationOf(row) + 1;
  const request = { ...row.spec.request, idempotencyKey: attemptKeyFor(row.id, account, generation) };
  const spec = {
    ...row.spec,
    request,
    generation,
    ...(row.spec.spec ? { spec: { ...row.spec.spec, account } } : {}),
  };
  const now = clock.now();
  const step = queueSteps.replayed(row.id, now, generation, options.force === true);
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<JobRow>(
      `WITH moved AS (UPDATE tokpipe.jobs SET state = 'queued', account = $2, spec = $3::jsonb, publish_id = NULL,
           error = NULL, owner = NULL, updated_at = $4
         WHERE id = $1 AND state = 'dead' RETURNING id, account, spec, state, publish_id, attempts, error),
       letter AS (DELETE FROM tokpipe.dlq WHERE job_id = $1 AND EXISTS (SELECT 1 FROM moved)),
       parked AS (DELETE FROM tokpipe.reconcile WHERE job_id = $1 AND EXISTS (SELECT 1 FROM moved)),
       ${appendStepsCtes('$1', '$5::jsonb', 'moved').join(', ')}
       SELECT * FROM moved`,
      [row.id, account, JSON.stringify(spec), now, JSON.stringify([step])],
    );
    const moved = rows[0];
    if (!moved) throw new ReplayConflictError(jobId);
    const data: PostJobData = { id: moved.id, account, mode: request.mode };
    await boss.insert([{ name: QUEUES.post, data, singletonKey: account }], { db: bossDb(tx) });
    return moved;
  });
}

async function accountExists(db: Db, account: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM tokpipe.tokens WHERE account = $1', [account]);
  return rows.length > 0;
}
