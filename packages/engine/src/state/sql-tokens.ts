// core's TokenStore on SQL: the account's row is the only copy of its refresh token. A refresh runs
// under SELECT ... FOR UPDATE and saves the rotated token in the same transaction, so across all
// processes exactly one refresh happens per expiry and a waiter reads the winner's token. With a
// `journal`, a refresh leaves a write-ahead marker first (refresh-marker.ts says why).
import type { Clock, TokenRecord, TokenStore } from '@tokpipe/core';
import type { Db } from '../db/db';
import {
  clearMarker,
  cutOffReason,
  isInvalidGrant,
  REFRESH_MARKER_PREFIX,
  REFUSED_REASON,
  refusedError,
  tokenFingerprint,
  unanswered,
  writeMarker,
  type RefreshMarker,
} from './refresh-marker';

export interface SqlTokenStoreOptions {
  /** With a clock, a record read is reused for `cacheMs` of it (default 5 s): a post reads the token
   * several times (open_id, scopes, each call). A refresh never uses the cache: it reads under the lock. */
  clock?: Clock;
  cacheMs?: number;
  /** A connection no transaction holds (PostgreSQL; not PGlite's single one): the write-ahead refresh
   * marker is committed through it before the refresh request leaves. Without it, no marker. */
  journal?: Db;
  /** Who refreshes (a worker id), named in the marker and in a cut-off refresh's reason. */
  owner?: string;
}

export interface SqlTokenStore extends TokenStore {
  /** A record just read from the row by another statement (the worker's claim): used like a load() of
   * it, unless a record read within the cache window is held already. */
  prime(record: TokenRecord): void;
}

export function sqlTokenStore(db: Db, account: string, options: SqlTokenStoreOptions = {}): SqlTokenStore {
  let cached: { record: TokenRecord; at: number } | undefined;
  const cacheMs = options.cacheMs ?? 5_000;
  const fresh = () =>
    cached && options.clock && options.clock.now() - cached.at < cacheMs ? { ...cached.record } : undefined;
  const keep = (record: TokenRecord) => {
    if (options.clock) cached = { record: { ...record }, at: options.clock.now() };
  };
  const save = (target: Db, record: TokenRecord, refreshed: boolean) =>
    target.query(
      `INSERT INTO tokpipe.tokens (account, record) VALUES ($1, $2)
       ON CONFLICT (account) DO UPDATE SET record = EXCLUDED.record, version = tokens.version + 1, refreshes = tokens.refreshes + $3`,
      [account, JSON.stringify(record), refreshed ? 1 : 0],
    );
  return {
    // In this process, TokenManagers over the same db and account share one in-flight refresh too.
    identity: { scope: db, key: account },
    // A fresher record (a refresh that committed after that statement read the row) is kept instead.
    prime: (record) => void (fresh() ?? keep(record)),
    async load() {
      const hit = fresh();
      if (hit) return hit;
      const { rows } = await db.query<{ record: string }>('SELECT record FROM tokpipe.tokens WHERE account = $1', [
        account,
      ]);
      const record = rows[0] ? (JSON.parse(rows[0].record) as TokenRecord) : undefined;
      if (record) keep(record);
      return record;
    },
    async save(record) {
      await save(db, record, false);
      keep(record);
    },
    exclusive(section) {
      let saved: TokenRecord | undefined;
      const { journal } = options;
      const result = db.transaction(async (tx) => {
        const { rows } = await tx.query<{ record: string; marker: string | null }>(
          `SELECT record, (SELECT value FROM tokpipe.kv WHERE key = $2) AS marker
           FROM tokpipe.tokens WHERE account = $1 FOR UPDATE`,
          [account, REFRESH_MARKER_PREFIX + account],
        );
        const current = rows[0] ? (JSON.parse(rows[0].record) as TokenRecord) : undefined;
        saved = current;
        const saveInTx = async (record: TokenRecord) => {
          await save(tx, record, true);
          // The marker goes with the rotated token's commit: both or neither.
          if (journal) await tx.query('DELETE FROM tokpipe.kv WHERE key = $1', [REFRESH_MARKER_PREFIX + account]);
          saved = record;
        };
        if (!journal || !current) return section(current, saveInTx);
        const fingerprint = tokenFingerprint(current.refresh_token);
        const found = rows[0]!.marker ? (JSON.parse(rows[0]!.marker) as RefreshMarker) : undefined;
        const prior = found?.fingerprint === fingerprint ? found : undefined;
        // TikTok refused this very token already (seen by any process): never sent again.
        if (prior?.state === 'refused') throw refusedError(prior.reason ?? REFUSED_REASON);
        const cutOff = prior && (prior.cutOff ?? { owner: prior.owner, at: prior.at });
        const mine: RefreshMarker = {
          fingerprint,
          owner: options.owner ?? `pid ${process.pid}`,
          at: options.clock?.now() ?? Date.now(),
          state: 'in_flight',
          ...(cutOff ? { cutOff } : {}),
        };
        await writeMarker(journal, account, mine); // committed before the request can leave
        try {
          const value = await section(current, saveInTx);
          if (saved === current)
            await tx.query('DELETE FROM tokpipe.kv WHERE key = $1', [REFRESH_MARKER_PREFIX + account]);
          return value;
        } catch (error) {
          // Saved in this transaction already: the marker row is ours until it ends (nothing to add).
          if (saved !== current) throw error;
          if (isInvalidGrant(error)) {
            const reason = cutOff ? cutOffReason(cutOff) : REFUSED_REASON;
            await writeMarker(journal, account, { ...mine, state: 'refused', reason });
            if (cutOff) throw refusedError(reason);
          } else if (!unanswered(error)) await clearMarker(journal, account);
          throw error;
        }
      });
      // Cached only once committed.
      return result.then((value) => {
        if (saved) keep(saved);
        return value;
      });
    },
  };
}

/** Refreshes done for `account` through exclusive() (what tests and `accounts health` show). */
export async function refreshCount(db: Db, account: string): Promise<number> {
  const { rows } = await db.query<{ refreshes: number }>('SELECT refreshes FROM tokpipe.tokens WHERE account = $1', [
    account,
  ]);
  return Number(rows[0]?.refreshes ?? 0);
}

/** The TikTok open_id stored with `account`'s tokens (part of a post's derived idempotency key). */
export async function storedOpenId(db: Db, account: string): Promise<string | undefined> {
  const { rows } = await db.query<{ record: string }>('SELECT record FROM tokpipe.tokens WHERE account = $1', [
    account,
  ]);
  return rows[0] ? (JSON.parse(rows[0].record) as { open_id?: string }).open_id : undefined;
}
