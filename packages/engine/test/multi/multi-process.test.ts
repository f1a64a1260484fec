// Issue 15's proof: 3 worker processes on one PostgreSQL, 20 accounts, the sandbox's hostile fault
// profile, access tokens that expire during the run with strict rotation, one worker SIGKILLed
// mid-run and restarted. Counted from the sandbox's own records: no duplicate, no lost row, no 429
// of ours, one refresh per expiry per account, no invalid_grant.
// Size: TOKPIPE_MULTI_POSTS (default 100 for CI; the issue's full run is 1000).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import {
  anchoredClock,
  jobCounts,
  migrate,
  openPostgres,
  startBoss,
  sqlTokenStore,
  submitPosts,
  type Db,
  type WorkerProcessConfig,
} from '../../src';
import { createPostgresDatabase, type TestDatabase } from '../databases';

const POSTS = Number(process.env.TOKPIPE_MULTI_POSTS ?? 100);
const ACCOUNTS = 20;
const TTL_SEC = 600; // access tokens live 10 virtual minutes: several expiries per account in a run
const SCALE = 0.02; // 1 real ms = 50 virtual ms
const SETTLED = ['published', 'unconfirmed', 'unknown', 'dead'];
const repoRoot = path.resolve(__dirname, '../../../..');

jest.setTimeout(600_000);

let database: TestDatabase;
let db: Db;
let sb: Sandbox;
let dir: string;
const children = new Set<ChildProcess>();

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await sb?.close();
  await db?.close();
  if (!process.env.TOKPIPE_MULTI_KEEP) await database?.drop();
  else console.log(`kept ${database?.url}`);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function startWorkerProcess(configPath: string, name: string): ChildProcess & { ready: Promise<void> } {
  const child = spawn(
    process.execPath,
    ['-r', path.join(repoRoot, 'test/chaos/ts-hook.js'), path.join(__dirname, 'worker-entry.ts'), configPath],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: repoRoot,
    },
  );
  children.add(child);
  child.on('exit', () => children.delete(child));
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`${name} exited (${code}) before ready: ${err.slice(-2000)}`)));
  });
  return Object.assign(child, { ready });
}

