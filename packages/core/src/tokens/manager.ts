// TokenManager: an AccessTokenProvider over a TokenStore. Refreshes ahead of expiry (expires_at comes
// from expires_in, so 2 h and 24 h lifetimes both work), one refresh at a time per account, and the
// rotated refresh token is SAVED before the new access token is handed out: TikTok rotates refresh
// tokens on every refresh and the old one stops working at once.
// Across processes (a token file shared by cron jobs, a SQL row shared by workers) the store's
// exclusive() section serializes refreshes; the record is read afresh inside it, and a refresh token
// this process knows is spent is never sent again.
import { createHash } from 'node:crypto';
import { TokpipeError, classifyOAuthError } from '../errors/classify';
import { rememberSecret } from '../redact';
import { TikTokOAuth } from '../oauth/oauth';
import type { Clock, Transport } from '../ports';
import {
  parseScopes,
  type AccessTokenProvider,
  type OAuthTokenReply,
  type TokenRecord,
  type TokenStore,
} from './types';

// In-flight refreshes by storage identity: shared by every TokenManager in this process.
const inflightByScope = new WeakMap<object, Map<string, Promise<TokenRecord>>>();
// Refresh tokens (sha256) known to be spent: TikTok rotated them (or refused them with invalid_grant).
const spentByScope = new WeakMap<object, Map<string, Set<string>>>();

function spentSet(identity: { scope: object; key: string }): Set<string> {
  let byKey = spentByScope.get(identity.scope);
  if (!byKey) spentByScope.set(identity.scope, (byKey = new Map()));
  let set = byKey.get(identity.key);
  if (!set) byKey.set(identity.key, (set = new Set()));
  return set;
}

const fingerprint = (refreshToken: string): string => createHash('sha256').update(refreshToken).digest('hex');

function reauthorize(description: string): TokpipeError {
  return new TokpipeError(classifyOAuthError({ error: 'invalid_grant', error_description: description }));
}

const isInvalidGrant = (error: unknown): boolean =>
  error instanceof TokpipeError && error.details.code === 'invalid_grant';

export type RefreshFunction = (refreshToken: string) => Promise<OAuthTokenReply>;

export interface TokenManagerOptions {
  store: TokenStore;
  clock: Clock;
  /** Calls TikTok's refresh_token grant (see tokenRefresher in oauth-refresh.ts). */
  refresh: RefreshFunction;
  /** Refresh when the access token expires within this. Default 5 min. */
  refreshAheadMs?: number;
  /** After access_token_invalid: a token refreshed this recently is trusted instead of refreshing again. */
  recentRefreshMs?: number;
}

export class TokenManager implements AccessTokenProvider {
  private readonly refreshAheadMs: number;
  private readonly recentRefreshMs: number;
  private lastRefreshAt = Number.NEGATIVE_INFINITY;
  private cached: TokenRecord | undefined;

  constructor(private readonly options: TokenManagerOptions) {
    this.refreshAheadMs = options.refreshAheadMs ?? 5 * 60_000;
    this.recentRefreshMs = options.recentRefreshMs ?? 10_000;
  }

  async getAccessToken(): Promise<string> {
    const record = await this.load();
    if (record.expires_at - this.options.clock.now() > this.refreshAheadMs) return record.access_token;
    try {
      return (await this.refreshOnce()).access_token;
    } catch (error) {
      // Refreshing early failed for a passing reason: the current token still works for now.
      const stillValid = record.expires_at > this.options.clock.now();
      if (stillValid && error instanceof TokpipeError && error.details.retryable) return record.access_token;
      throw error;
    }
  }

  async onUnauthorized(): Promise<string> {
    if (this.options.clock.now() - this.lastRefreshAt < this.recentRefreshMs && this.cached)
      return this.cached.access_token;
    return (await this.refreshOnce(true, this.cached?.access_token)).access_token;
  }

  async scopes(): Promise<string[] | undefined> {
    return parseScopes((await this.load()).scope);
  }

  async openId(): Promise<string | undefined> {
    return (await this.load()).open_id || undefined;
  }

  /** Refreshes now (single-flight per account: concurrent callers share one refresh). */
  refreshOnce(force = false, rejectedAccessToken?: string): Promise<TokenRecord> {
    const { scope, key } = this.identity();
    let inflight = inflightByScope.get(scope);
    if (!inflight) {
      inflight = new Map();
      inflightByScope.set(scope, inflight);
    }
    const running = inflight.get(key);
    if (running) return running;
    const started = this.refreshExclusive(force, rejectedAccessToken).finally(() => inflight!.delete(key));
    inflight.set(key, started);
    return started;
  }

  private identity(): { scope: object; key: string } {
    return this.options.store.identity ?? { scope: this.options.store, key: '' };
  }

  private async load(): Promise<TokenRecord> {
    return this.adopt(await this.options.store.load());
  }

  private adopt(record: TokenRecord | undefined): TokenRecord {
    if (!record) throw reauthorize('No token is stored for this account.');
    rememberSecret(record.access_token);
    rememberSecret(record.refresh_token);
    // Only forward: a read that started before another process saved its refresh may finish after we
    // adopted the newer record; the token a 401 is blamed on must be the newest one handed out.
    if (!this.cached || record.expires_at >= this.cached.expires_at) this.cached = record;
    return record;
  }

