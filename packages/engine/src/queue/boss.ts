// pg-boss 10 on our Db port, so the same queue runs on PostgreSQL and on embedded PGlite.
// Multi-statement text without parameters (pg-boss's schema and maintenance SQL) goes through exec.
import PgBoss from 'pg-boss';
import { lockSession, type Db } from '../db/db';

export const QUEUES = {
  /** One post (a campaign row, a `tokpipe post`): singleton per account across all workers. */
  post: 'tokpipe-post',
  /** Posts pg-boss gave up on after their retries. */
  dead: 'tokpipe-dead',
  /** Periodic: tokens that expire soon are refreshed (one refresh per expiry, under the row lock). */
  refresh: 'tokpipe-refresh',
  /** Periodic: posts whose outcome is unknown or unconfirmed are asked about again. */
  reconcile: 'tokpipe-reconcile',
} as const;

/** pg-boss's schema (its default): a post's transition completes its queue job in the same statement. */
export const BOSS_SCHEMA = 'pgboss';

export function bossDb(db: Db): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      if (values.length === 0) return { rows: await db.exec(text) };
      return { rows: (await db.query(text, values)).rows };
    },
  };
}

export interface BossOptions {
  /** Seconds an active job may run before pg-boss hands it to another worker (a killed worker's job). */
  expireInSeconds?: number;
  retryLimit?: number;
  retryDelaySeconds?: number;
  pollingIntervalSeconds?: number;
  /** Run pg-boss's maintenance (expire, archive) and cron in this process. */
  supervise?: boolean;
}

export async function startBoss(db: Db, options: BossOptions = {}): Promise<PgBoss> {
  const boss = new PgBoss({
    db: bossDb(db),
    schema: BOSS_SCHEMA,
    supervise: options.supervise ?? true,
    schedule: options.supervise ?? true,
    maintenanceIntervalSeconds: 1,
  });
  boss.on('error', () => undefined); // maintenance errors surface again on the next job; never crash a worker
  await oneStartAtATime(db, async () => {
    await boss.start();
    await afterDeadlocks(() => createQueues(boss, options));
  });
  return boss;
}

/** Names "pg-boss start" among advisory locks (fixed: every tokpipe process on a database agrees). */
export const BOSS_START_LOCK = 71_701_503; // next to migrate.ts and import-file-store.ts (one-key form)

let startsHere: Promise<unknown> = Promise.resolve();

/** pg-boss checks whether its schema exists, then creates it: processes starting at once on a fresh
 * database all see none and collide (duplicate key on pg_namespace). Starts run one at a time: in this
 * process by a chain (PGlite has one session, where an advisory lock never waits and concurrent
 * multi-statement DDL interleaves), across processes by a session advisory lock held on a connection of
 * its own (PostgreSQL: so a pool needs 2 connections or more) or on the one session (PGlite), released
 * after. */
async function oneStartAtATime<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const run = async (): Promise<T> => {
    const { session, release } = await lockSession(db);
    try {
      await session.query('SELECT pg_advisory_lock($1)', [BOSS_START_LOCK]);
      try {
        return await fn();
      } finally {
        await session.query('SELECT pg_advisory_unlock($1)', [BOSS_START_LOCK]);
      }
    } finally {
      await release();
    }
  };
  const result = startsHere.then(run, run);
  startsHere = result.catch(() => undefined);
  return result;
}

/** PostgreSQL's deadlock_detected: one of the colliding statements is cancelled, and may run again. */
const DEADLOCK = '40P01';

/** Processes starting at the same moment (two `tokpipe serve` and a worker) create the same queues at
 * once; pg-boss's DDL for them can deadlock. The setup is idempotent: run it again. */
async function afterDeadlocks(fn: () => Promise<void>, tries = 5): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if ((error as { code?: string }).code !== DEADLOCK || i >= tries) throw error;
    }
  }
}

async function createQueues(boss: PgBoss, options: BossOptions): Promise<void> {
  await boss.createQueue(QUEUES.dead, { name: QUEUES.dead, policy: 'standard' });
  const post: PgBoss.Queue = {
    name: QUEUES.post,
    // One active job per singletonKey (the account): TikTok's limits are per user token, and one init
    // at a time per account keeps every worker inside them.
    policy: 'singleton',
    retryLimit: options.retryLimit ?? 5,
    retryDelay: options.retryDelaySeconds ?? 5,
    retryBackoff: true,
    expireInSeconds: options.expireInSeconds ?? 15 * 60,
    deadLetter: QUEUES.dead,
  };
  await boss.createQueue(QUEUES.post, post);
  // createQueue keeps an existing queue's settings: these options are the current ones.
  await boss.updateQueue(QUEUES.post, post);
  for (const name of [QUEUES.refresh, QUEUES.reconcile]) await boss.createQueue(name, { name, policy: 'short' });
}
