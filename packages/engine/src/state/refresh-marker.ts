// The write-ahead "refresh in flight" marker. A refresh runs under the token row's lock, inside a
// transaction that also stores the rotated token. If the process dies during TikTok's round trip, that
// transaction rolls back and leaves no trace, yet TikTok may have rotated the refresh token already:
// the old one is dead and the new one was never received. No client can recover that; the account
// must be connected again. So before a refresh leaves, the lock holder commits a marker through
// `journal` (a connection no transaction holds) naming the refresh token by fingerprint, itself and the
// time; the rotated token's save deletes it in the same transaction. A later lock holder that finds a
// marker for the very token it holds knows a refresh with it was cut off: it tries once (if TikTok never
// got the first request the token still works), and if TikTok refuses, the account needs a new login for
// that stated reason. A refused token is marked so no process sends it again.
import { createHash } from 'node:crypto';
import { classifyOAuthError, TokpipeError } from '@tokpipe/core';
import type { Db } from '../db/db';

export const REFRESH_MARKER_PREFIX = 'tokpipe/refresh-marker/';

export interface RefreshMarker {
  /** sha256 of the refresh token sent (prefix): never the token. */
  fingerprint: string;
  owner: string;
  /** Clock time the refresh was started. */
  at: number;
  state: 'in_flight' | 'refused';
  /** The refresh whose reply was lost, when this one retried its token. */
  cutOff?: { owner: string; at: number };
  reason?: string;
}

export const tokenFingerprint = (refreshToken: string): string =>
  createHash('sha256').update(refreshToken).digest('hex').slice(0, 32);

export async function writeMarker(db: Db, account: string, marker: RefreshMarker): Promise<void> {
  await db.query(
    'INSERT INTO tokpipe.kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
    [REFRESH_MARKER_PREFIX + account, JSON.stringify(marker)],
  );
}

export async function clearMarker(db: Db, account: string): Promise<void> {
  await db.query('DELETE FROM tokpipe.kv WHERE key = $1', [REFRESH_MARKER_PREFIX + account]);
}

export async function readMarker(db: Db, account: string): Promise<RefreshMarker | undefined> {
  const { rows } = await db.query<{ value: string }>('SELECT value FROM tokpipe.kv WHERE key = $1', [
    REFRESH_MARKER_PREFIX + account,
  ]);
  return rows[0] ? (JSON.parse(rows[0].value) as RefreshMarker) : undefined;
}

/** Why the account needs a new login, for its status (no token in it). */
export function cutOffReason(cut: { owner: string; at: number }): string {
  return (
    `a token refresh started by worker ${cut.owner} at ${new Date(cut.at).toISOString()} never stored its reply ` +
    '(the process stopped during the round trip to TikTok); TikTok had rotated the refresh token, so it was refused ' +
    'when tried again. Connect the account again (tokpipe auth login, then tokpipe accounts add); its jobs are kept'
  );
}

export const REFUSED_REASON =
  'TikTok refused the refresh token (invalid_grant: revoked, expired or already used). Connect the account again ' +
  '(tokpipe auth login, then tokpipe accounts add); its jobs are kept';

/** The error a refresh reports for a refused token (core's reauthorize disposition, this reason). */
export function refusedError(reason: string): TokpipeError {
  return new TokpipeError({ ...classifyOAuthError({ error: 'invalid_grant' }), message: reason, problem: reason });
}

export const isInvalidGrant = (error: unknown): boolean =>
  error instanceof TokpipeError && error.details.code === 'invalid_grant';

/** The request may have reached TikTok (no answer read): the marker stays for the next holder. */
export const unanswered = (error: unknown): boolean =>
  !(error instanceof TokpipeError) || error.details.layer === 'transport';
