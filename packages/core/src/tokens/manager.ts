// TokenManager: an AccessTokenProvider over a TokenStore. Refreshes ahead of expiry (expires_at comes
// from expires_in, so 2 h and 24 h lifetimes both work), one refresh at a time per account, and the
// rotated refresh token is SAVED before the new access token is handed out: TikTok rotates refresh
// tokens on every refresh and the old one stops working at once.
// Across processes (a token file shared by cron jobs) the store's refresh lock serializes refreshes;
// the record is re-read inside it, and a refresh token this process knows is spent is never sent again.
import { createHash } from 'node:crypto';
import { TokpipeError, classifyOAuthError } from '../errors/classify';
import { rememberSecret } from '../redact';
import { TikTokOAuth } from '../oauth/oauth';
import type { Clock, Transport } from '../ports';
import { parseScopes, type AccessTokenProvider, type OAuthTokenReply, type TokenRecord, type TokenStore } from './types';

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

const isInvalidGrant = (error: unknown): boolean => error instanceof TokpipeError && error.details.code === 'invalid_grant';

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
    if (this.options.clock.now() - this.lastRefreshAt < this.recentRefreshMs && this.cached) return this.cached.access_token;
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
    const store = this.options.store;
    const locked = (): Promise<TokenRecord> => this.refreshAndSave(force, rejectedAccessToken);
    const started = (store.withRefreshLock ? store.withRefreshLock(locked) : locked()).finally(() => inflight!.delete(key));
    inflight.set(key, started);
    return started;
  }

  private identity(): { scope: object; key: string } {
    return this.options.store.identity ?? { scope: this.options.store, key: '' };
  }

  private async load(): Promise<TokenRecord> {
    const record = await this.options.store.load();
    if (!record) throw reauthorize('No token is stored for this account.');
    rememberSecret(record.access_token);
    rememberSecret(record.refresh_token);
    this.cached = record;
    return record;
  }

  /** Runs inside the store's refresh lock when it has one: everything is decided on a fresh read. */
  private async refreshAndSave(force: boolean, rejectedAccessToken: string | undefined, retried = false): Promise<TokenRecord> {
    const current = await this.load();
    const now = this.options.clock.now();
    // Another manager (or process) may have refreshed since we looked: use its token.
    if (!force && current.expires_at - now > this.refreshAheadMs) return current;
    // After a 401: the stored token is not the one TikTok refused, so someone refreshed already.
    if (force && rejectedAccessToken !== undefined && current.access_token !== rejectedAccessToken && current.expires_at > now) return current;
    const spent = spentSet(this.identity());
    const sent = fingerprint(current.refresh_token);
    if (spent.has(sent)) {
      throw reauthorize('The stored refresh token was already used (TikTok rotated or refused it) and no newer one was saved.');
    }
    let reply: OAuthTokenReply;
    try {
      reply = await this.options.refresh(current.refresh_token);
    } catch (error) {
      if (!isInvalidGrant(error)) throw error;
      spent.add(sent);
      // Refused: if the stored token changed meanwhile (a process outside the lock, a new login), use that one.
      const latest = await this.load();
      if (!retried && latest.refresh_token !== current.refresh_token) return this.refreshAndSave(force, rejectedAccessToken, true);
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
    const refreshExpiresAt = reply.refresh_expires_in !== undefined ? now + reply.refresh_expires_in * 1000 : current.refresh_expires_at;
    if (refreshExpiresAt !== undefined) next.refresh_expires_at = refreshExpiresAt;
    // Durable first: if this throws, the new access token is never used.
    try {
      await this.options.store.save(next);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`TikTok issued a new refresh token but saving it failed (${why}); the account may need to be connected again`);
    }
    this.cached = next;
    this.lastRefreshAt = now;
    return next;
  }
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
  const oauth = new TikTokOAuth({ clientKey: options.clientKey, clientSecret: options.clientSecret, transport: options.transport, baseUrl: options.baseUrl, clock: options.clock });
  return new TokenManager({ store: options.store, clock: options.clock, refresh: oauthRefresher(oauth), refreshAheadMs: options.refreshAheadMs });
}
