// Moves an existing `.tokpipe` FileStore (accounts, tokens, ledger, jobs, DLQ) into the database once.
// Every entry is copied as is; afterwards the file is renamed `<file>.imported` (kept, never deleted)
// so no process keeps using its copy of a refresh token that the next rotation kills.
import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import { FileStore } from '@tokpipe/core/node';
import type { Db } from '../db/db';
import { SqlStore } from './sql-store';

const MARK = 'tokpipe/engine/imported-from/';

export interface ImportResult {
  file: string;
  entries: number;
  /** False when this file was imported before (nothing copied again). */
  imported: boolean;
  renamedTo: string | null;
}

// Names "tokpipe file store import" among advisory locks: two processes opening at once import once.
const IMPORT_LOCK = 71_701_502;

export async function importFileStore(db: Db, file: string, options: { rename?: boolean } = {}): Promise<ImportResult> {
  const absolute = path.resolve(file);
  const done = await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [IMPORT_LOCK]);
    const target = new SqlStore(tx);
    // Imported before (by this process or another that opened at the same moment), or already renamed.
    if ((await target.get(MARK + absolute)) !== undefined || !existsSync(absolute)) return null;
    const source = FileStore.open(absolute);
    let entries: Array<[string, string]>;
    try {
      entries = await source.list('');
    } finally {
      source.close();
    }
    for (const [key, value] of entries) await target.set(key, value);
    await target.set(MARK + absolute, JSON.stringify({ entries: entries.length }));
    return entries.length;
  });
  if (done === null) return { file: absolute, entries: 0, imported: false, renamedTo: null };
  let renamedTo: string | null = null;
  if (options.rename !== false && existsSync(absolute)) {
    renamedTo = `${absolute}.imported`;
    renameSync(absolute, renamedTo);
  }
  return { file: absolute, entries: done, imported: true, renamedTo };
}
