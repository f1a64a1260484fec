// Tokens as adapters hand them to core: a provider (each platform keeps its own credential storage)
// or a TokenManager over a pluggable TokenStore.

/** The contract every adapter implements or uses (docs/ARCHITECTURE.md). */
export interface AccessTokenProvider {
  /** A valid token (refreshing ahead of expiry if the provider can). */
  getAccessToken(): Promise<string>;
  /** Called once after access_token_invalid; returns a fresh token. */
  onUnauthorized?(): Promise<string>;
  /** Granted scopes, for the pre-flight scope check. */
  scopes?(): Promise<string[] | undefined>;
  /** Part of the idempotency key. */
  openId?(): Promise<string | undefined>;
}

/** One account's tokens. */
export interface TokenRecord {
  access_token: string;
  refresh_token: string;
  /** When the access token expires, epoch ms. */
  expires_at: number;
  /** Granted scopes, comma-separated as TikTok sends them. */
  scope: string;
  open_id: string;
  /** When the refresh token expires, epoch ms, if known. */
  refresh_expires_at?: number;
}

/** Where a TokenRecord lives. `save` must be durable before it resolves: the rotated refresh token
 * is the only way back in once the old one stops working. */
export interface TokenStore {
  load(): Promise<TokenRecord | undefined>;
  save(record: TokenRecord): Promise<void>;
  /** Names the account's storage so every TokenManager over the same record shares one refresh
   * (two refreshes in parallel would kill each other's rotated refresh token). Default: this object. */
  identity?: { scope: object; key: string };
  /** Optional, for storage shared by several processes (SQL: `SELECT ... FOR UPDATE` on the account's
   * row; a token file: `<file>.lock`). Runs `section` while no other process can refresh this account; `current` is the record as
   * stored now (a waiter sees the token the winner saved), and `save` writes inside the same hold,
   * committed before exclusive() resolves, so the rotated refresh token is durable before use. */
  exclusive?<T>(
    section: (current: TokenRecord | undefined, save: (record: TokenRecord) => Promise<void>) => Promise<T>,
  ): Promise<T>;
}

/** TikTok's token reply (authorization_code and refresh_token grants, reference §4.2). */
export interface OAuthTokenReply {
  access_token: string;
  refresh_token?: string;
  /** Seconds. */
  expires_in: number;
  refresh_expires_in?: number;
  scope?: string;
  open_id?: string;
}

export function parseScopes(scope: string | readonly string[] | undefined): string[] {
  const list = typeof scope === 'string' ? scope.split(/[,\s]+/) : [...(scope ?? [])];
  return list.map((s) => s.trim()).filter(Boolean);
}
