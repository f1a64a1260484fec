// Engine figures (issue 15): posts/s through pg-boss workers on PostgreSQL (1, 2, 4 workers, each its
// own connections, in this process) and on PGlite, next to pg-boss alone (send -> work -> complete) on
// the same database; SQL round trips per published post; database bytes per tracked post; PGlite reopen.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { axiosTransport } from '@tokpipe/core/node';
import { countRoundTrips, jobCounts, migrate, openPglite, openPostgres, startBoss, startWorker, submitPosts, type Db } from '../packages/engine/src';
import { createPostgresDatabase } from '../packages/engine/test/databases';
import { seedAccount, startWorld, trackDb, video } from '../packages/engine/test/world';
import type { Figure } from './figures';

const POSTS = 60;
const ACCOUNTS = 10;

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

/** Posts/s for `workers` workers over `open()` connections; round trips counted on every connection. */
async function enginePostsPerSecond(open: () => Promise<Db>, workers: number): Promise<{ perSecond: number; roundTripsPerPost: number }> {
  const world = await startWorld();
  const counted: Array<ReturnType<typeof countRoundTrips>> = [];
  const conn = async () => {
    const db = countRoundTrips(await open());
    counted.push(db);
    return trackDb(db, world.clock);
  };
  const admin = await conn();
  for (let a = 0; a < ACCOUNTS; a++) await seedAccount(world, admin, `acct-${a}`);
  const running = [];
  for (let i = 0; i < workers; i++) {
    running.push(await startWorker({ db: await conn(), clock: world.clock, transport: world.clock.trackTransport(axiosTransport()), baseUrl: world.sb.url, clientKey: world.clientKey, clientSecret: world.clientSecret, concurrency: 4, boss: { pollingIntervalSeconds: 0.5, supervise: i === 0 } }));
  }
  const boss = await startBoss(admin, { supervise: false });
  const before = counted.reduce((n, d) => n + d.roundTrips, 0);
  const started = Date.now();
  const jobs = Array.from({ length: POSTS }, (_, i) => ({ id: `b-${i}`, account: `acct-${i % ACCOUNTS}`, request: video(world, `bench ${i}`) }));
  await submitPosts(admin, boss, jobs, world.clock.now());
  await until(async () => (await jobCounts(admin)).published === POSTS);
  const seconds = (Date.now() - started) / 1000;
  const trips = counted.reduce((n, d) => n + d.roundTrips, 0) - before;
  for (const w of running) await w.stop();
  await boss.stop({ graceful: false, close: false });
  await world.close();
  return { perSecond: POSTS / seconds, roundTripsPerPost: trips / POSTS };
}

async function rawQueuePerSecond(db: Db): Promise<number> {
  const boss = await startBoss(db, { supervise: false });
  const name = 'bench-raw';
  await boss.createQueue(name, { name, policy: 'standard' });
  let done = 0;
  for (let i = 0; i < 4; i++) await boss.work(name, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async () => void done++);
  const started = Date.now();
  for (let i = 0; i < POSTS; i++) await boss.send(name, { i });
  await until(async () => done >= POSTS);
  const perSecond = POSTS / ((Date.now() - started) / 1000);
  await boss.stop({ graceful: false, close: false });
  return perSecond;
}

export async function engineBench(log: (line: string) => void): Promise<Figure[]> {
  const figures: Figure[] = [];
  const fig = (name: string, value: number, target: number, unit: string, pass: boolean) => figures.push({ name: name as Figure['name'], value: Math.round(value * 100) / 100, target, unit, pass });
  const database = await createPostgresDatabase();
  try {
    const open = async () => openPostgres(database.url);
    await migrate(await open());
    const raw = await rawQueuePerSecond(await open());
    log(`pg-boss alone: ${raw.toFixed(1)} jobs/s (send -> work -> complete, 4 loops)`);
    let one = 0;
    for (const workers of [1, 2, 4]) {
      const r = await enginePostsPerSecond(open, workers);
      if (workers === 1) one = r.perSecond;
      log(`engine on PostgreSQL, ${workers} worker(s): ${r.perSecond.toFixed(1)} posts/s, ${r.roundTripsPerPost.toFixed(1)} SQL round trips per post`);
      fig(`engine_posts_per_second_pg_${workers}`, r.perSecond, 0, 'posts/s (figure)', true);
      if (workers === 1) fig('engine_sql_round_trips_per_post', r.roundTripsPerPost, 12, 'round trips (<=)', r.roundTripsPerPost <= 12);
    }
    fig('engine_to_queue_ratio', one / raw, 0.5, 'ratio (>=)', one / raw >= 0.5);
    const { rows } = await (await open()).query<{ bytes: number; posts: number }>(
      `SELECT pg_total_relation_size('tokpipe.ledger') + pg_total_relation_size('tokpipe.jobs') + pg_total_relation_size('tokpipe.kv') AS bytes, (SELECT count(*)::int FROM tokpipe.jobs) AS posts`,
    );
    fig('engine_db_bytes_per_tracked_post', Number(rows[0]!.bytes) / rows[0]!.posts, 4096, 'bytes (<)', Number(rows[0]!.bytes) / rows[0]!.posts < 4096);
  } finally {
    await database.drop();
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tokpipe-bench-pglite-'));
  try {
    let t = Date.now();
    const first = await openPglite(dir);
    await migrate(first);
    log(`PGlite first open + migrate: ${Date.now() - t} ms`);
    await first.close();
    t = Date.now();
    const again = await openPglite(dir);
    await migrate(again);
    const reopen = Date.now() - t;
    fig('engine_pglite_reopen_ms', reopen, 1500, 'ms (<)', reopen < 1500);
    const r = await enginePostsPerSecond(async () => again, 1);
    fig('engine_posts_per_second_pglite', r.perSecond, 0, 'posts/s (figure)', true);
    fig('engine_peak_rss_mib', process.memoryUsage().rss / 2 ** 20, 400, 'MiB (<), this bench process', process.memoryUsage().rss / 2 ** 20 < 400);
    log(`engine on PGlite: ${r.perSecond.toFixed(1)} posts/s; reopen ${reopen} ms`);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
