// Where `tokpipe serve` keeps its state: PostgreSQL through the engine when a URL is given (DATABASE_URL or
// --database: state shared with `tokpipe worker` processes and other servers), else the CLI's own store
// file (tokpipe.db, one process, the same file `tokpipe accounts add` writes).
import type { KeyValueStore } from '@tokpipe/core';
import { FileStore } from '@tokpipe/core/node';
import { openDb, SqlStore } from '@tokpipe/engine';

export { databaseUrlFrom } from '@tokpipe/engine';

export interface ServerState {
  store: KeyValueStore;
  /** What the state is, for the start-up line (never a password). */
  describe: string;
  close(): Promise<void>;
}

/** postgres://user:secret@host/db → postgres://user@host/db */
export function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return 'the given database';
  }
}

export async function openServerState(options: { databaseUrl?: string; storeFile: string }): Promise<ServerState> {
  if (options.databaseUrl) {
    const db = await openDb({ databaseUrl: options.databaseUrl });
    return {
      store: new SqlStore(db),
      describe: `PostgreSQL ${withoutPassword(options.databaseUrl)}`,
      close: () => db.close(),
    };
  }
  const store = FileStore.open(options.storeFile);
  return { store, describe: `store file ${options.storeFile}`, close: async () => store.close() };
}
