// Brings a database to a schema version, in place. One transaction under an advisory lock: two
// processes starting at once never both apply a migration, and a failed one leaves nothing half done.
import type { Db } from './db';
import { latestVersion, migrations } from './migrations';

// Any constant both engines agree on; it names "tokpipe migrations" among advisory locks.
const MIGRATION_LOCK = 71_701_501;

export interface MigrationResult {
  from: number;
  to: number;
  applied: number[];
}

export async function currentVersion(db: Db): Promise<number> {
  const exists = await db.query<{ present: boolean }>(`SELECT to_regclass('tokpipe.schema_migrations') IS NOT NULL AS present`);
  if (!exists.rows[0]?.present) return 0;
  const { rows } = await db.query<{ version: number | null }>('SELECT max(version)::int AS version FROM tokpipe.schema_migrations');
  return rows[0]?.version ?? 0;
}

export function migrate(db: Db, options: { to?: number } = {}): Promise<MigrationResult> {
  const target = options.to ?? latestVersion;
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(`CREATE SCHEMA IF NOT EXISTS tokpipe;
      CREATE TABLE IF NOT EXISTS tokpipe.schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const from = await currentVersion(tx);
    if (from > latestVersion) {
      throw new Error(`the database is at schema version ${from}, newer than this tokpipe (${latestVersion}): upgrade tokpipe`);
    }
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= from || migration.version > target) continue;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO tokpipe.schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push(migration.version);
    }
    return { from, to: Math.max(from, ...applied), applied };
  });
}
