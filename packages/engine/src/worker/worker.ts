// A tokpipe worker: takes post jobs from pg-boss (one account at a time across every worker), posts
// through core with the shared SQL ledger, limiter and tokens, and records the result by
// compare-and-set. N workers (processes) on one DATABASE_URL share the work.
import { randomUUID } from 'node:crypto';
import {
  createPoster,
  createTokenManager,
  TokpipeError,
  type ErrorDetails,
  postIdempotencyKey,
  type Clock,
  type Logger,
  type TikTokPoster,
  type TimelineStep,
  type TokenRecord,
  type Transport,
} from '@tokpipe/core';
import type PgBoss from 'pg-boss';
import type { Db } from '../db/db';
import { QUEUES, startBoss, type BossOptions } from '../queue/boss';
import { SqlRateLimiter } from '../state/sql-limiter';
import { SqlStore } from '../state/sql-store';
import { sqlTokenStore, type SqlTokenStore } from '../state/sql-tokens';
import { gateAndClaim, markNeedsReauth, recordAccountEvent } from './account-guard';
import { addReconcileCandidate, addToDlq, getJob, SETTLED, transition, type JobRow, type PostJobData } from './jobs';
import { generationOf } from './dlq';
import { accountEvent, nextState, RETRYABLE_FROM } from './outcome';
import { reconcileSweep, type ReconcileResult } from './reconcile';
import { outcomeSteps, queueSteps, recordRetry } from './steps';

/** A delivery that failed for a retryable reason: pg-boss retries it (backoff), then its step is recorded. */
class RetryLater extends Error {
  constructor(
    message: string,
    readonly jobId: string,
    readonly step: TimelineStep,
  ) {
    super(message);
  }
}

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
  /** Real ms per ms of the clock (TOKPIPE_TIME_SCALE): a deferred job's start time is real time for pg-boss. */
  timeScale?: number;
  logger?: Logger;
  /** PostgreSQL: a small pool no transaction holds, for the write-ahead refresh marker (refresh-marker.ts). */
  journal?: Db;
}

export interface RunningWorker {
  readonly id: string;
  readonly boss: PgBoss;
  /** Refreshes tokens that expire within refreshAheadMs (one refresh per expiry across workers). */
  sweepTokens(): Promise<number>;
  /** Asks TikTok again about parked posts (unconfirmed, or unknown with a publish_id in the ledger). */
  reconcile(): Promise<ReconcileResult>;
  stop(): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { db, clock } = options;
  const id = randomUUID();
  const store = new SqlStore(db, { clock });
  const limiter = new SqlRateLimiter(db, { clock, marginMs: options.limiterMarginMs });
  const posters = new Map<string, TikTokPoster>();
  const tokenStores = new Map<string, SqlTokenStore>();
  const tokenStore = (account: string): SqlTokenStore => {
    let store = tokenStores.get(account);
    if (!store)
      tokenStores.set(account, (store = sqlTokenStore(db, account, { clock, journal: options.journal, owner: id })));
    return store;
  };
  const tokenManager = (account: string, refreshAheadMs?: number) =>
    createTokenManager({
      store: tokenStore(account),
      clock,
      transport: options.transport,
      clientKey: options.clientKey,
      clientSecret: options.clientSecret,
      baseUrl: options.baseUrl,
      refreshAheadMs,
    });
  const posterFor = (account: string): TikTokPoster => {
    let poster = posters.get(account);
    if (!poster) {
      poster = createPoster({
        baseUrl: options.baseUrl,
        transport: options.transport,
        clock,
        store,
        limiter,
        auth: tokenManager(account),
        requestTimeoutMs: options.requestTimeoutMs,
        logger: options.logger,
      });
      posters.set(account, poster);
    }
    return poster;
  };

  const timeScale = options.timeScale ?? 1;

