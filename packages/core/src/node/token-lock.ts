// A lock file next to a token file, so processes sharing it refresh one at a time (two cron jobs that
// both find the access token expired must not both spend the rotating refresh token).
// Acquire: create `<file>.lock` with O_EXCL. A lock whose holder died (same host, pid gone) or that is
// older than `staleMs` is taken over atomically: rename(2) moves exactly one file away, and the taker
// checks it moved the lock it judged stale (its nonce) before competing for a fresh O_EXCL create.
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

export interface TokenLockOptions {
  /** A lock older than this is abandoned (a refresh is one request; its timeout is far shorter). */
  staleMs?: number;
  /** Give up waiting after this long. */
  maxWaitMs?: number;
  /** Between looks at a held lock. */
  pollMs?: number;
  /** Waits between looks (injectable: tests, scaled clocks). Default: a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Told once per acquisition when another process holds the lock. */
  onWait?: (holder: LockHolder) => void;
}

export interface LockHolder {
  pid: number;
  host: string;
  nonce: string;
  /** Epoch ms when it was taken. */
  at: number;
}

export const TOKEN_LOCK_DEFAULTS = { staleMs: 120_000, maxWaitMs: 180_000, pollMs: 50 } as const;

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function lockPathFor(file: string): string {
  return `${file}.lock`;
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(path, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.nonce !== 'string' || typeof parsed.pid !== 'number' || typeof parsed.at !== 'number')
      return undefined;
    return { pid: parsed.pid, host: String(parsed.host ?? ''), nonce: parsed.nonce, at: parsed.at };
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Pure: is this holder's lock abandoned? */
export function isStale(
  holder: LockHolder | undefined,
  mtimeMs: number,
  now: number,
  staleMs: number,
  host = hostname(),
): boolean {
  if (!holder) return now - mtimeMs > Math.min(staleMs, 5_000); // torn or foreign content: short grace, then gone
  if (holder.host === host && !processAlive(holder.pid)) return true;
  return now - holder.at > staleMs;
}

/** Removes the stale lock `seen`, and only it. */
async function takeOver(lockPath: string, seen: LockHolder | undefined): Promise<void> {
  const moved = `${lockPath}.${seen?.nonce ?? randomBytes(6).toString('hex')}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await fs.rename(lockPath, moved); // atomic: of all takers, exactly one moves it
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // released or taken over meanwhile
    throw error;
  }
  const movedHolder = await readHolder(moved);
  if (seen && movedHolder?.nonce !== seen.nonce) {
    // The stale lock was released and a live one created between our look and the rename: put it back.
    await fs.link(moved, lockPath).catch(() => undefined);
  }
  await fs.rm(moved, { force: true });
}

/** Holds `<file>.lock` while `fn` runs. */
export async function withTokenFileLock<T>(
  file: string,
  fn: () => Promise<T>,
  options: TokenLockOptions = {},
): Promise<T> {
  const staleMs = options.staleMs ?? TOKEN_LOCK_DEFAULTS.staleMs;
  const maxWaitMs = options.maxWaitMs ?? TOKEN_LOCK_DEFAULTS.maxWaitMs;
  const pollMs = options.pollMs ?? TOKEN_LOCK_DEFAULTS.pollMs;
  const sleep = options.sleep ?? realSleep;
  const lockPath = lockPathFor(file);
  const me: LockHolder = { pid: process.pid, host: hostname(), nonce: randomBytes(12).toString('hex'), at: Date.now() };
  let waited = 0;
  let told = false;
  for (;;) {
    me.at = Date.now();
    try {
      const handle = await fs.open(lockPath, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(me), 'utf8');
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readHolder(lockPath);
    const stat = await fs.stat(lockPath).catch(() => undefined);
    if (!stat) continue; // released between our create and our look
    if (isStale(holder, stat.mtimeMs, Date.now(), staleMs)) {
      await takeOver(lockPath, holder);
      continue;
    }
    if (!told && holder) {
      told = true;
      options.onWait?.(holder);
    }
    if (waited >= maxWaitMs) {
      throw new Error(
        `token file ${file} is locked by process ${holder?.pid ?? '?'} (${lockPath}); waited ${Math.round(waited / 1000)} s`,
      );
    }
    await sleep(pollMs);
    waited += pollMs;
  }
  try {
    return await fn();
  } finally {
    // Remove only our own lock (a taker may have judged us stale and replaced it).
    const holder = await readHolder(lockPath);
    if (holder?.nonce === me.nonce) await fs.rm(lockPath, { force: true });
  }
}
