// Chooses the engine: PostgreSQL when a URL is given (DATABASE_URL or --database), else embedded
// PGlite under the store directory. Migrates before handing the database out.
import path from 'node:path';
import type { Db } from './db';
import { migrate } from './migrate';
import { clientDb } from './client';
import { acquireOwnership } from './ownership';
import { clientHub } from './serve-clients';
import { openPglite } from './pglite';
import { openPostgres } from './postgres';

export interface OpenDbOptions extends EmbeddedOptions {
  /** postgres://... ; empty or undefined = embedded. */
  databaseUrl?: string;
  /** Embedded data directory (default `.tokpipe/pgdata`). */
  dataDir?: string;
  /** Pool size for PostgreSQL. */
  max?: number;
}

export async function openDb(options: OpenDbOptions = {}): Promise<Db> {
  const url = options.databaseUrl?.trim();
  if (!url) return openEmbedded(options.dataDir ?? path.join('.tokpipe', 'pgdata'), options);
  return migrated(openPostgres(url, { max: options.max }));
}

async function migrated(db: Db): Promise<Db> {
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}

/** DATABASE_URL as given by a flag or the environment (the flag wins). */
export function databaseUrlFrom(
  flag: string | undefined,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  return flag?.trim() || env.DATABASE_URL?.trim() || undefined;
}

export interface EmbeddedOptions {
  /** Named to other processes that find the database in use (default: this process's subcommand). */
  command?: string;
  /** false: a process that finds the database in use is refused (EngineInUseError) instead of
   * becoming the owner's client, and this process serves no clients. */
  share?: boolean;
  /** Told when close() waits for client processes to finish. */
  say?: (line: string) => void;
}

/** PGlite under `dataDir` (migrated). The first process to open it owns it until close(), and serves
 * other processes that open it meanwhile: they become its clients (their statements and transactions
 * run on the owner's database, nothing is opened twice). close() waits for the connected clients. */
export async function openEmbedded(dataDir: string, options: EmbeddedOptions = {}): Promise<Db> {
  const share = options.share !== false;
  let opened!: (db: Db) => void;
  let failed!: (error: unknown) => void;
  const ready = new Promise<Db>((resolve, reject) => {
    opened = resolve;
    failed = reject;
  });
  const hub = clientHub(ready);
  const command = options.command ?? process.argv.slice(2, 4).join(' ');
  const acquired = share
    ? await acquireOwnership(dataDir, { command, join: true, onClient: hub.accept })
    : await acquireOwnership(dataDir, { command });
  if (!('release' in acquired)) return clientDb(acquired, command ? `tokpipe ${command}` : undefined);
  const ownership = acquired;
  try {
    // Migrated before any client statement runs (they wait for `ready`).
    const db = await migrated(await openPglite(dataDir));
    const close = db.close;
    const owned = Object.assign(db, {
      async close() {
        await hub.drained((clients) =>
          options.say?.(
            `waiting for ${clients.length} other tokpipe process(es) using this database to finish: ` +
              clients.map((c) => `${c.pid ?? '?'}${c.command ? ` (${c.command})` : ''}`).join(', ') +
              '\n',
          ),
        );
        await close();
        await ownership.release();
      },
    });
    opened(owned);
    return owned;
  } catch (error) {
    failed(error);
    await ownership.release();
    throw error;
  }
}
