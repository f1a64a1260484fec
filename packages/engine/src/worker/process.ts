// One worker process: opens the database, runs a worker until SIGTERM/SIGINT, then stops gracefully
// (in-flight posts finish and are recorded). Used by `tokpipe worker` and the multi-process test.
import type { Clock, Transport } from '@tokpipe/core';
import { axiosTransport, systemClock } from '@tokpipe/core/node';
import { openDb } from '../db/open';
import { openPostgres } from '../db/postgres';
import type { BossOptions } from '../queue/boss';
import { startWorker } from './worker';

export interface WorkerProcessConfig {
  databaseUrl?: string;
  dataDir?: string;
  baseUrl?: string;
  clientKey: string;
  clientSecret: string;
  concurrency?: number;
  requestTimeoutMs?: number;
  limiterMarginMs?: number;
  refreshAheadMs?: number;
  sweepEveryMs?: number;
  boss?: BossOptions;
  /** A clock shared by several processes: virtual = virtualOrigin + (real - realOrigin) / scale. */
  sharedClock?: { scale: number; virtualOrigin: number; realOrigin: number };
}

/** Scaled time every process computes the same way (a fresh systemClock would start at its own "now"). */
export function anchoredClock(c: { scale: number; virtualOrigin: number; realOrigin: number }): Clock {
  return {
    now: () => Math.floor(c.virtualOrigin + (Date.now() - c.realOrigin) / c.scale),
    sleep: (ms) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms * c.scale)) : Promise.resolve()),
  };
}

export async function runWorkerProcess(
  config: WorkerProcessConfig,
  io: { log(line: string): void; transport?: Transport; clock?: Clock } = { log: (l) => console.log(l) },
): Promise<void> {
  const clock = io.clock ?? (config.sharedClock ? anchoredClock(config.sharedClock) : systemClock());
  const timeScale = (clock as { scale?: number }).scale ?? config.sharedClock?.scale ?? 1;
  const db = await openDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    max: (config.concurrency ?? 4) + 4,
  });
  // The refresh marker commits outside the token row's transaction: its own connection (PostgreSQL only;
  // PGlite has one connection and one process, see refresh-marker.ts).
  const journal =
    db.kind === 'postgres' && config.databaseUrl ? openPostgres(config.databaseUrl, { max: 1 }) : undefined;
  const worker = await startWorker({
    db,
    journal,
    clock,
    transport: io.transport ?? axiosTransport(),
    baseUrl: config.baseUrl,
    clientKey: config.clientKey,
    clientSecret: config.clientSecret,
    concurrency: config.concurrency,
    requestTimeoutMs: config.requestTimeoutMs,
    limiterMarginMs: config.limiterMarginMs,
    refreshAheadMs: config.refreshAheadMs,
    sweepEveryMs: config.sweepEveryMs,
    timeScale,
    boss: config.boss,
  });
  io.log(`worker ${worker.id} ready (${db.kind})`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  io.log(`worker ${worker.id} stopping: finishing posts in flight`);
  await worker.stop();
  await journal?.close();
  await db.close();
  io.log(`worker ${worker.id} stopped`);
}
