// The jobs table: one row per post, moved only by compare-and-set, and enqueued on pg-boss in the
// same transaction as its row (a crash never leaves a row without its queue job, or the reverse).
import type { JobSpec, PostRequest, TimelineStep } from '@tokpipe/core';
import type PgBoss from 'pg-boss';
import type { Db } from '../db/db';
import { BOSS_SCHEMA, bossDb, QUEUES } from '../queue/boss';
import { appendStepsCtes, withdrawAttemptCte } from './steps';

export type JobState = 'queued' | 'posting' | 'retry' | 'published' | 'unconfirmed' | 'unknown' | 'dead';

/** States no worker moves a job out of by itself (reconciliation and `dlq replay` may). */
export const SETTLED: ReadonlySet<JobState> = new Set(['published', 'unconfirmed', 'unknown', 'dead']);

export interface PostJob {
  /** Stable id: the campaign row's id, so submitting a file again is the same job. */
  id: string;
  account: string;
  request: PostRequest;
  /** The post as the API took it (core's JobSpec), kept with the row so any server shows it. */
  spec?: JobSpec;
}

/** What a queue job carries: enough to check the account's gate before touching the row. */
export interface PostJobData {
  id: string;
  account: string;
  mode: 'direct' | 'draft';
}

export interface JobRow {
  id: string;
  account: string;
  spec: { request: PostRequest; spec?: JobSpec; submittedAt?: number };
  state: JobState;
  publish_id: string | null;
  attempts: number;
  error: unknown;
}

/** Rows (and their queue jobs) written per transaction by submitPosts. */
const SUBMIT_CHUNK = 200;

/** Queues jobs not seen before; a job id already present (another process submitted it) is skipped.
 * Per chunk, one transaction: one INSERT ... ON CONFLICT (id) DO NOTHING RETURNING the new ids, and one
 * pg-boss insert of exactly those (a crash leaves neither or both). */
export async function submitPosts(
  db: Db,
  boss: PgBoss,
  jobs: readonly PostJob[],
  now: number,
): Promise<{ created: number; existing: number }> {
  let created = 0;
  for (let start = 0; start < jobs.length; start += SUBMIT_CHUNK) {
    const chunk = jobs.slice(start, start + SUBMIT_CHUNK);
    created += await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO tokpipe.jobs (id, account, spec, state, updated_at)
         SELECT id, account, spec::jsonb, 'queued', $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, account, spec)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [
          chunk.map((j) => j.id),
          chunk.map((j) => j.account),
          chunk.map((j) =>
            JSON.stringify({ request: j.request, ...(j.spec ? { spec: j.spec, submittedAt: now } : {}) }),
          ),
          now,
        ],
      );
      const fresh = new Set(rows.map((r) => r.id));
      // A repeated id inside one chunk is inserted once: the first one is queued.
      const queued = new Map(chunk.filter((j) => fresh.has(j.id)).map((j) => [j.id, j] as const));
      if (queued.size === 0) return 0;
      const inserts: PgBoss.JobInsert<PostJobData>[] = [...queued.values()].map((job) => ({
        name: QUEUES.post,
        data: { id: job.id, account: job.account, mode: job.request.mode },
        singletonKey: job.account,
      }));
      await boss.insert(inserts, { db: bossDb(tx) });
      return queued.size;
    });
  }
  return { created, existing: jobs.length - created };
}

