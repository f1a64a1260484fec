// Where a CLI run keeps its state. The file store (tokpipe.db) by default; the shared SQL engine when
// asked: `--database URL` / DATABASE_URL (PostgreSQL: many processes, one truth), or
// TOKPIPE_ENGINE=embedded (PGlite under .tokpipe/pgdata, one process at a time). A file store found
// at the --store path is imported into the engine once and kept renamed `.imported`.
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import type { KeyValueStore, RateLimiter, TokenStore } from '@tokpipe/core';
import { FileStore } from '@tokpipe/core/node';
import {
  databaseUrlFrom,
  importFileStore,
  openDb,
  SqlRateLimiter,
  SqlStore,
  sqlTokenStore,
  type Db,
} from '@tokpipe/engine';
import { storePath, type Runtime } from './context';

export const databaseFlag = {
  database: {
    kind: 'string' as const,
    description: 'PostgreSQL URL for shared state (default: DATABASE_URL; else the --store file)',
  },
};

export interface StateStore {
  store: KeyValueStore;
  /** Present on the SQL engine: tokens in one row per account (refreshed under its lock), shared limits. */
  engine?: { db: Db; limiter: RateLimiter; tokens(account: string): TokenStore };
  close(): Promise<void>;
}

export interface StateIo {
  env: Record<string, string | undefined>;
  cwd: string;
  stderr: { write(text: string): unknown };
}

/** The file store alone (the demo's scratch state, and the default). */
export function fileState(file: string): StateStore {
  const store = FileStore.open(file);
  return { store, close: async () => store.close() };
}

export async function openState(
  rt: Runtime,
  flags: { store?: unknown; database?: unknown },
  io: StateIo,
): Promise<StateStore> {
  const file = storePath(flags.store, io.env, io.cwd);
  const url = databaseUrlFrom(typeof flags.database === 'string' ? flags.database : undefined, io.env);
  const embedded = io.env.TOKPIPE_ENGINE === 'embedded';
  if (!url && !embedded) return fileState(file);
  const db = await openDb(url ? { databaseUrl: url } : { dataDir: path.resolve(io.cwd, '.tokpipe', 'pgdata') });
  try {
    if (existsSync(file)) {
      const imported = await importFileStore(db, file);
      if (imported.imported)
        io.stderr.write(
          `imported ${imported.entries} entries from ${file} into the database (the file is kept as ${imported.renamedTo})\n`,
        );
    }
  } catch (error) {
    await db.close();
    throw error;
  }
  const limiter = new SqlRateLimiter(db, { clock: rt.clock });
  return {
    store: new SqlStore(db),
    engine: { db, limiter, tokens: (account) => sqlTokenStore(db, account) },
    close: async () => {
      await limiter.flush();
      await db.close();
    },
  };
}
