// Runs the real `tokpipe` bin (packages/cli/bin/tokpipe.js → dist, built by `npm run build`).
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Sandbox } from '@tokpipe/sandbox';

import { openEmbedded, type Db } from '../../packages/engine/src';
import { seedEmbedded, seedEmbeddedSync } from '../../packages/engine/test/embedded-template';

export const ROOT = path.resolve(__dirname, '../..');

/** Where the command's embedded state lives (as the engine's stateLocation), when it uses one. */
function embeddedDir(args: string[], env: NodeJS.ProcessEnv, cwd: string): string | null {
  if (env.DATABASE_URL || args.includes('--database') || args.includes('--sandbox') || cwd === ROOT) return null;
  const i = args.indexOf('--store');
  const store = i >= 0 ? args[i + 1] : env.TOKPIPE_STORE;
  return store ? `${path.resolve(cwd, store)}.pgdata` : path.join(cwd, '.tokpipe', 'pgdata');
}
export const BIN = path.join(ROOT, 'packages/cli/bin/tokpipe.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Env for a child: nothing inherited that could point it at real TikTok. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TOKPIPE_TIME_SCALE: '0.001',
    ...extra,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

const shared = new Map<string, Promise<Db>>();
// Registered when a test file imports this module, so it runs before that file's own afterAll (which
// may delete the directories).
if (typeof afterAll === 'function')
  afterAll(async () => {
    const open = [...shared.values()];
    shared.clear();
    await Promise.all(open.map(async (db) => (await db).close()));
  });

/** Opens `dir`'s embedded state in this (test) process until the test file ends: every command run there
 * is then its client, as commands are while a campaign or `tokpipe serve` runs, and loads no PGlite (a
 * process that opens PGlite itself pays ~0.7 s, several on a busy machine). For files that run many. */
export function shareState(dir: string): Promise<Db> {
  const dataDir = path.join(dir, '.tokpipe', 'pgdata');
  let db = shared.get(dataDir);
  if (!db) {
    db = seedEmbedded(dataDir).then(() => openEmbedded(dataDir, { command: 'test (shared state)' }));
    shared.set(dataDir, db);
  }
  return db;
}

/** Runs the CLI. A working directory without an embedded database gets a copy of the test template
 * (what the first command there would create, without its initdb). */
export async function runCli(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<CliResult> {
  const dataDir = embeddedDir(args, env, cwd);
  if (dataDir) await seedEmbedded(dataDir);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export interface LiveCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stderr/stdout match of `pattern`. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<RegExpMatchArray>;
  exited: Promise<CliResult>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): LiveCli {
  const dataDir = embeddedDir(args, env, cwd);
  if (dataDir) seedEmbeddedSync(dataDir);
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const buffers = { stdout: '', stderr: '' };
  const waiters: Array<() => void> = [];
  const wake = (): void => waiters.splice(0).forEach((w) => w());
  child.stdout!.on('data', (d: Buffer) => {
    buffers.stdout += d.toString();
    wake();
  });
  child.stderr!.on('data', (d: Buffer) => {
    buffers.stderr += d.toString();
    wake();
  });
  const exited = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => {
      resolve({ code, signal, ...buffers });
      wake();
    }),
  );
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    stdout: () => buffers.stdout,
    stderr: () => buffers.stderr,
    exited,
    waitFor(pattern, stream = 'stderr') {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = buffers[stream].match(pattern);
          if (m) resolve(m);
          else if (done) reject(new Error(`tokpipe exited before printing ${pattern}: ${buffers.stderr}`));
          else waiters.push(check);
        };
        check();
      });
    },
  };
}

export function parseJsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** `tokpipe webhooks listen --port 0 --json` verifying with `secret`, and the URL it listens on. */
export async function startWebhookListener(secret: string): Promise<{ cli: LiveCli; url: string }> {
  const cli = startCli(
    ['webhooks', 'listen', '--port', '0', '--json'],
    cliEnv({ TIKTOK_CLIENT_SECRET: secret, TOKPIPE_TIME_SCALE: '1' }),
  );
  const url = (await cli.waitFor(/listening for TikTok webhooks on (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!;
  return { cli, url };
}

/** A token file as `tokpipe auth login` writes it (0600), with fresh sandbox tokens for `openId` whose access
 * token expires in `ttlSec`; returns the tokens, for secret scans. */
export async function writeSandboxTokenFile(
  sb: Sandbox,
  file: string,
  openId: string,
  ttlSec = 3600,
): Promise<{ accessToken: string; refreshToken: string }> {
  const token = sb.admin.issueToken(openId);
  const data = {
    access_token: token.accessToken,
    refresh_token: token.refreshToken,
    expires_at: Math.floor(Date.now() / 1000) + ttlSec,
    scope: token.scope,
    open_id: openId,
  };
  await fs.writeFile(file, JSON.stringify(data), { mode: 0o600 });
  return token;
}
