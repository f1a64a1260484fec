// The token file as a TokenStore: TokenManager refreshes through it, and the rotated refresh token
// is on disk (atomic rename, 0600, fsync) before the new access token is used.
import { resolve } from 'node:path';
import type { TokenRecord, TokenStore } from '../tokens/types';
import { parseScopes } from '../tokens/types';
import { readTokenFile, writeTokenFile, type TokenFileData } from './token-file';
import { withTokenFileLock, type TokenLockOptions } from './token-lock';

export function tokenRecordFromFile(data: TokenFileData): TokenRecord {
  const record: TokenRecord = {
    access_token: data.access_token,
    refresh_token: data.refresh_token,
    expires_at: data.expiresAt,
    scope: data.scopes.join(','),
    open_id: data.open_id,
  };
  if (data.refreshExpiresAt !== undefined) record.refresh_expires_at = data.refreshExpiresAt;
  return record;
}

export function tokenFileFromRecord(record: TokenRecord): TokenFileData {
  const data: TokenFileData = {
    access_token: record.access_token,
    refresh_token: record.refresh_token,
    expiresAt: record.expires_at,
    scopes: parseScopes(record.scope),
    open_id: record.open_id,
  };
  if (record.refresh_expires_at !== undefined) data.refreshExpiresAt = record.refresh_expires_at;
  return data;
}

// Every fileTokenStore over the same path is one account's storage (shared single-flight refresh).
const FILE_SCOPE = {};

/** The token file as a store; processes sharing it refresh one at a time through `<path>.lock`. */
export function fileTokenStore(path: string, lock: TokenLockOptions = {}): TokenStore {
  return {
    identity: { scope: FILE_SCOPE, key: resolve(path) },
    load: async () => tokenRecordFromFile(await readTokenFile(path)),
    save: (record) => writeTokenFile(path, tokenFileFromRecord(record)),
    // Inside the lock the file is read afresh: a process that waited sees the token the winner saved.
    exclusive: (section) =>
      withTokenFileLock(
        resolve(path),
        async () =>
          section(tokenRecordFromFile(await readTokenFile(path)), (record) =>
            writeTokenFile(path, tokenFileFromRecord(record)),
          ),
        lock,
      ),
  };
}