  /** Queued again for `until` (clock time), same account key; this delivery ends. */
  const defer = async (job: PostJobData, until: number, reason: string, unclaim = false): Promise<void> => {
    const delayMs = Math.max(0, until - clock.now()) * timeScale;
    // A row left `posting` by a worker that died shows as waiting; when taken again, the ledger decides.
    // `unclaim`: this delivery claimed the row and sent nothing, so the attempt is not counted (nor shown);
    // the wait is the timeline's step (an outcome's wait was recorded with its outcome).
    const now = clock.now();
    await transition(db, job.id, ['posting', 'retry'], 'queued', {
      now,
      attempts: unclaim ? -1 : 0,
      ...(unclaim ? { steps: [queueSteps.deferred(job.account, now, until, reason)] } : {}),
    });
    await boss.send(QUEUES.post, job, { singletonKey: job.account, startAfter: new Date(Date.now() + delayMs) });
    options.logger?.('info', 'job deferred', { jobId: job.id, account: job.account, reason, until });
  };

  /** `queueJob`: the pg-boss job id, completed by the outcome's transition (else when the batch ends). */
  const handlePost = async (
    queued: PostJobData | { id: string },
    lastTry: boolean,
    queueJob?: string,
  ): Promise<void> => {
    let data = 'account' in queued ? queued : undefined;
    if (!data) {
      // Queued by an older version (id only): read the row once.
      const row = await getJob(db, queued.id);
      if (!row || SETTLED.has(row.state)) return;
      data = { id: row.id, account: row.account, mode: row.spec.request.mode };
    }
    const { mode } = data;
    // The gate and the claim in one round trip; when the gate says wait, the claim is given back.
    const claimedAt = clock.now();
    const { job, token, ...blocked } = await gateAndClaim<JobRow>(
      db,
      { id: data.id, account: data.account, mode, expected: RETRYABLE_FROM, owner: id },
      claimedAt,
      queueSteps.attempt(data.id, data.account, claimedAt),
    );
    // Settled already (a redelivery, or another worker finished it): nothing to take.
    if (!job) return;
    if (blocked.until) return defer(data, blocked.until, blocked.reason, true);
    const record = token ? (JSON.parse(token) as TokenRecord) : undefined;
    if (record) tokenStore(job.account).prime(record);
    // Its first claim: no init was ever sent for this row, so the ledger is not asked whether its key exists.
    if (record && job.attempts === 1 && !job.publish_id)
      store.expectNew(await postIdempotencyKey(job.spec.request, record.open_id || undefined));
    const outcome = await posterFor(job.account).post(job.spec.request, { wait: true });
    const next = nextState(outcome);
    const now = clock.now();
    const publishId = outcome.publishId;
    // Counted against the cap by the transition below, in the same statement.
    const generation = generationOf(job);
    const capInit = publishId
      ? { account: job.account, mode, ...(generation ? { key: `${job.id}.g${generation}` } : {}) }
      : undefined;
    // The last try of a retry is the end: dead-lettered with its failure.
    const settled =
      next.state === 'retry' && lastTry
        ? { state: 'dead' as const, code: 'failed', message: outcome.error?.message ?? 'retries exhausted' }
        : next;
    const steps = outcomeSteps({ job, mode, outcome, at: now }, settled);
    await recordAccountEvent(db, job.account, blocked.breaker, accountEvent(outcome), now);
    if (next.state === 'deferred') {
      await transition(db, job.id, ['posting'], 'queued', { error: outcome.error, now, capInit, queueJob, steps });
      if (outcome.error?.disposition === 'reauthorize')
        await markNeedsReauth(db, job.account, outcome.error.message, clock);
      return defer(data, now + next.forMs, next.reason);
    }
    if (next.state === 'retry') {
      await transition(db, job.id, ['posting'], lastTry ? 'dead' : 'retry', {
        publishId,
        error: outcome.error,
        now,
        capInit,
        queueJob: lastTry ? queueJob : undefined, // a retry is failed by pg-boss (backoff), not completed
        steps,
      });
      if (lastTry)
        await addToDlq(
          db,
          job,
          outcome.error?.code ?? 'failed',
          outcome.error?.message ?? 'retries exhausted',
          outcome.error,
          now,
        );
      // pg-boss retries with backoff; the step follows its fail, with the delay it picked
      else
        throw new RetryLater(
          `retrying ${job.id}: ${outcome.error?.code ?? 'failed'}`,
          job.id,
          queueSteps.retry(job.account, now, outcome.error ?? undefined),
        );
      return;
    }
    await transition(db, job.id, ['posting'], next.state, {
      publishId,
      error: outcome.error,
      now,
      capInit,
      queueJob,
      steps,
    });
    if (next.state === 'dead') await addToDlq(db, job, next.code, next.message, outcome.error, now);
    if (next.state === 'unknown' || next.state === 'unconfirmed')
      await addReconcileCandidate(db, job, next.reconcile, now);
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
        const message = error instanceof Error ? error.message : String(error);
        options.logger?.('warn', 'token refresh failed', { account: row.account, message });
        // Refused (invalid_grant, or a refresh cut off by a kill): the account waits for a new login, saying why.
        if (error instanceof TokpipeError && error.details.disposition === 'reauthorize')
          await markNeedsReauth(db, row.account, message, clock);
      }
    }
    return refreshed;
  };

  const boss = await startBoss(db, options.boss);
  const retryLimit = options.boss?.retryLimit ?? 5;
  const workIds: string[] = [];
  // One fetch takes up to `concurrency` jobs (pg-boss gives at most one per account in a batch); each is
  // completed by its own transition, so a batch costs one fetch and one (usually empty) completion.
  // A job that throws is failed alone (pg-boss retries it with backoff); the others are unaffected.
  workIds.push(
    await boss.work<PostJobData>(
      QUEUES.post,
      {
        batchSize: options.concurrency ?? 4,
        pollingIntervalSeconds: options.boss?.pollingIntervalSeconds ?? 0.5,
        includeMetadata: true,
      },
      async (jobs) => {
        await Promise.all(
          jobs.map((job) =>
            handlePost(job.data, job.retryCount >= retryLimit, job.id).catch(async (error: unknown) => {
              const message = error instanceof Error ? error.message : String(error);
              // Not failed (pg-boss down): the job stays active and expires to another delivery.
              await boss.fail(QUEUES.post, job.id, { message }).catch(() => undefined);
              if (error instanceof RetryLater)
                await recordRetry(db, error.jobId, job.id, error.step, timeScale).catch((e: unknown) =>
                  options.logger?.('warn', 'retry step not recorded', { jobId: error.jobId, message: String(e) }),
                );
            }),
          ),
        );
      },
    ),
  );
  workIds.push(
    await boss.work<{ id: string }>(
      QUEUES.dead,
      { batchSize: 1, pollingIntervalSeconds: options.boss?.pollingIntervalSeconds ?? 0.5 },
      async ([dead]) => {
        const job = dead && (await getJob(db, dead.data.id));
        if (!job || SETTLED.has(job.state)) return;
        const error = job.error as ErrorDetails | null;
        const now = clock.now();
        await transition(db, job.id, ['queued', 'retry', 'posting'], 'dead', {
          error: job.error,
          now,
          steps: [queueSteps.dead(job.id, now, error ?? undefined, 'pg-boss gave up on this job')],
        });
        await addToDlq(
          db,
          job,
          error?.code ?? 'retries_exhausted',
          error?.message ?? 'pg-boss gave up on this job',
          job.error,
          clock.now(),
        );
      },
    ),
  );
  const reconcile = () => reconcileSweep(db, clock, posterFor);
  workIds.push(await boss.work(QUEUES.refresh, async () => void (await sweepTokens())));
  workIds.push(await boss.work(QUEUES.reconcile, async () => void (await reconcile())));
  await boss.schedule(QUEUES.refresh, '*/5 * * * *');
  await boss.schedule(QUEUES.reconcile, '*/15 * * * *');

  let stopped = false;
  const sweeping = (async () => {
    if (!options.sweepEveryMs) return;
    while (!stopped) {
      await clock.sleep(options.sweepEveryMs);
      if (!stopped) await sweepTokens().catch(() => 0);
      if (!stopped) await reconcile().catch(() => undefined);
    }
  })();

  return {
    id,
    boss,
    sweepTokens,
    reconcile,
    async stop() {
      stopped = true;
      for (const workId of workIds) await boss.offWork(workId).catch(() => undefined);
      await boss.stop({ graceful: true, close: false, wait: true, timeout: 10_000 });
      await limiter.flush();
      void sweeping;
    },
  };
}
