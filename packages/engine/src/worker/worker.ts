// A tokpipe worker: takes post jobs from pg-boss (one account at a time across every worker), posts
// through core with the shared SQL ledger, limiter and tokens, and records the result by
// compare-and-set. N workers (processes) on one DATABASE_URL share the work.
import { randomUUID } from 'node:crypto';
import { createPoster, createTokenManager, type Clock, type Logger, type TikTokPoster, type Transport } from '@tokpipe/core';
import type PgBoss from 'pg-boss';
import type { Db } from '../db/db';
import { QUEUES, startBoss, type BossOptions } from '../queue/boss';
import { SqlRateLimiter } from '../state/sql-limiter';
import { SqlStore } from '../state/sql-store';
import { sqlTokenStore } from '../state/sql-tokens';
import { addReconcileCandidate, addToDlq, getJob, SETTLED, transition } from './jobs';
import { nextState, RETRYABLE_FROM } from './outcome';

export interface WorkerOptions {
  db: Db;
  clock: Clock;
  transport: Transport;
  baseUrl?: string;
  clientKey: string;
  clientSecret: string;
  /** Accounts posted in parallel by this worker (each account is still one at a time overall). */
  concurrency?: number;
  boss?: BossOptions;
  requestTimeoutMs?: number;
  /** Extra limiter margin, ms of the clock (absorbs skew between processes and TikTok). */
  limiterMarginMs?: number;
  /** Refresh tokens expiring within this (periodic sweep). Default 15 min. */
  refreshAheadMs?: number;
  /** Run the token sweep every this many ms of the clock (besides pg-boss's cron). */
  sweepEveryMs?: number;
  logger?: Logger;
}

export interface RunningWorker {
  readonly id: string;
  readonly boss: PgBoss;
  /** Refreshes tokens that expire within refreshAheadMs (one refresh per expiry across workers). */
  sweepTokens(): Promise<number>;
  stop(): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { db, clock } = options;
  const id = randomUUID();
  const store = new SqlStore(db);
  const limiter = new SqlRateLimiter(db, { clock, marginMs: options.limiterMarginMs });
  const posters = new Map<string, TikTokPoster>();
  const tokenManager = (account: string, refreshAheadMs?: number) =>
    createTokenManager({ store: sqlTokenStore(db, account), clock, transport: options.transport, clientKey: options.clientKey, clientSecret: options.clientSecret, baseUrl: options.baseUrl, refreshAheadMs });
  const posterFor = (account: string): TikTokPoster => {
    let poster = posters.get(account);
    if (!poster) {
      poster = createPoster({ baseUrl: options.baseUrl, transport: options.transport, clock, store, limiter, auth: tokenManager(account), requestTimeoutMs: options.requestTimeoutMs, logger: options.logger });
      posters.set(account, poster);
    }
    return poster;
  };

  const handlePost = async (jobId: string, lastTry: boolean): Promise<void> => {
    const job = await getJob(db, jobId);
    if (!job || SETTLED.has(job.state)) return; // done already (a redelivery, or another worker finished it)
    if (!(await transition(db, job.id, RETRYABLE_FROM, 'posting', { owner: id, now: clock.now(), countAttempt: true }))) return;
    const outcome = await posterFor(job.account).post(job.spec.request, { wait: true });
    const next = nextState(outcome);
    const now = clock.now();
    const publishId = outcome.publishId;
    if (next.state === 'retry') {
      await transition(db, job.id, ['posting'], lastTry ? 'dead' : 'retry', { publishId, error: outcome.error, now });
      if (lastTry) await addToDlq(db, job, outcome.error?.code ?? 'failed', outcome.error?.message ?? 'retries exhausted', outcome.error, now);
      else throw new Error(`retrying ${job.id}: ${outcome.error?.code ?? 'failed'}`); // pg-boss retries with backoff
      return;
    }
    await transition(db, job.id, ['posting'], next.state, { publishId, error: outcome.error, now });
    if (next.state === 'dead') await addToDlq(db, job, next.code, next.message, outcome.error, now);
    if (next.state === 'unknown' || next.state === 'unconfirmed') await addReconcileCandidate(db, job, next.reconcile, now);
  };

  const sweepTokens = async (): Promise<number> => {
    const ahead = options.refreshAheadMs ?? 15 * 60_000;
    const { rows } = await db.query<{ account: string; record: string }>('SELECT account, record FROM tokpipe.tokens');
    let refreshed = 0;
    for (const row of rows) {
      const { expires_at } = JSON.parse(row.record) as { expires_at: number };
      if (expires_at - clock.now() > ahead) continue;
      try {
        // Under the row lock; a worker that waited finds the fresh token and does not refresh again.
        await tokenManager(row.account, ahead).getAccessToken();
        refreshed++;
      } catch (error) {
        options.logger?.('warn', 'token refresh failed', { account: row.account, message: error instanceof Error ? error.message : String(error) });
      }
    }
    return refreshed;
  };

  const boss = await startBoss(db, options.boss);
  const retryLimit = options.boss?.retryLimit ?? 5;
  const workIds: string[] = [];
  for (let i = 0; i < (options.concurrency ?? 4); i++) {
    workIds.push(
      await boss.work<{ id: string }>(QUEUES.post, { batchSize: 1, pollingIntervalSeconds: options.boss?.pollingIntervalSeconds ?? 0.5, includeMetadata: true }, async ([job]) => {
        if (job) await handlePost(job.data.id, job.retryCount >= retryLimit);
      }),
    );
  }
  workIds.push(
    await boss.work<{ id: string }>(QUEUES.dead, { batchSize: 1, pollingIntervalSeconds: options.boss?.pollingIntervalSeconds ?? 0.5 }, async ([dead]) => {
      const job = dead && (await getJob(db, dead.data.id));
      if (!job || SETTLED.has(job.state)) return;
      const error = job.error as { code?: string; message?: string } | null;
      await transition(db, job.id, ['queued', 'retry', 'posting'], 'dead', { error: job.error, now: clock.now() });
      await addToDlq(db, job, error?.code ?? 'retries_exhausted', error?.message ?? 'pg-boss gave up on this job', job.error, clock.now());
    }),
  );
  workIds.push(await boss.work(QUEUES.refresh, async () => void (await sweepTokens())));
  await boss.schedule(QUEUES.refresh, '*/5 * * * *');

  let stopped = false;
  const sweeping = (async () => {
    if (!options.sweepEveryMs) return;
    while (!stopped) {
      await clock.sleep(options.sweepEveryMs);
      if (!stopped) await sweepTokens().catch(() => 0);
    }
  })();

  return {
    id,
    boss,
    sweepTokens,
    async stop() {
      stopped = true;
      for (const workId of workIds) await boss.offWork(workId).catch(() => undefined);
      await boss.stop({ graceful: true, close: false, wait: true, timeout: 10_000 });
      await limiter.flush();
      void sweeping;
    },
  };
}
