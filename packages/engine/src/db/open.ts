// Chooses the engine: PostgreSQL when a URL is given (DATABASE_URL or --database), else embedded
// PGlite under the store directory. Migrates before handing the database out.
import path from 'node:path';
import type { Db } from './db';
import { migrate } from './migrate';
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
  const db = url ? openPostgres(url, { max: options.max }) : await openPglite(options.dataDir ?? path.join('.tokpipe', 'pgdata'));
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}

/** DATABASE_URL as given by a flag or the environment (the flag wins). */
export function databaseUrlFrom(flag: string | undefined, env: Record<string, string | undefined> = process.env): string | undefined {
  return flag?.trim() || env.DATABASE_URL?.trim() || undefined;
}
