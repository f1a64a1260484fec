// A real PostgreSQL server through `pg` (DATABASE_URL / --database). Many processes share it.
import pg from 'pg';
import type { Db, QueryResult } from './db';

// bigint columns (epoch ms, counters) come back as numbers, as on PGlite: values stay below 2^53.
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
};

type Client = Pick<pg.PoolClient, 'query'>;

function adapter(client: Client, transaction: Db['transaction'], close: Db['close']): Db {
  return {
    kind: 'postgres',
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const result = await client.query(sql, params as unknown[]);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
    async exec(sql: string) {
      const result = (await client.query(sql)) as unknown as pg.QueryResult | pg.QueryResult[];
      const last = Array.isArray(result) ? result[result.length - 1] : result;
      return (last?.rows ?? []) as Array<Record<string, unknown>>;
    },
    transaction,
    close,
  };
}

export function openPostgres(
  connectionString: string,
  options: { max?: number } = {},
): Db & { readonly pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, types: types as pg.CustomTypesConfig });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const db = adapter(
    pool,
    async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const inner: Db = adapter(
          client,
          (nested) => nested(inner),
          async () => undefined,
        );
        const result = await fn(inner);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    () => pool.end(),
  );
  const reserve = async (): Promise<Db> => {
    const client = await pool.connect();
    let released = false;
    const session = adapter(
      client,
      () => Promise.reject(new Error('a reserved session does not run transactions')),
      async () => {
        if (released) return;
        released = true;
        // Destroyed, not returned to the pool: its session state (advisory locks) ends with it.
        client.release(true);
      },
    );
    return session;
  };
  return Object.assign(db, { pool, reserve });
}
