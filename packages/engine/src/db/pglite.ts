// Embedded PostgreSQL (PGlite, WASM) in this process. One connection: statements run one after
// another, a transaction holds the connection until it ends. Never opened by two processes at once
// (see ownership.ts).
// PGlite's WASM loader calls import(): jest runs it only with --experimental-vm-modules (root `npm test`).
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Db, QueryResult } from './db';

type Target = Pick<PGlite, 'query' | 'exec'> | Pick<Transaction, 'query' | 'exec'>;

function adapter(target: Target, transaction: Db['transaction'], close: Db['close']): Db {
  return {
    kind: 'pglite',
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const result = await target.query<R>(sql, params as unknown[]);
      return { rows: result.rows, rowCount: result.affectedRows ?? 0 };
    },
    async exec(sql: string) {
      const results = await target.exec(sql);
      return (results[results.length - 1]?.rows ?? []) as Array<Record<string, unknown>>;
    },
    transaction,
    close,
  };
}

export async function openPglite(dataDir: string): Promise<Db & { readonly pglite: PGlite }> {
  const pglite = await PGlite.create(dataDir);
  const db = adapter(
    pglite,
    (fn) =>
      pglite.transaction(async (tx) => {
        // Inside: nested transaction() calls join this one.
        const inner: Db = adapter(tx, (nested) => nested(inner), async () => undefined);
        return fn(inner);
      }),
    () => pglite.close(),
  );
  return Object.assign(db, { pglite });
}