/** UPDATE ... WHERE id = $1 AND state = ANY($expected): false when another worker moved it first. */
export async function transition(
  db: Db,
  id: string,
  expected: readonly JobState[],
  next: JobState,
  changes: {
    publishId?: string | null;
    error?: unknown;
    owner?: string | null;
    now: number;
    /** Added to `attempts`: -1 gives back a claim that sent nothing (the gate said wait). */
    attempts?: number;
    /** An init TikTok accepted: counted against the account's cap in the same statement (once per job and
     * generation: `key`, default the job id; a replay's init is another post for TikTok's cap). */
    capInit?: { account: string; mode: 'direct' | 'draft'; key?: string };
    /** The pg-boss job (post queue) of this delivery: completed in the same statement. */
    queueJob?: string;
    /** Timeline steps (steps.ts) recorded in the same statement when the row moves. */
    steps?: readonly TimelineStep[];
  },
): Promise<boolean> {
  const params: unknown[] = [
    id,
    [...expected],
    next,
    changes.publishId ?? null,
    changes.error === undefined ? null : JSON.stringify(changes.error),
    changes.owner ?? null,
    changes.now,
    changes.attempts ?? 0,
  ];
  const at = (value: unknown) => `$${params.push(value)}`;
  const ctes: string[] = [];
  const cap = changes.capInit;
  // The cap row is written whatever the job's state: TikTok accepted the init either way.
  if (cap)
    ctes.push(`cap AS (INSERT INTO tokpipe.cap_usage (account, kind, job_id, at)
      VALUES (${at(cap.account)}, ${at(cap.mode)}, ${cap.key ? at(cap.key) : '$1'}, $7) ON CONFLICT DO NOTHING)`);
  // The delivery is over: its pg-boss job completes with the row's transition (what boss.complete does).
  if (changes.queueJob)
    ctes.push(`done AS (UPDATE ${BOSS_SCHEMA}.job SET completed_on = now(), state = 'completed'
      WHERE name = ${at(QUEUES.post)} AND id = ${at(changes.queueJob)}::uuid AND state = 'active')`);
  ctes.push(`moved AS (UPDATE tokpipe.jobs SET state = $3, publish_id = COALESCE($4, publish_id),
       error = $5, owner = $6, updated_at = $7, attempts = attempts + $8
     WHERE id = $1 AND state = ANY($2::text[]) RETURNING id)`);
  if (changes.steps?.length)
    ctes.push(...appendStepsCtes('$1', `${at(JSON.stringify(changes.steps))}::jsonb`, 'moved'));
  if ((changes.attempts ?? 0) < 0) ctes.push(withdrawAttemptCte('$1', 'moved'));
  const { rows } = await db.query<{ moved: number }>(
    `WITH ${ctes.join(', ')} SELECT count(*)::int AS moved FROM moved`,
    params,
  );
  return Number(rows[0]?.moved) === 1;
}

/** Takes a job for posting: one UPDATE ... WHERE state = ANY($expected) RETURNING the row, or
 * undefined when it is settled or another worker holds it in a state it cannot be taken from. */
export async function claim(
  db: Db,
  id: string,
  expected: readonly JobState[],
  owner: string,
  now: number,
): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>(
    `UPDATE tokpipe.jobs SET state = 'posting', owner = $3, updated_at = $4, attempts = attempts + 1, error = NULL
     WHERE id = $1 AND state = ANY($2::text[]) RETURNING id, account, spec, state, publish_id, attempts, error`,
    [id, [...expected], owner, now],
  );
  return rows[0];
}

export async function getJob(db: Db, id: string): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>(
    'SELECT id, account, spec, state, publish_id, attempts, error FROM tokpipe.jobs WHERE id = $1',
    [id],
  );
  return rows[0];
}

export async function jobCounts(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.query<{ state: string; n: number }>(
    'SELECT state, count(*)::int AS n FROM tokpipe.jobs GROUP BY state',
  );
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

export async function addToDlq(
  db: Db,
  job: { id: string; account: string },
  code: string,
  message: string,
  details: unknown,
  now: number,
): Promise<void> {
  await db.query(
    `INSERT INTO tokpipe.dlq (job_id, account, code, message, details, at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_id) DO NOTHING`,
    [job.id, job.account, code, message, JSON.stringify(details ?? null), now],
  );
}

export async function addReconcileCandidate(
  db: Db,
  job: { id: string; account: string },
  reason: string,
  dueAt: number,
): Promise<void> {
  await db.query(
    `INSERT INTO tokpipe.reconcile (job_id, account, reason, due_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (job_id) DO UPDATE SET reason = EXCLUDED.reason, due_at = EXCLUDED.due_at`,
    [job.id, job.account, reason, dueAt],
  );
}
