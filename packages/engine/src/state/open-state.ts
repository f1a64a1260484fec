// Opens tokpipe's state for any command or server: the one function the CLI and `tokpipe serve` use.
// PostgreSQL when a URL is given (DATABASE_URL / --database: many processes, many machines), else the
// embedded database (PGlite) under the state's directory: the first process owns it, every other
// process on this machine becomes that owner's client (see db/open.ts), so there is one ledger and one
// token row per account whichever command runs. An old file store found at the store path is
// imported once, and the user is told.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Clock, KeyValueStore, RateLimiter, TokenStore } from '@tokpipe/core';
import { withoutPassword } from '@tokpipe/core/node';
import type { Db } from '../db/db';
import { databaseUrlFrom, openDb } from '../db/open';
import { importFileStore } from './import-file-store';
import { SqlRateLimiter } from './sql-limiter';
import { SqlStore } from './sql-store';
import { sqlTokenStore } from './sql-tokens';

/** The file store's default name (tokpipe.db), the --store default. */
export const DEFAULT_STORE_FILE = 'tokpipe.db';

export interface StateLocation {
  /** PostgreSQL, when given (flag first, then DATABASE_URL). */
  databaseUrl?: string;
  /** The embedded database's directory: `.tokpipe/pgdata` for the default store, `<store>.pgdata` for
   * a store named by --store / TOKPIPE_STORE (so two named stores stay two states). */
  dataDir: string;
  /** Where a file store of an older tokpipe may be (imported once). */
  storeFile: string;
}

export function stateLocation(options: {
  store?: unknown;
  database?: unknown;
  env: Record<string, string | undefined>;
  cwd: string;
}): StateLocation {
  const { env, cwd } = options;
  const named = typeof options.store === 'string' ? options.store : env.TOKPIPE_STORE || undefined;
  const storeFile = path.resolve(cwd, named ?? DEFAULT_STORE_FILE);
  const databaseUrl = databaseUrlFrom(typeof options.database === 'string' ? options.database : undefined, env);
  const dataDir = named ? `${storeFile}.pgdata` : path.resolve(cwd, '.tokpipe', 'pgdata');
  return { ...(databaseUrl ? { databaseUrl } : {}), dataDir, storeFile };
}

/** postgres://user:secret@host/db → postgres://user@host/db (core's, re-exported for the engine's users). */
export { withoutPassword };

export interface EngineState {
  store: KeyValueStore;
  db: Db;
  /** Shared across processes: TikTok's per-token windows. */
  limiter: RateLimiter;
  /** The account's token row (refreshed under its lock). */
  tokens(account: string): TokenStore;
  /** What the state is, for a start-up line (never a password). */
  describe: string;
  close(): Promise<void>;
}

export interface OpenStateOptions extends StateLocation {
  clock: Clock;
  /** Lines for the user (the import notice, waiting for client processes). */
  say?: (line: string) => void;
  /** Pool size on PostgreSQL. */
  max?: number;
}

export async function openState(options: OpenStateOptions): Promise<EngineState> {
  const { databaseUrl, dataDir, storeFile, clock, say } = options;
  const db = await openDb({
    ...(databaseUrl ? { databaseUrl } : { dataDir }),
    ...(options.max ? { max: options.max } : {}),
    ...(say ? { say } : {}),
  });
  try {
    if (existsSync(storeFile)) {
      const imported = await importFileStore(db, storeFile);
      if (imported.imported)
        say?.(
          `imported ${imported.entries} entries from the file store ${storeFile} into the ` +
            `${databaseUrl ? 'database' : 'embedded database'} (the file is kept as ${imported.renamedTo})\n`,
        );
    }
  } catch (error) {
    await db.close();
    throw error;
  }
  const limiter = new SqlRateLimiter(db, { clock });
  return {
    store: new SqlStore(db),
    db,
    limiter,
    tokens: (account) => sqlTokenStore(db, account),
    describe: databaseUrl ? `PostgreSQL ${withoutPassword(databaseUrl)}` : `embedded PostgreSQL (PGlite) in ${dataDir}`,
    close: async () => {
      await limiter.flush();
      await db.close();
    },
  };
}