  /** Inside the store's exclusive section when it has one (token file lock, SQL row lock): the record
   * it hands in is the one stored now, and the save happens before the section ends. */
  private refreshExclusive(force: boolean, rejectedAccessToken: string | undefined): Promise<TokenRecord> {
    const { store } = this.options;
    if (!store.exclusive)
      return this.refreshAndSave(
        force,
        rejectedAccessToken,
        () => this.load(),
        (next) => store.save(next),
      );
    return store.exclusive((current, save) => {
      const held = this.adopt(current);
      // While the section holds the record nobody else can change it: a re-read is the same record.
      return this.refreshAndSave(force, rejectedAccessToken, async () => held, save);
    });
  }

  /** Everything is decided on a fresh read (`read`); `save` is durable before the new token is used. */
  private async refreshAndSave(
    force: boolean,
    rejectedAccessToken: string | undefined,
    read: () => Promise<TokenRecord>,
    save: (next: TokenRecord) => Promise<void>,
    retried = false,
  ): Promise<TokenRecord> {
    const current = await read();
    const now = this.options.clock.now();
    // Another manager (or process) may have refreshed since we looked: use its token.
    if (!force && current.expires_at - now > this.refreshAheadMs) return current;
    // After a 401: the stored token is not the one TikTok refused, so someone refreshed already.
    if (
      force &&
      rejectedAccessToken !== undefined &&
      current.access_token !== rejectedAccessToken &&
      current.expires_at > now
    )
      return current;
    const spent = spentSet(this.identity());
    const sent = fingerprint(current.refresh_token);
    if (spent.has(sent)) {
      throw reauthorize(
        'The stored refresh token was already used (TikTok rotated or refused it) and no newer one was saved.',
      );
    }
    let reply: OAuthTokenReply;
    try {
      reply = await this.refreshWithLostReplyRetry(current.refresh_token);
    } catch (error) {
      if (!isInvalidGrant(error)) throw error;
      spent.add(sent);
      // Refused: if the stored token changed meanwhile (a process outside the lock, a new login), use that one.
      const latest = await read();
      if (!retried && latest.refresh_token !== current.refresh_token)
        return this.refreshAndSave(force, rejectedAccessToken, read, save, true);
      throw error;
    }
    // Rotated: the old refresh token is dead from here on, saved or not (a lenient server hands it back).
    if ((reply.refresh_token ?? current.refresh_token) !== current.refresh_token) spent.add(sent);
    rememberSecret(reply.access_token);
    if (reply.refresh_token) rememberSecret(reply.refresh_token);
    const next: TokenRecord = {
      access_token: reply.access_token,
      refresh_token: reply.refresh_token ?? current.refresh_token,
      expires_at: now + reply.expires_in * 1000,
      scope: reply.scope ?? current.scope,
      open_id: reply.open_id ?? current.open_id,
    };
    const refreshExpiresAt =
      reply.refresh_expires_in !== undefined ? now + reply.refresh_expires_in * 1000 : current.refresh_expires_at;
    if (refreshExpiresAt !== undefined) next.refresh_expires_at = refreshExpiresAt;
    // Durable first: if this throws, the new access token is never used.
    try {
      await save(next);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(
        `TikTok issued a new refresh token but saving it failed (${why}); the account may need to be connected again`,
      );
    }
    this.cached = next;
    this.lastRefreshAt = now;
    return next;
  }

  private async refreshWithLostReplyRetry(refreshToken: string): Promise<OAuthTokenReply> {
    try {
      return await this.options.refresh(refreshToken);
    } catch (error) {
      if (!lostReply(error)) throw error;
      return this.options.refresh(refreshToken);
    }
  }
}

/** A refresh whose reply was lost (the request left, no answer) may have rotated the refresh token.
 * It is asked again once, at once, with the same refresh token, while still single-flight: if TikTok
 * never processed the first, this works; if it did, TikTok answers invalid_grant (the rotated token
 * was never received) and the account needs a new login, which is reported as such. */
const LOST_REPLY_KINDS: ReadonlySet<string> = new Set(['reset', 'timeout', 'aborted', 'other']);

function lostReply(error: unknown): boolean {
  // Asking again is harmless when the request never left, so every connection failure counts.
  return (
    error instanceof TokpipeError && error.details.layer === 'transport' && LOST_REPLY_KINDS.has(error.details.code)
  );
}

/** The refresh function over core-client's OAuth client (refresh_token grant). */
export function oauthRefresher(oauth: Pick<TikTokOAuth, 'refreshToken'>): RefreshFunction {
  return async (refreshToken) => {
    const set = await oauth.refreshToken(refreshToken);
    const reply: OAuthTokenReply = {
      access_token: set.accessToken,
      refresh_token: set.refreshToken,
      expires_in: set.expiresIn,
      scope: set.scopes.join(','),
      open_id: set.openId,
    };
    if (set.refreshExpiresIn !== undefined) reply.refresh_expires_in = set.refreshExpiresIn;
    return reply;
  };
}

/** A TokenManager that refreshes through TikTok's OAuth endpoint. */
export function createTokenManager(options: {
  store: TokenStore;
  clock: Clock;
  transport: Transport;
  clientKey: string;
  clientSecret: string;
  baseUrl?: string;
  refreshAheadMs?: number;
}): TokenManager {
  const oauth = new TikTokOAuth({
    clientKey: options.clientKey,
    clientSecret: options.clientSecret,
    transport: options.transport,
    baseUrl: options.baseUrl,
    clock: options.clock,
  });
  return new TokenManager({
    store: options.store,
    clock: options.clock,
    refresh: oauthRefresher(oauth),
    refreshAheadMs: options.refreshAheadMs,
  });
}
