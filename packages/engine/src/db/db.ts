// The one storage port of the engine: parameterized SQL, plain multi-statement SQL, and transactions.
// Two adapters speak it with the same SQL text: embedded PGlite (pglite.ts) and PostgreSQL (postgres.ts).

export interface QueryResult<R> {
  rows: R[];
  /** Rows inserted, updated or deleted (0 for a SELECT). */
  rowCount: number;
}

export interface Db {
  readonly kind: 'pglite' | 'postgres';
  /** One statement with $1.. parameters. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Several statements, no parameters (migrations, pg-boss's DDL). Returns the last statement's rows. */
  exec(sql: string): Promise<Array<Record<string, unknown>>>;
  /** Runs `fn` in one transaction (committed when it resolves, rolled back when it throws). Inside,
   * `tx.transaction` joins the same transaction. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** PostgreSQL: one connection of its own until its close() (a session-level advisory lock lives as
   * long as it: a process that dies loses it at once). Absent on PGlite (one process, one session). */
  reserve?(): Promise<Db>;
  close(): Promise<void>;
}

/** A session for session-level advisory locks: a reserved connection on PostgreSQL, the one session on
 * PGlite. A PostgreSQL Db without `reserve` (a wrapper that dropped it) is refused: through a pool, the
 * unlock could run on another connection and leave the lock held for good. */
export async function lockSession(db: Db): Promise<{ session: Db; release(): Promise<void> }> {
  if (db.reserve) {
    const session = await db.reserve();
    return { session, release: () => session.close() };
  }
  if (db.kind === 'postgres') throw new Error('a PostgreSQL Db must offer reserve() for session locks');
  return { session: db, release: async () => undefined };
}

/** Counts statements sent (bench: SQL round trips per post). */
export interface CountingDb extends Db {
  readonly roundTrips: number;
}

export function countRoundTrips(db: Db): CountingDb {
  let roundTrips = 0;
  const wrap = (inner: Db): Db => ({
    kind: inner.kind,
    query: (sql, params) => {
      roundTrips++;
      return inner.query(sql, params);
    },
    exec: (sql) => {
      roundTrips++;
      return inner.exec(sql);
    },
    transaction: (fn) => {
      roundTrips += 2; // BEGIN and COMMIT
      return inner.transaction((tx) => fn(wrap(tx)));
    },
    ...(inner.reserve ? { reserve: async () => wrap(await inner.reserve!()) } : {}),
    close: () => inner.close(),
  });
  const counted = wrap(db);
  return Object.defineProperties(counted, { roundTrips: { get: () => roundTrips } }) as CountingDb;
}
