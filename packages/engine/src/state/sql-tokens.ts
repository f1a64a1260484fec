// core's TokenStore on SQL: the account's row is the only copy of its refresh token. A refresh runs
// under SELECT ... FOR UPDATE and saves the rotated token in the same transaction, so across all
// processes exactly one refresh happens per expiry and a waiter reads the winner's token.
import type { TokenRecord, TokenStore } from '@tokpipe/core';
import type { Db } from '../db/db';

export function sqlTokenStore(db: Db, account: string): TokenStore {
  const save = (target: Db, record: TokenRecord, refreshed: boolean) =>
    target.query(
      `INSERT INTO tokpipe.tokens (account, record) VALUES ($1, $2)
       ON CONFLICT (account) DO UPDATE SET record = EXCLUDED.record, version = tokens.version + 1, refreshes = tokens.refreshes + $3`,
      [account, JSON.stringify(record), refreshed ? 1 : 0],
    );
  return {
    // In this process, TokenManagers over the same db and account share one in-flight refresh too.
    identity: { scope: db, key: account },
    async load() {
      const { rows } = await db.query<{ record: string }>('SELECT record FROM tokpipe.tokens WHERE account = $1', [account]);
      return rows[0] ? (JSON.parse(rows[0].record) as TokenRecord) : undefined;
    },
    async save(record) {
      await save(db, record, false);
    },
    exclusive(section) {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<{ record: string }>('SELECT record FROM tokpipe.tokens WHERE account = $1 FOR UPDATE', [account]);
        const current = rows[0] ? (JSON.parse(rows[0].record) as TokenRecord) : undefined;
        return section(current, async (record) => {
          await save(tx, record, true);
        });
      });
    },
  };
}

/** Refreshes done for `account` through exclusive() (what tests and `accounts health` show). */
export async function refreshCount(db: Db, account: string): Promise<number> {
  const { rows } = await db.query<{ refreshes: number }>('SELECT refreshes FROM tokpipe.tokens WHERE account = $1', [account]);
  return Number(rows[0]?.refreshes ?? 0);
}
