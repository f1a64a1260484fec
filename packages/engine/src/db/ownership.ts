// The embedded database belongs to one process at a time (PGlite must never be opened twice). The
// owner serves a tiny local socket: on Linux in the abstract namespace, which the kernel binds
// atomically and frees the moment the process dies (kill -9 included), so there is no stale lock to
// take over. Another process that finds it in use asks the owner who it is and gets a clear refusal.
import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export class EngineInUseError extends Error {
  override readonly name = 'EngineInUseError';
  constructor(
    readonly dataDir: string,
    readonly owner: { pid?: number; since?: string; command?: string },
  ) {
    super(
      `The embedded tokpipe database in ${dataDir} is in use by ${owner.pid ? `process ${owner.pid}` : 'another process'}` +
        `${owner.command ? ` (${owner.command})` : ''}${owner.since ? ` since ${owner.since}` : ''}. ` +
        'Embedded mode serves one process at a time. Wait for it to finish, or run every process on one PostgreSQL: ' +
        'set DATABASE_URL=postgres://... (or pass --database) for all of them.',
    );
  }
}

export interface Ownership {
  release(): Promise<void>;
}

function socketAddress(dataDir: string): { address: string; file: string | null } {
  const id = createHash('sha256').update(dataDir).digest('hex').slice(0, 32);
  if (process.platform === 'linux') return { address: `\0tokpipe-engine-${id}`, file: null };
  // Elsewhere a socket file; a stale one (its owner died) is removed when nobody answers on it.
  const file = path.join(dataDir, 'engine.sock');
  return { address: file, file };
}

function listen(server: net.Server, address: string): Promise<'ok' | 'in_use'> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve('in_use') : reject(error));
    server.once('error', onError);
    server.listen(address, () => {
      server.off('error', onError);
      resolve('ok');
    });
  });
}

function askOwner(address: string): Promise<{ pid?: number; since?: string; command?: string } | 'nobody'> {
  return new Promise((resolve) => {
    const socket = net.connect(address);
    let text = '';
    // The owner may be busy (compiling PGlite's WASM blocks its event loop for seconds): be patient.
    socket.setTimeout(15_000, () => socket.destroy());
    socket.on('data', (d) => (text += d.toString()));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? 'nobody' : {}),
    );
    socket.on('close', () => {
      try {
        resolve(JSON.parse(text) as { pid?: number; since?: string; command?: string });
      } catch {
        resolve({});
      }
    });
  });
}

/** Takes the embedded database in `dataDir` for this process, or throws EngineInUseError. */
export async function acquireOwnership(
  dataDir: string,
  command = process.argv.slice(2, 4).join(' '),
): Promise<Ownership> {
  mkdirSync(dataDir, { recursive: true });
  const real = realpathSync(dataDir);
  const { address, file } = socketAddress(real);
  const info = JSON.stringify({
    pid: process.pid,
    since: new Date().toISOString(),
    command: command ? `tokpipe ${command}` : undefined,
  });
  const server = net.createServer((socket) => {
    // An asker that hangs up early must never take the owner down.
    socket.on('error', () => undefined);
    socket.end(info);
  });
  server.on('error', () => undefined);
  for (let tries = 0; ; tries++) {
    if ((await listen(server, address)) === 'ok') break;
    const owner = await askOwner(address);
    if (owner !== 'nobody' || !file || tries > 0) throw new EngineInUseError(real, owner === 'nobody' ? {} : owner);
    unlinkSync(file); // a socket file nobody serves: its owner died
  }
  server.unref(); // the lock never keeps the process alive by itself
  return {
    release: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
