// The SIGKILL variant: the sandbox (TikTok) lives in this process; the pipeline runs in a child
// process over a FileStore and is killed with SIGKILL at random moments, then started again on the
// same store, until it finishes. Then the same audit as the in-process soak, from the store the
// killed processes left behind and from what the sandbox holds.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Pipeline } from '@tokpipe/core';
import { FileStore } from '@tokpipe/core/node';
import { startSandbox } from '@tokpipe/sandbox';
import { openEmbedded, SqlStore } from '../../packages/engine/src';
import { audit, chaosFaults, createAccounts, requestStats, soakSandboxConfig, soakSpecs, type SoakAudit } from './soak';
import type { WorkerConfig } from './worker';

export interface KillSoakOptions {
  posts: number;
  accounts: number;
  seed: number;
  /** SIGKILLs to deliver (each at a random moment while the worker runs). */
  kills: number;
  /** When to kill each (re)started worker: after a number of pipeline events uniform in [min, max]
   * (no timers: the moment follows the work), or after real ms uniform in [min, max]. */
  killAfter: { events: [number, number] } | { ms: [number, number] };
  scale: number;
  revocations: number;
  slowMs?: number;
  requestTimeoutMs?: number;
  reconcileWindowMs?: number;
  progress?: (line: string) => void;
  /** Where the worker keeps its state (default the FileStore). */
  engine?: 'file' | 'embedded';
}

export interface KillSoakResult extends SoakAudit {
  kills: number;
  starts: number;
  requests: Record<string, number>;
  faults: Record<string, number>;
  realSeconds: number;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Seeded dice for the kill moments (mulberry32). */
function dice(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runKillSoak(o: KillSoakOptions): Promise<KillSoakResult> {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokpipe-chaos-'));
  const sb = await startSandbox({
    timeScale: o.scale,
    seed: o.seed,
    faults: chaosFaults({ slowMs: o.slowMs }),
    config: soakSandboxConfig,
    workIntervalMs: 10,
  });
  const roll = dice(o.seed);
  try {
    const demo = sb.admin.demo();
    const accounts = createAccounts(sb, o.accounts);
    const webhookPort = await freePort();
    sb.admin.setConfig({ webhookUrl: `http://127.0.0.1:${webhookPort}/tiktok/webhook` });
    const runId = `k${o.seed}`;
    const config: WorkerConfig = {
      sandboxUrl: sb.url,
      clientKey: demo.clientKey,
      clientSecret: demo.clientSecret,
      accounts,
      storePath: path.join(dir, 'tokpipe.db'),
      engine: o.engine ?? 'file',
      posts: o.posts,
      runId,
      webhookPort,
      scale: o.scale,
      virtualOrigin: sb.admin.now(),
      realOrigin: Date.now(),
      requestTimeoutMs: o.requestTimeoutMs ?? 1_000,
      reconcileWindowMs: o.reconcileWindowMs ?? 3_600_000,
    };
    const configPath = path.join(dir, 'worker.json');
    fs.writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });

    let kills = 0;
    let starts = 0;
    let revoked = 0;
    for (;;) {
      starts++;
      const child = spawn(
        process.execPath,
        ['-r', path.join(__dirname, 'ts-hook.js'), path.join(__dirname, 'worker.ts'), configPath],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      let timer: NodeJS.Timeout | undefined;
      let events = 0;
      let killAtEvent = Infinity;
      const arm = () => {
        // Counted from when the pipeline is up (loading modules takes seconds on a busy machine).
        if (kills >= o.kills || timer || killAtEvent !== Infinity) return;
        if ('events' in o.killAfter) {
          const [min, max] = o.killAfter.events;
          killAtEvent = Math.floor(min + roll() * (max - min + 1));
        } else {
          const [min, max] = o.killAfter.ms;
          timer = setTimeout(() => child.kill('SIGKILL'), min + roll() * (max - min));
        }
      };
      let partial = '';
      child.stdout.on('data', (c: Buffer) => {
        const lines = (partial + c.toString()).split('\n');
        partial = lines.pop()!;
        for (const line of lines) {
          if (line === 'UP') arm();
          else if (line === 'E') events++;
          else out = `${out}${line}\n`.slice(-4000);
        }
        if (events >= killAtEvent && child.exitCode === null) child.kill('SIGKILL');
      });
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal })),
      );
      const { code, signal } = await exited;
      if (timer) clearTimeout(timer);
      if (signal === 'SIGKILL') {
        kills++;
        o.progress?.(
          `kill ${kills}: SIGKILL after start ${starts}; ${sb.admin.posts().filter((p) => p.status === 'PUBLISH_COMPLETE').length} public posts so far`,
        );
        // A creator disconnects the app while the pipeline is down (tokens revoked, authorization.removed queued).
        if (revoked < o.revocations && kills % 2 === 0)
          sb.admin.removeAuthorization(accounts[accounts.length - 1 - revoked++]!.openId);
        continue;
      }
      if (code !== 0 || !`${out}${partial}`.includes('DONE'))
        throw new Error(`worker exited with ${code ?? signal}: ${out.slice(-2000)}`);
      break;
    }

    // Read what the killed and restarted processes left in the store (no posting: never started).
    const db = o.engine === 'embedded' ? await openEmbedded(`${config.storePath}.pgdata`) : undefined;
    const store = db ? new SqlStore(db) : FileStore.open(config.storePath);
    const pipeline = await Pipeline.open({
      store,
      clock: { now: () => sb.admin.now(), sleep: async () => undefined },
      posterFor: () => {
        throw new Error('audit only');
      },
    });
    const specs = soakSpecs(sb.url, o.posts, accounts, runId);
    const result = audit(pipeline.listJobs(), await pipeline.deadLetters.list(), sb.admin.posts(), specs);
    if (db) await db.close();
    else (store as FileStore).close();
    // For a duplicate: both posts and every init that carried its caption, to name the defect.
    const dupTitles = new Set(
      result.violations
        .filter((v) => v.includes('public posts on TikTok'))
        .map((v) => specs.find((s) => v.startsWith(`${s.label}:`))?.title),
    );
    for (const title of dupTitles) {
      const posts = sb.admin
        .posts()
        .filter((p) => p.title === title)
        .map((p) => ({ publishId: p.publishId, status: p.status, createdAt: p.createdAt }));
      const inits = sb.admin
        .requests({ endpoint: 'video.init' })
        .filter((r) => JSON.stringify(r.body).includes(String(title)))
        .map((r) => ({ seq: r.seq, time: r.time, status: r.status, fault: r.fault }));
      result.violations.push(`  ${title}: posts ${JSON.stringify(posts)} inits ${JSON.stringify(inits)}`);
    }
    const stats = requestStats(sb);
    return {
      ...result,
      kills,
      starts,
      requests: stats.byEndpoint,
      faults: stats.faults,
      realSeconds: (Date.now() - started) / 1000,
    };
  } finally {
    await sb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