async function until(check: () => Promise<boolean>, what: string, limitMs: number): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > limitMs)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await jobCounts(db))}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test(`3 worker processes, ${ACCOUNTS} accounts, ${POSTS} posts, hostile faults, rotation, one kill -9`, async () => {
  database = await createPostgresDatabase();
  db = openPostgres(database.url);
  await migrate(db);
  const shared = { scale: SCALE, virtualOrigin: Date.UTC(2026, 0, 5, 9), realOrigin: Date.now() };
  const clock = anchoredClock(shared);
  sb = await startSandbox({
    clock,
    seed: 15,
    faults: 'hostile',
    config: { accessTokenTtlSec: TTL_SEC, strictRefreshRotation: true, directPostDailyCap: 100_000 },
  });
  const demo = sb.admin.demo();
  const openIds: string[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const user = sb.admin.createUser();
    const issued = sb.admin.issueToken(user.openId, { expiresIn: TTL_SEC });
    openIds.push(user.openId);
    await sqlTokenStore(db, `acct-${i}`).save({
      access_token: issued.accessToken,
      refresh_token: issued.refreshToken,
      expires_at: clock.now() + TTL_SEC * 1000,
      scope: issued.scope,
      open_id: user.openId,
    });
  }
  // Jobs take the queue's expiry and retry settings when they are sent: the same as the workers'.
  const bossOptions = { expireInSeconds: 8, retryLimit: 6, retryDelaySeconds: 1, pollingIntervalSeconds: 0.5 };
  const boss = await startBoss(db, { ...bossOptions, supervise: false });
  const titles = Array.from({ length: POSTS }, (_, i) => `multi row ${i}`);
  const jobs = titles.map((title, i) => ({
    id: `row-${i}`,
    account: `acct-${i % ACCOUNTS}`,
    request: {
      mode: 'direct' as const,
      media: { type: 'video_url' as const, url: `${sb.url}/media/sample.mp4` },
      title,
      privacyLevel: 'SELF_ONLY' as const,
    },
  }));
  expect((await submitPosts(db, boss, jobs, clock.now())).created).toBe(POSTS);
  await boss.stop({ graceful: false, close: false });

  dir = mkdtempSync(path.join(os.tmpdir(), 'tokpipe-multi-'));
  const config: WorkerProcessConfig = {
    databaseUrl: database.url,
    baseUrl: sb.url,
    clientKey: demo.clientKey,
    clientSecret: demo.clientSecret,
    concurrency: 4,
    requestTimeoutMs: 1_500,
    limiterMarginMs: 10_000, // 200 real ms: arrival order at the sandbox vs. the moment a slot was taken
    refreshAheadMs: 2 * 60_000,
    sweepEveryMs: 60_000,
    boss: bossOptions,
    sharedClock: shared,
  };
  const configPath = path.join(dir, 'worker.json');
  writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });

  const workers = [0, 1, 2].map((i) => startWorkerProcess(configPath, `worker ${i}`));
  await Promise.all(workers.map((w) => w.ready));
  // Kill one worker once a third of the rows are done, mid-post (its active jobs expire and are retried).
  await until(async () => (await jobCounts(db)).published >= POSTS / 3, 'a third published', 240_000);
  workers[0]!.kill('SIGKILL');
  const killedAt = clock.now();
  const restarted = startWorkerProcess(configPath, 'worker 0 restarted');
  await restarted.ready;
  // Settled, or waiting for an account that needs a new login (see below).
  const reauthAccounts = async () =>
    (
      await db.query<{ id: string }>(
        `SELECT value::jsonb->>'id' AS id FROM tokpipe.kv WHERE key LIKE 'tokpipe/pipeline/account/%' AND value::jsonb->>'status' = 'needs_reauth'`,
      )
    ).rows.map((r) => r.id);
  const unsettled = async () =>
    (
      await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tokpipe.jobs WHERE NOT (state = ANY($1::text[])) AND NOT (account = ANY($2::text[]) AND state = 'queued')`,
        [SETTLED, await reauthAccounts()],
      )
    ).rows[0]!.n;
  await until(
    async () => (await unsettled()) === 0,
    'every row settled',
    Number(process.env.TOKPIPE_MULTI_SETTLE_MS ?? 400_000),
  );
  for (const w of [workers[1]!, workers[2]!, restarted]) w.kill('SIGTERM');
  await Promise.all(
    [workers[1]!, workers[2]!, restarted].map(
      (w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.on('exit', r))),
    ),
  );

  // 0 duplicates: at most one post per row that is not FAILED (a FAILED one is re-posted by design).
  const live = new Map<string, number>();
  for (const post of sb.admin.posts())
    if (post.status !== 'FAILED') live.set(post.title ?? '', (live.get(post.title ?? '') ?? 0) + 1);
  expect(titles.filter((t) => (live.get(t) ?? 0) > 1)).toEqual([]);

  // 0 lost rows: every row is published (and on TikTok), or parked with its reason where a person sees it.
  const rows = (
    await db.query<{ id: string; account: string; state: string; title: string }>(
      `SELECT id, account, state, spec->'request'->>'title' AS title FROM tokpipe.jobs`,
    )
  ).rows;
  const reauth = await reauthAccounts();
  expect(rows).toHaveLength(POSTS);
  const dlq = new Set((await db.query<{ job_id: string }>('SELECT job_id FROM tokpipe.dlq')).rows.map((r) => r.job_id));
  const reconcile = new Set(
    (await db.query<{ job_id: string }>('SELECT job_id FROM tokpipe.reconcile')).rows.map((r) => r.job_id),
  );
  for (const row of rows) {
    if (row.state === 'published') expect([row.id, live.get(row.title)]).toEqual([row.id, 1]);
    else if (row.state === 'dead') expect([row.id, dlq.has(row.id)]).toEqual([row.id, true]);
    else if (row.state === 'queued') expect([row.id, reauth.includes(row.account)]).toEqual([row.id, true]);
    else expect([row.id, row.state, reconcile.has(row.id)]).toEqual([row.id, row.state, true]);
  }
  const counts = await jobCounts(db);
  expect(counts.published ?? 0).toBeGreaterThan(POSTS * 0.6);

  // 0 rate_limit_exceeded that TikTok's own limits produced (the profile injects some on purpose).
  expect(sb.admin.requests().filter((r) => r.errorCode === 'rate_limit_exceeded' && r.fault === null)).toEqual([]);

  // Refreshes: none refused, and one per expiry per account (no two for the same token lifetime).
  // The one exception no client can avoid: the SIGKILL landed inside a refresh round trip (TikTok
  // rotated the token, the process died before storing the reply). Then, and only then, that account's
  // next refresh is refused; it is marked needs_reauth and its rows wait queued (asserted above).
  const tokenCalls = sb.admin.requests({ endpoint: 'oauth.token' });
  const refusedAccounts = [...new Set(tokenCalls.filter((r) => r.errorCode === 'invalid_grant').map((r) => r.openId!))];
  for (const openId of refusedAccounts) {
    const first = tokenCalls.find((r) => r.openId === openId && r.errorCode === 'invalid_grant')!;
    const lastGood = tokenCalls
      .filter((r) => r.openId === openId && r.seq < first.seq && r.status === 200 && r.errorCode === null)
      .pop();
    const story = tokenCalls
      .filter((r) => r.openId === openId && r.seq <= first.seq)
      .map((r) => `${r.time - killedAt}ms:${r.status}/${r.errorCode}`);
    console.log(`invalid_grant for ${openId}; its token calls (ms after the kill): ${story.join(' ')}`);
    // Its last accepted refresh was answered within 60 virtual s (1.2 real s) before the kill.
    expect([openId, lastGood !== undefined && lastGood.time <= killedAt && killedAt - lastGood.time <= 60_000]).toEqual(
      [openId, true],
    );
    expect(reauth).toContain(`acct-${openIds.indexOf(openId)}`);
  }
  expect(refusedAccounts.length).toBeLessThanOrEqual(config.concurrency!); // refreshes the killed worker had in flight
  const refreshes = tokenCalls.filter((r) => r.status === 200 && r.errorCode === null);
  expect(refreshes.length).toBeGreaterThan(0);
  for (const openId of openIds.filter((o) => !refusedAccounts.includes(o))) {
    const times = refreshes
      .filter((r) => r.openId === openId)
      .map((r) => r.time)
      .sort((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect([openId, gaps.filter((g) => g < TTL_SEC * 1000 * 0.4)]).toEqual([openId, []]);
  }
  console.log(
    `multi-process: ${JSON.stringify(counts)}, refreshes ${refreshes.length}, token calls ${tokenCalls.length}`,
  );
});
