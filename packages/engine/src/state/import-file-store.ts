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

export async function importFileStore(db: Db, file: string, options: { rename?: boolean } = {}): Promise<ImportResult> {
  const absolute = path.resolve(file);
  const store = new SqlStore(db);
  if ((await store.get(MARK + absolute)) !== undefined)
    return { file: absolute, entries: 0, imported: false, renamedTo: null };
  const source = FileStore.open(absolute);
  let entries: Array<[string, string]>;
  try {
    entries = await source.list('');
  } finally {
    source.close();
  }
  await db.transaction(async (tx) => {
    const target = new SqlStore(tx);
    for (const [key, value] of entries) await target.set(key, value);
    await target.set(MARK + absolute, JSON.stringify({ entries: entries.length }));
  });
  let renamedTo: string | null = null;
  if (options.rename !== false && existsSync(absolute)) {
    renamedTo = `${absolute}.imported`;
    renameSync(absolute, renamedTo);
  }
  return { file: absolute, entries: entries.length, imported: true, renamedTo };
}
