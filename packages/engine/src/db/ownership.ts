// The embedded database belongs to one process at a time (PGlite must never be opened twice). The
// owner serves a local socket: on Linux in the abstract namespace, which the kernel binds atomically
// and frees the moment the process dies (kill -9 included), so there is no stale lock to take over.
// Another process that finds it in use reads the owner's greeting (who it is, whether it serves
// clients) and either becomes its client (client.ts: its statements run on the owner's database) or
// gets a clear refusal pointing at DATABASE_URL.
import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { readLines } from './wire';

export interface OwnerInfo {
  pid?: number;
  since?: string;
  command?: string;
  /** The owner runs this engine's statements for other processes. */
  clients?: boolean;
}

export class EngineInUseError extends Error {
  override readonly name = 'EngineInUseError';
  constructor(
    readonly dataDir: string,
    readonly owner: OwnerInfo,
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

/** A connection to the owner, its greeting read; `listen` takes every later message. */
export interface OwnerLink {
  socket: net.Socket;
  owner: OwnerInfo;
  listen(onMessage: (message: unknown) => void): void;
}

export interface OwnershipOptions {
  /** Shown to a process that finds the database in use (default: this process's `tokpipe` subcommand). */
  command?: string;
  /** Serves a client connection (after the greeting); without it, askers only learn who owns it. */
  onClient?: (socket: net.Socket) => void;
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

/** Connects to the owner and reads its greeting; 'nobody' when no process serves the address. */
function connectOwner(address: string): Promise<OwnerLink | 'nobody'> {
  return new Promise((resolve) => {
    const socket = net.connect(address);
    let listener: ((message: unknown) => void) | undefined;
    let greeted = false;
    const settle = (value: OwnerLink | 'nobody') => {
      if (greeted) return;
      greeted = true;
      socket.setTimeout(0);
      resolve(value);
    };
    // The owner may be busy (compiling PGlite's WASM blocks its event loop for seconds): be patient.
    socket.setTimeout(15_000, () => socket.destroy());
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') settle('nobody');
    });
    socket.on('close', () => settle({ socket, owner: {}, listen: () => undefined }));
    readLines(socket, (message) => {
      if (greeted) return listener?.(message);
      settle({ socket, owner: message as OwnerInfo, listen: (fn) => (listener = fn) });
    });
  });
}

/** Takes the embedded database in `dataDir` for this process, or returns a link to the process that
 * owns it (`join`: kept open to become its client) / throws EngineInUseError (no `join`, or an owner
 * that serves no clients). */
export async function acquireOwnership(dataDir: string, options?: OwnershipOptions | string): Promise<Ownership>;
export async function acquireOwnership(
  dataDir: string,
  options: OwnershipOptions & { join: true },
): Promise<Ownership | OwnerLink>;
export async function acquireOwnership(
  dataDir: string,
  options: (OwnershipOptions & { join?: boolean }) | string = {},
): Promise<Ownership | OwnerLink> {
  const o = typeof options === 'string' ? { command: options } : options;
  const command = o.command ?? process.argv.slice(2, 4).join(' ');
  mkdirSync(dataDir, { recursive: true });
  const real = realpathSync(dataDir);
  const { address, file } = socketAddress(real);
  const greeting = JSON.stringify({
    pid: process.pid,
    since: new Date().toISOString(),
    command: command ? `tokpipe ${command}` : undefined,
    clients: o.onClient !== undefined,
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // An asker that hangs up early must never take the owner down.
    socket.on('error', () => undefined);
    socket.write(greeting + '\n');
    if (o.onClient) o.onClient(socket);
    else socket.end();
  });
  server.on('error', () => undefined);
  for (let tries = 0; ; tries++) {
    if ((await listen(server, address)) === 'ok') break;
    const link = await connectOwner(address);
    if (link === 'nobody' || !link.owner.pid) {
      // Nobody answered: a socket file whose owner died, or an owner that just let go. Try again.
      if (link === 'nobody' && file) rmSync(file, { force: true });
      else if (link !== 'nobody') link.socket.destroy();
      if (tries < 3) continue;
    }
    const owner = link === 'nobody' ? {} : link.owner;
    if (link !== 'nobody' && o.join && owner.clients) return link;
    if (link !== 'nobody') link.socket.destroy();
    throw new EngineInUseError(real, owner);
  }
  server.unref(); // the lock never keeps the process alive by itself
  return {
    release: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy(); // whoever is still connected learns it ended
      }),
  };
}

/** Who owns the embedded database in `dataDir` now (null: nobody; it is free). */
export async function embeddedOwner(dataDir: string): Promise<OwnerInfo | null> {
  let real: string;
  try {
    real = realpathSync(dataDir);
  } catch {
    return null;
  }
  const link = await connectOwner(socketAddress(real).address);
  if (link === 'nobody') return null;
  link.socket.destroy();
  return link.owner.pid ? link.owner : null;
}
