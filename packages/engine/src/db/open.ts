// Chooses the engine: PostgreSQL when a URL is given (DATABASE_URL or --database), else embedded
// PGlite under the store directory. Migrates before handing the database out.
import path from 'node:path';
import type { Db } from './db';
import { migrate } from './migrate';
import { acquireOwnership } from './ownership';
import { openPglite } from './pglite';
import { openPostgres } from './postgres';

export interface OpenDbOptions {
  /** postgres://... ; empty or undefined = embedded. */
  databaseUrl?: string;
  /** Embedded data directory (default `.tokpipe/pgdata`). */
  dataDir?: string;
  /** Pool size for PostgreSQL. */
  max?: number;
}

export async function openDb(options: OpenDbOptions = {}): Promise<Db> {
  const url = options.databaseUrl?.trim();
  if (!url) return openEmbedded(options.dataDir ?? path.join('.tokpipe', 'pgdata'));
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

/** PGlite under `dataDir` (migrated), owned by this process until close() (a second process is refused). */
export async function openEmbedded(dataDir: string): Promise<Db> {
  const ownership = await acquireOwnership(dataDir);
  try {
    const db = await openPglite(dataDir);
    const close = db.close;
    return await migrated(
      Object.assign(db, {
        async close() {
          await close();
          await ownership.release();
        },
      }),
    );
  } catch (error) {
    await ownership.release();
    throw error;
  }
}
