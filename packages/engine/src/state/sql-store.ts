// core's KeyValueStore on SQL, with compare-and-set. Keys under a routed prefix live in their own
// table: the idempotency ledger (one row per idempotency key, UNIQUE by construction, state as a
// column), account tokens (tokpipe.tokens, the one copy that refreshes lock) and pipeline jobs
// (tokpipe.pipeline_jobs, also written by SqlJobStore); the rest in tokpipe.kv.
import { JOB_PREFIX, type Clock, type KeyValueStore } from '@tokpipe/core';
import type { Db } from '../db/db';

export const LEDGER_PREFIX = 'tokpipe/ledger/';
export const TOKEN_PREFIX = 'tokpipe/tokens/';
/** core's publish_id → key index: derived from tokpipe.ledger.publish_id (indexed), so it is not written
 * again in tokpipe.kv (one round trip and one row less per post). Rows an older version wrote there are
 * still read. An older attempt's publish_id is not indexed: core's lookup then scans the ledger. */
export const LEDGER_INDEX_PREFIX = 'tokpipe/ledger-by-publish-id/';

interface Route {
  prefix: string;
  table: string;
  key: string;
  value: string;
  /** Columns derived from the value (queried without parsing JSON). */
  derived?: (value: string) => Record<string, string | null>;
  /** compareAndSet also checks the state column (the ledger's transitions). */
  casState?: boolean;
}

const ledgerColumns = (value: string): Record<string, string | null> => {
  const entry = JSON.parse(value) as { state?: unknown; publishId?: unknown };
  return {
    state: typeof entry.state === 'string' ? entry.state : 'unknown',
    publish_id: typeof entry.publishId === 'string' ? entry.publishId : null,
  };
};

/** A pipeline job's columns (see migration 4 and SqlJobStore). */
export const jobColumns = (value: string): Record<string, string | null> => {
  const job = JSON.parse(value) as { seq?: unknown; state?: unknown; account?: unknown; publishId?: unknown };
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    seq: String(typeof job.seq === 'number' ? job.seq : 0),
    state: text(job.state) ?? 'queued',
    account: text(job.account),
    publish_id: text(job.publishId),
  };
};

const ROUTES: readonly Route[] = [
  {
    prefix: LEDGER_PREFIX,
    table: 'tokpipe.ledger',
    key: 'key',
    value: 'entry',
    derived: ledgerColumns,
    casState: true,
  },
  { prefix: TOKEN_PREFIX, table: 'tokpipe.tokens', key: 'account', value: 'record' },
  { prefix: JOB_PREFIX, table: 'tokpipe.pipeline_jobs', key: 'id', value: 'record', derived: jobColumns },
];
const KV: Route = { prefix: '', table: 'tokpipe.kv', key: 'key', value: 'value' };

interface Row {
  key: string;
  value: string;
}

export interface SqlStoreOptions {
  /** With a clock, a ledger key just read as absent is answered absent once more, within `absentMs`
   * (default 5 s), without a round trip: core reads a new key twice before reserving it (the repeat check,
   * then begin()), and the reservation is an INSERT ... ON CONFLICT DO NOTHING, so a stale answer only
   * makes that insert fail and core read again (from the database: the memo is used once). */
  clock?: Clock;
  absentMs?: number;
}

export class SqlStore implements KeyValueStore {
  /** Ledger key → when it was known absent, and how many reads may still be answered so. */
  private readonly absent = new Map<string, { at: number; uses: number }>();

  constructor(
    private readonly db: Db,
    private readonly options: SqlStoreOptions = {},
  ) {}

  async get(key: string): Promise<string | undefined> {
    if (this.takeAbsent(key)) return undefined;
    if (key.startsWith(LEDGER_INDEX_PREFIX)) {
      const { rows } = await this.db.query<{ value: string | null }>(
        `SELECT COALESCE((SELECT key FROM tokpipe.ledger WHERE publish_id = $1 LIMIT 1),
                         (SELECT value FROM tokpipe.kv WHERE key = $2)) AS value`,
        [key.slice(LEDGER_INDEX_PREFIX.length), key],
      );
      return rows[0]?.value ?? undefined;
    }
    const [r, id] = route(key);
    const { rows } = await this.db.query<Row>(`SELECT ${r.value} AS value FROM ${r.table} WHERE ${r.key} = $1`, [id]);
    const value = rows[0]?.value;
    if (value === undefined && r.prefix === LEDGER_PREFIX && this.options.clock) this.noteAbsent(key);
    return value;
  }

