// core's KeyValueStore on SQL, with compare-and-set. Keys under a routed prefix live in their own
// table: the idempotency ledger (one row per idempotency key, UNIQUE by construction, state as a
// column) and account tokens (tokpipe.tokens, the one copy that refreshes lock); the rest in tokpipe.kv.
import type { KeyValueStore } from '@tokpipe/core';
import type { Db } from '../db/db';

export const LEDGER_PREFIX = 'tokpipe/ledger/';
export const TOKEN_PREFIX = 'tokpipe/tokens/';

interface Route {
  prefix: string;
  table: string;
  key: string;
  value: string;
  /** Columns derived from the value (queried without parsing JSON). */
  derived?: (value: string) => Record<string, string | null>;
}

const ledgerColumns = (value: string): Record<string, string | null> => {
  const entry = JSON.parse(value) as { state?: unknown; publishId?: unknown };
  return {
    state: typeof entry.state === 'string' ? entry.state : 'unknown',
    publish_id: typeof entry.publishId === 'string' ? entry.publishId : null,
  };
};

const ROUTES: readonly Route[] = [
  { prefix: LEDGER_PREFIX, table: 'tokpipe.ledger', key: 'key', value: 'entry', derived: ledgerColumns },
  { prefix: TOKEN_PREFIX, table: 'tokpipe.tokens', key: 'account', value: 'record' },
];
const KV: Route = { prefix: '', table: 'tokpipe.kv', key: 'key', value: 'value' };

interface Row {
  key: string;
  value: string;
}

export class SqlStore implements KeyValueStore {
  constructor(private readonly db: Db) {}

  async get(key: string): Promise<string | undefined> {
    const [r, id] = route(key);
    const { rows } = await this.db.query<Row>(`SELECT ${r.value} AS value FROM ${r.table} WHERE ${r.key} = $1`, [id]);
    return rows[0]?.value;
  }

  async set(key: string, value: string): Promise<void> {
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
    const guard = r.derived ? ` AND state = $${sets.length + 3}` : '';
    const params: unknown[] = [id, expected, value, ...Object.values(derived)];
    if (r.derived) params.push(ledgerColumns(expected).state);
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
