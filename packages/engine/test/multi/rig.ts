// The multi-process rig: a fresh PostgreSQL database, the sandbox on a clock every process computes
// the same way, accounts with tokens in the database, post jobs submitted, and worker processes
// (worker-entry.ts) started from one JSON config.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AccountRegistry, type Clock } from '@tokpipe/core';
import { startSandbox, type Sandbox, type SandboxOptions } from '@tokpipe/sandbox';
import {
  anchoredClock,
  jobCounts,
  migrate,
  openPostgres,
  startBoss,
  SqlStore,
  sqlTokenStore,
  submitPosts,
  type Db,
  type WorkerProcessConfig,
} from '../../src';
import { createPostgresDatabase, type TestDatabase } from '../databases';

const repoRoot = path.resolve(__dirname, '../../../..');
export const SCALE = 0.02; // 1 real ms = 50 virtual ms

export interface RigOptions {
  accounts: number;
  posts: number;
  ttlSec: number;
  /** Account i's first token expires at origin + expiresAfterMs(i) (accounts connected at different times). */
  expiresAfterMs(i: number): number;
  faults: SandboxOptions['faults'];
  seed: number;
  /** Runs on the sandbox before anything else (scripted faults). */
  prepare?(sb: Sandbox): void;
  /** Worker processes started (and ready) before the tokens are issued and the jobs submitted. */
  workers: number;
}

export interface WorkerChild extends ChildProcess {
  ready: Promise<void>;
  /** The worker's id (it names it in refresh markers and reasons). */
  workerId: Promise<string>;
}

export interface Rig {
  db: Db;
  sb: Sandbox;
  clock: Clock;
  openIds: string[];
  titles: string[];
  /** Clock time each account's first token expires. */
  firstExpiry: number[];
  config: WorkerProcessConfig;
  workers: WorkerChild[];
  startWorker(name: string): WorkerChild;
  until(check: () => Promise<boolean>, what: string, limitMs: number): Promise<void>;
  /** Accounts marked needs_reauth, with their reason. */
  reauth(): Promise<Map<string, string>>;
  close(): Promise<void>;
}

export async function startRig(options: RigOptions): Promise<Rig> {
  const database: TestDatabase = await createPostgresDatabase();
  const db = openPostgres(database.url);
  await migrate(db);
  const shared = { scale: SCALE, virtualOrigin: Date.UTC(2026, 0, 5, 9), realOrigin: Date.now() };
  const clock = anchoredClock(shared);
  const sb = await startSandbox({
    clock,
    seed: options.seed,
    faults: options.faults,
    config: { accessTokenTtlSec: options.ttlSec, strictRefreshRotation: true, directPostDailyCap: 100_000 },
  });
  options.prepare?.(sb);
  const demo = sb.admin.demo();
  // Jobs take the queue's expiry and retry settings when they are sent: the same as the workers'.
  const bossOptions = { expireInSeconds: 8, retryLimit: 6, retryDelaySeconds: 1, pollingIntervalSeconds: 0.5 };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tokpipe-multi-'));
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
  const children = new Set<ChildProcess>();

  const startWorker = (name: string): WorkerChild => {
    const child = spawn(
      process.execPath,
      ['-r', path.join(repoRoot, 'test/chaos/ts-hook.js'), path.join(__dirname, 'worker-entry.ts'), configPath],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: repoRoot },
    );
    children.add(child);
    child.on('exit', () => children.delete(child));
    let err = '';
    let out = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const workerId = new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const ready = /worker (\S+) ready/.exec(out);
        if (ready) resolve(ready[1]!);
      });
      child.on('exit', (code) => reject(new Error(`${name} exited (${code}) before ready: ${err.slice(-2000)}`)));
    });
    return Object.assign(child, { workerId, ready: workerId.then(() => undefined) });
  };

  // pg-boss's schema first: workers starting at once on a fresh database race to create it.
  const boss = await startBoss(db, { ...bossOptions, supervise: false });
  // The workers are up before any token or job exists: a token's lifetime starts when work can begin.
  const workers = Array.from({ length: options.workers }, (_, i) => startWorker(`worker ${i}`));
  await Promise.all(workers.map((w) => w.ready));
  const registry = new AccountRegistry(new SqlStore(db), clock);
  await registry.load();
  const openIds: string[] = [];
  const firstExpiry: number[] = [];
  for (let i = 0; i < options.accounts; i++) {
    const user = sb.admin.createUser();
    const afterMs = options.expiresAfterMs(i);
    const issued = sb.admin.issueToken(user.openId, { expiresIn: Math.round(afterMs / 1000) });
    openIds.push(user.openId);
    firstExpiry.push(clock.now() + afterMs);
    // The sandbox's daily cap is raised for the run; the account's own cap (tokpipe's 15/day default) too.
    await registry.add({ id: `acct-${i}`, openId: user.openId, caps: { directPerDay: options.posts } });
    await sqlTokenStore(db, `acct-${i}`).save({
      access_token: issued.accessToken,
      refresh_token: issued.refreshToken,
      expires_at: firstExpiry[i]!,
      scope: issued.scope,
      open_id: user.openId,
    });
  }
  const titles = Array.from({ length: options.posts }, (_, i) => `multi row ${i}`);
  const jobs = titles.map((title, i) => ({
    id: `row-${i}`,
    account: `acct-${i % options.accounts}`,
    request: {
      mode: 'direct' as const,
      media: { type: 'video_url' as const, url: `${sb.url}/media/sample.mp4` },
      title,
      // Every other row public: an init whose reply is lost is then found in the video list by the sweep.
      privacyLevel: i % 2 ? ('PUBLIC_TO_EVERYONE' as const) : ('SELF_ONLY' as const),
    },
  }));
  const created = (await submitPosts(db, boss, jobs, clock.now())).created;
  if (created !== options.posts) throw new Error(`submitted ${created} of ${options.posts}`);
  await boss.stop({ graceful: false, close: false });

  const until = async (check: () => Promise<boolean>, what: string, limitMs: number): Promise<void> => {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > limitMs)
        throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await jobCounts(db))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const reauth = async (): Promise<Map<string, string>> => {
    const { rows } = await db.query<{ id: string; reason: string }>(
      `SELECT value::jsonb->>'id' AS id, value::jsonb->>'statusReason' AS reason FROM tokpipe.kv
       WHERE key LIKE 'tokpipe/pipeline/account/%' AND value::jsonb->>'status' = 'needs_reauth'`,
    );
    return new Map(rows.map((r) => [r.id, r.reason]));
  };

  return {
    db,
    sb,
    clock,
    openIds,
    titles,
    firstExpiry,
    config,
    workers,
    startWorker,
    until,
    reauth,
    async close() {
      for (const child of children) child.kill('SIGKILL');
      await sb.close();
      await db.close();
      if (!process.env.TOKPIPE_MULTI_KEEP) await database.drop();
      else console.log(`kept ${database.url}`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Stops workers gracefully (SIGTERM: posts in flight finish and are recorded). */
export async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.on('exit', r)))));
}