  private noteAbsent(key: string, uses = 1): void {
    this.absent.set(key, { at: this.options.clock!.now(), uses });
    if (this.absent.size > 1_000) this.absent.delete(this.absent.keys().next().value!);
  }

  /** The worker knows this post was never attempted (its row's first claim): both of core's reads of a
   * new key (the repeat check, then begin()) are answered absent without a round trip. Safe for the same
   * reason as the memo: the reservation INSERT refuses an existing key and core then reads it for real. */
  expectNew(ledgerKey: string): void {
    if (this.options.clock) this.noteAbsent(LEDGER_PREFIX + ledgerKey, 2);
  }

  /** True for a ledger key known absent within absentMs, as many times as noted; a write forgets it. */
  private takeAbsent(key: string): boolean {
    const memo = this.absent.get(key);
    if (memo === undefined) return false;
    if (--memo.uses <= 0) this.absent.delete(key);
    return this.options.clock!.now() - memo.at < (this.options.absentMs ?? 5_000);
  }

  async set(key: string, value: string): Promise<void> {
    if (key.startsWith(LEDGER_INDEX_PREFIX)) return; // derived from the ledger row (see LEDGER_INDEX_PREFIX)
    this.absent.delete(key);
    const [r, id] = route(key);
    const derived = r.derived?.(value) ?? {};
    const names = [r.key, r.value, ...Object.keys(derived)];
    const updates = names.slice(1).map((n) => `${n} = EXCLUDED.${n}`);
    await this.db.query(
      `INSERT INTO ${r.table} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT (${r.key}) DO UPDATE SET ${updates.join(', ')}`,
      [id, value, ...Object.values(derived)],
    );
  }

  async delete(key: string): Promise<void> {
    this.absent.delete(key);
    const [r, id] = route(key);
    await this.db.query(`DELETE FROM ${r.table} WHERE ${r.key} = $1`, [id]);
  }

  async list(prefix: string): Promise<Array<[string, string]>> {
    const out: Array<[string, string]> = [];
    for (const r of [...ROUTES, KV]) {
      const overlaps = r.prefix.startsWith(prefix) || prefix.startsWith(r.prefix);
      if (!overlaps) continue;
      const within = prefix.length > r.prefix.length ? prefix.slice(r.prefix.length) : '';
      const { rows } = await this.db.query<Row>(
        `SELECT ${r.key} AS key, ${r.value} AS value FROM ${r.table} WHERE left(${r.key}, char_length($1)) = $1 ORDER BY ${r.key} COLLATE "C"`,
        [within],
      );
      // kv never holds routed keys (set() sends them to their table).
      for (const row of rows) out.push([r.prefix + row.key, row.value]);
    }
    // Code-unit order, as the other stores list.
    return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** INSERT when absent (the primary key refuses a second one), else
   * UPDATE ... WHERE key = $1 AND state = $expected AND entry = $seen (ledger) / value = $seen. */
  async compareAndSet(key: string, expected: string | undefined, value: string): Promise<boolean> {
    this.absent.delete(key);
    const [r, id] = route(key);
    const derived = r.derived?.(value) ?? {};
    if (expected === undefined) {
      const names = [r.key, r.value, ...Object.keys(derived)];
      const inserted = await this.db.query(
        `INSERT INTO ${r.table} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (${r.key}) DO NOTHING`,
        [id, value, ...Object.values(derived)],
      );
      return inserted.rowCount === 1;
    }
    const sets = [`${r.value} = $3`, ...Object.keys(derived).map((n, i) => `${n} = $${i + 4}`)];
    const guard = r.casState ? ` AND state = $${sets.length + 3}` : '';
    const params: unknown[] = [id, expected, value, ...Object.values(derived)];
    if (r.casState) params.push(ledgerColumns(expected).state);
    const updated = await this.db.query(
      `UPDATE ${r.table} SET ${sets.join(', ')} WHERE ${r.key} = $1 AND ${r.value} = $2${guard}`,
      params,
    );
    return updated.rowCount === 1;
  }
}

function route(key: string): [Route, string] {
  for (const r of ROUTES) if (key.startsWith(r.prefix)) return [r, key.slice(r.prefix.length)];
  return [KV, key];
}
