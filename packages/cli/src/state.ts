// Where a CLI run keeps its state: the engine's openState (shared with `tokpipe serve`). The embedded
// database (PGlite under .tokpipe/pgdata, or <--store>.pgdata) by default: the first process owns it
// and any other process on it becomes that owner's client, so every command (read-only ones included)
// runs while a campaign runs, on one ledger and one token row per account. PostgreSQL with
// `--database URL` / DATABASE_URL. A file store of an older tokpipe at the --store path is imported once.
import type { KeyValueStore, RateLimiter, TokenStore } from '@tokpipe/core';
import { FileStore } from '@tokpipe/core/node';
import { openState as openEngineState, stateLocation, type Db, type StateLocation } from '@tokpipe/engine';
import type { Runtime } from './context';

export const databaseFlag = {
  database: {
    kind: 'string' as const,
    description: 'PostgreSQL URL for shared state (default: DATABASE_URL; else the embedded database)',
  },
};

/** --store: names the state (one fact, every command's help says it the same way). */
export const STORE_HELP =
  'names the state: the embedded database in PATH.pgdata (default .tokpipe/pgdata); an older file store at PATH (default tokpipe.db) is imported once';

export interface StateStore {
  store: KeyValueStore;
  /** Present on the SQL engine: tokens in one row per account (refreshed under its lock), shared limits. */
  engine?: { db: Db; limiter: RateLimiter; tokens(account: string): TokenStore };
  /** What the state is, for a start-up line (never a password). */
  describe: string;
  close(): Promise<void>;
}

export interface StateIo {
  env: Record<string, string | undefined>;
  cwd: string;
  stderr: { write(text: string): unknown };
}

/** A scratch file store, for state no other process can know of (the demo's and `mcp --sandbox`'s, on
 * a fake TikTok, deleted afterwards): it opens instantly, where a fresh embedded database takes ~4 s
 * (initdb) and ~350 MiB, and the demo must start at once on a fresh checkout. */
export function fileState(file: string): StateStore {
  const store = FileStore.open(file);
  return { store, describe: `scratch file ${file}`, close: async () => store.close() };
}

export async function openState(
  rt: Runtime,
  flags: { store?: unknown; database?: unknown },
  io: StateIo,
): Promise<StateStore> {
  return openStateAt(rt, stateLocation({ store: flags.store, database: flags.database, env: io.env, cwd: io.cwd }), io);
}

/** The state at a known location (a token file's pointer names one). */
export async function openStateAt(rt: Runtime, location: StateLocation, io: StateIo): Promise<StateStore> {
  const state = await openEngineState({
    ...location,
    clock: rt.clock,
    say: (line) => io.stderr.write(line),
  });
  return {
    store: state.store,
    engine: { db: state.db, limiter: state.limiter, tokens: state.tokens },
    describe: state.describe,
    close: () => state.close(),
  };
}
