// Engine figures (issue 15): posts/s through pg-boss workers on PostgreSQL (1, 2, 4 workers, each its
// own connections, in this process) and on PGlite, next to pg-boss alone (send -> work -> complete) on
// the same database; SQL round trips per published post; database bytes per tracked post; PGlite reopen.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { axiosTransport } from '@tokpipe/core/node';
import { startSandbox } from '@tokpipe/sandbox';
import {
  countRoundTrips,
  migrate,
  openEmbedded,
  openPglite,
  openPostgres,
  startBoss,
  startWorker,
  submitPosts,
  type Db,
} from '../packages/engine/src';
import { createPostgresDatabase } from '../packages/engine/test/databases';
import { seedAccount, startWorld, trackDb, video } from '../packages/engine/test/world';
import type { Figure } from './figures';

const POSTS = 60;
const ACCOUNTS = 10;

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

/** Posts/s for `workers` workers over `open()` connections; round trips counted on every connection. */
async function enginePostsPerSecond(
  open: () => Promise<Db>,
  workers: number,
): Promise<{ perSecond: number; roundTripsPerPost: number }> {
  const world = await startWorld();
  const counted: Array<ReturnType<typeof countRoundTrips>> = [];
  const conn = async () => {
    const db = countRoundTrips(await open());
    counted.push(db);
    return trackDb(db, world.clock);
  };
  const admin = await conn();
  // Accounts of their own per run: each has TikTok's daily cap (15 direct posts), counted in the database.
  const run = `${workers}-${Date.now()}`;
  for (let a = 0; a < ACCOUNTS; a++) await seedAccount(world, admin, `acct-${run}-${a}`);
  const running = [];
  for (let i = 0; i < workers; i++) {
    running.push(
      await startWorker({
        db: await conn(),
        clock: world.clock,
        transport: world.clock.trackTransport(axiosTransport()),
        baseUrl: world.sb.url,
        clientKey: world.clientKey,
        clientSecret: world.clientSecret,
        concurrency: 4,
        boss: { pollingIntervalSeconds: 0.5, supervise: i === 0 },
      }),
    );
  }
  const boss = await startBoss(admin, { supervise: false });
  const before = counted.reduce((n, d) => n + d.roundTrips, 0);
  const started = Date.now();
  const jobs = Array.from({ length: POSTS }, (_, i) => ({
    id: `b-${run}-${i}`,
    account: `acct-${run}-${i % ACCOUNTS}`,
    request: video(world, `bench ${run} ${i}`),
  }));
  await submitPosts(admin, boss, jobs, world.clock.now());
  // The bench's own "all published yet?" polling (every 20 ms) is not the engine's cost: not counted.
  const observer = await open(); // PGlite: the same one connection (closed by the caller)
  const published = async () =>
    (
      await observer.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tokpipe.jobs WHERE state = 'published' AND left(id, char_length($1)) = $1`,
        [`b-${run}-`],
      )
    ).rows[0]!.n;
  await until(async () => (await published()) === POSTS);
  const seconds = (Date.now() - started) / 1000;
  const trips = counted.reduce((n, d) => n + d.roundTrips, 0) - before;
  if (observer.kind !== 'pglite') await observer.close();
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
  for (let i = 0; i < 4; i++)
    await boss.work(name, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async () => void done++);
  const started = Date.now();
  for (let i = 0; i < POSTS; i++) await boss.send(name, { i });
  await until(async () => done >= POSTS);
  const perSecond = POSTS / ((Date.now() - started) / 1000);
  await boss.stop({ graceful: false, close: false });
  return perSecond;
}

export async function engineBench(log: (line: string) => void): Promise<Figure[]> {
  const figures: Figure[] = [];
  const fig = (name: string, value: number, target: number, unit: string, pass: boolean) =>
    figures.push({ name: name as Figure['name'], value: Math.round(value * 100) / 100, target, unit, pass });
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
      log(
        `engine on PostgreSQL, ${workers} worker(s): ${r.perSecond.toFixed(1)} posts/s, ${r.roundTripsPerPost.toFixed(1)} SQL round trips per post`,
      );
      fig(`engine_posts_per_second_pg_${workers}`, r.perSecond, 0, 'posts/s (figure)', true);
      if (workers === 1)
        fig('engine_sql_round_trips_per_post', r.roundTripsPerPost, 12, 'round trips (<=)', r.roundTripsPerPost <= 12);
    }
    fig('engine_to_queue_ratio', one / raw, 0.5, 'ratio (>=)', one / raw >= 0.5);
    const { rows } = await (
      await open()
    ).query<{ bytes: number; posts: number }>(
      `SELECT pg_total_relation_size('tokpipe.ledger') + pg_total_relation_size('tokpipe.jobs') + pg_total_relation_size('tokpipe.kv') AS bytes, (SELECT count(*)::int FROM tokpipe.jobs) AS posts`,
    );
    fig(
      'engine_db_bytes_per_tracked_post',
      Number(rows[0]!.bytes) / rows[0]!.posts,
      4096,
      'bytes (<)',
      Number(rows[0]!.bytes) / rows[0]!.posts < 4096,
    );
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
    log(`engine on PGlite: ${r.perSecond.toFixed(1)} posts/s; reopen ${reopen} ms`);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const post = await postCommandFigures(log);
  fig('tokpipe_post_ms_embedded_first', post.first.ms, 0, 'ms wall, creates the database (figure)', true);
  fig('tokpipe_post_ms_embedded', post.embedded.ms, 1500, 'ms wall, reopen (<)', post.embedded.ms < 1500);
  fig('tokpipe_post_ms_client', post.client.ms, 0, 'ms wall, client of a running owner (figure)', true);
  fig('tokpipe_post_peak_rss_mib_embedded', post.embedded.rssMib, 400, 'MiB (<)', post.embedded.rssMib < 400);
  fig('tokpipe_post_peak_rss_mib_client', post.client.rssMib, 0, 'MiB (figure)', true);
  return figures;
}

/** `tokpipe post` (no --wait) against a sandbox on its default state, the embedded engine: the first
 * run (creates the database: initdb + migrations), a later run (a reopen), and a run while another
 * process owns the database (as while a campaign or `tokpipe serve` runs: a client, no PGlite loaded). */
async function postCommandFigures(
  log: (line: string) => void,
): Promise<Record<'first' | 'embedded' | 'client', { ms: number; rssMib: number }>> {
  const sb = await startSandbox({});
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tokpipe-bench-post-'));
  try {
    const demo = sb.admin.demo();
    const user = sb.admin.createUser();
    const token = sb.admin.issueToken(user.openId);
    const tokenFile = path.join(dir, 'token.json');
    writeFileSync(
      tokenFile,
      JSON.stringify({
        access_token: token.accessToken,
        refresh_token: token.refreshToken,
        expires_at: Math.floor(Date.now() / 1000) + 3600,
        scope: token.scope,
        open_id: user.openId,
      }),
    );
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TIKTOK_API_BASE_URL: sb.url,
      TIKTOK_CLIENT_KEY: demo.clientKey,
      TIKTOK_CLIENT_SECRET: demo.clientSecret,
    };
    const bin = path.join(__dirname, '../packages/cli/bin/tokpipe.js');
    let n = 0;
    const once = async (extra: Record<string, string>): Promise<{ ms: number; rssMib: number }> => {
      const started = Date.now();
      const args = [
        '-r',
        path.join(__dirname, 'rss-preload.js'),
        bin,
        'post',
        '--video-url',
        `${sb.url}/media/sample.mp4?b${++n}`,
        '--title',
        `bench post ${n}`,
        '--privacy',
        'SELF_ONLY',
        '--json',
        '--token-file',
        tokenFile,
      ];
      const { stderr, code } = await new Promise<{ stderr: string; code: number | null }>((resolve) => {
        const child = spawn(process.execPath, args, {
          cwd: dir,
          env: { ...env, ...extra },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('close', (c) => resolve({ stderr: err, code: c }));
      });
      if (code !== 0) throw new Error(`tokpipe post failed (${code}): ${stderr}`);
      return { ms: Date.now() - started, rssMib: Number(/maxrss_kib (\d+)/.exec(stderr)![1]) / 1024 };
    };
    const first = await once({}); // creates the database (initdb)
    await once({}); // warms the OS file cache
    const embedded = await once({});
    const owner = await openEmbedded(path.join(dir, '.tokpipe', 'pgdata'), { command: 'bench (owner)' });
    let client: { ms: number; rssMib: number };
    try {
      await once({});
      client = await once({});
    } finally {
      await owner.close();
    }
    log(
      `tokpipe post, embedded engine: first run ${first.ms} ms / ${first.rssMib.toFixed(0)} MiB peak; ` +
        `reopen ${embedded.ms} ms / ${embedded.rssMib.toFixed(0)} MiB; ` +
        `client of a running owner ${client.ms} ms / ${client.rssMib.toFixed(0)} MiB`,
    );
    return { first, embedded, client };
  } finally {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
