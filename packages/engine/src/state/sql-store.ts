// core's KeyValueStore on SQL, with compare-and-set. The idempotency ledger's keys live in their own
// table (one row per idempotency key, UNIQUE by construction, state as a column); the rest in tokpipe.kv.
import type { KeyValueStore } from '@tokpipe/core';
import type { Db } from '../db/db';

export const LEDGER_PREFIX = 'tokpipe/ledger/';

interface Row {
  key: string;
  value: string;
}

/** What the ledger row's columns say about an entry (state and publish_id are queried by reconciliation). */
function columns(value: string): { state: string; publishId: string | null } {
  const entry = JSON.parse(value) as { state?: unknown; publishId?: unknown };
  return { state: typeof entry.state === 'string' ? entry.state : 'unknown', publishId: typeof entry.publishId === 'string' ? entry.publishId : null };
}

export class SqlStore implements KeyValueStore {
  constructor(private readonly db: Db) {}

  async get(key: string): Promise<string | undefined> {
    const { rows } = this.isLedger(key)
      ? await this.db.query<Row>('SELECT entry AS value FROM tokpipe.ledger WHERE key = $1', [key.slice(LEDGER_PREFIX.length)])
      : await this.db.query<Row>('SELECT value FROM tokpipe.kv WHERE key = $1', [key]);
    return rows[0]?.value;
  }

  async set(key: string, value: string): Promise<void> {
    if (!this.isLedger(key)) {
      await this.db.query('INSERT INTO tokpipe.kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [key, value]);
      return;
    }
    const { state, publishId } = columns(value);
    await this.db.query(
      `INSERT INTO tokpipe.ledger (key, state, publish_id, entry) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO UPDATE SET state = EXCLUDED.state, publish_id = EXCLUDED.publish_id, entry = EXCLUDED.entry, updated_at = now()`,
      [key.slice(LEDGER_PREFIX.length), state, publishId, value],
    );
  }

  async delete(key: string): Promise<void> {
    if (this.isLedger(key)) await this.db.query('DELETE FROM tokpipe.ledger WHERE key = $1', [key.slice(LEDGER_PREFIX.length)]);
    else await this.db.query('DELETE FROM tokpipe.kv WHERE key = $1', [key]);
  }

  async list(prefix: string): Promise<Array<[string, string]>> {
    const out: Array<[string, string]> = [];
    if (LEDGER_PREFIX.startsWith(prefix) || prefix.startsWith(LEDGER_PREFIX)) {
      const within = prefix.length > LEDGER_PREFIX.length ? prefix.slice(LEDGER_PREFIX.length) : '';
      const { rows } = await this.db.query<Row>(
        'SELECT key, entry AS value FROM tokpipe.ledger WHERE left(key, char_length($1)) = $1 ORDER BY key COLLATE "C"',
        [within],
      );
      for (const row of rows) out.push([LEDGER_PREFIX + row.key, row.value]);
    }
    if (!prefix.startsWith(LEDGER_PREFIX)) {
      const { rows } = await this.db.query<Row>('SELECT key, value FROM tokpipe.kv WHERE left(key, char_length($1)) = $1 ORDER BY key COLLATE "C"', [prefix]);
      for (const row of rows) out.push([row.key, row.value]);
    }
    // Code-unit order, as the other stores list.
    return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The ledger's transitions: INSERT when absent (the UNIQUE key refuses a second one), else
   * UPDATE ... WHERE key = $1 AND state = $expected AND entry = $seen. */
  async compareAndSet(key: string, expected: string | undefined, value: string): Promise<boolean> {
    if (!this.isLedger(key)) {
      const result =
        expected === undefined
          ? await this.db.query('INSERT INTO tokpipe.kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value])
          : await this.db.query('UPDATE tokpipe.kv SET value = $3 WHERE key = $1 AND value = $2', [key, expected, value]);
      return result.rowCount === 1;
    }
    const id = key.slice(LEDGER_PREFIX.length);
    const next = columns(value);
    if (expected === undefined) {
      const inserted = await this.db.query('INSERT INTO tokpipe.ledger (key, state, publish_id, entry) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING', [
        id,
        next.state,
        next.publishId,
        value,
      ]);
      return inserted.rowCount === 1;
    }
    const updated = await this.db.query(
      `UPDATE tokpipe.ledger SET state = $4, publish_id = $5, entry = $6, updated_at = now()
       WHERE key = $1 AND state = $2 AND entry = $3`,
      [id, columns(expected).state, expected, next.state, next.publishId, value],
    );
    return updated.rowCount === 1;
  }

  private isLedger(key: string): boolean {
    return key.startsWith(LEDGER_PREFIX);
  }
}
