// TokenManager: an AccessTokenProvider over a TokenStore. Refreshes ahead of expiry (expires_at comes
// from expires_in, so 2 h and 24 h lifetimes both work), one refresh at a time per account, and the
// rotated refresh token is SAVED before the new access token is handed out: TikTok rotates refresh
// tokens on every refresh and the old one stops working at once.
import { TokpipeError, classifyOAuthError } from '../errors/classify';
import { TikTokOAuth } from '../oauth/oauth';
import type { Clock, Transport } from '../ports';
import { parseScopes, type AccessTokenProvider, type OAuthTokenReply, type TokenRecord, type TokenStore } from './types';

// In-flight refreshes by storage identity: shared by every TokenManager in this process.
const inflightByScope = new WeakMap<object, Map<string, Promise<TokenRecord>>>();

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
    return (await this.refreshOnce(true)).access_token;
  }

  async scopes(): Promise<string[] | undefined> {
    return parseScopes((await this.load()).scope);
  }

  async openId(): Promise<string | undefined> {
    return (await this.load()).open_id || undefined;
  }

  /** Refreshes now (single-flight per account: concurrent callers share one refresh). */
  refreshOnce(force = false): Promise<TokenRecord> {
    const { scope, key } = this.options.store.identity ?? { scope: this.options.store, key: '' };
    let inflight = inflightByScope.get(scope);
    if (!inflight) {
      inflight = new Map();
      inflightByScope.set(scope, inflight);
    }
    const running = inflight.get(key);
    if (running) return running;
    const started = this.refreshAndSave(force).finally(() => inflight!.delete(key));
    inflight.set(key, started);
    return started;
  }

  private async load(): Promise<TokenRecord> {
    const record = await this.options.store.load();
    if (!record) throw noTokenStored();
    this.cached = record;
    return record;
  }

  private async refreshAndSave(force: boolean): Promise<TokenRecord> {
    const { store } = this.options;
    if (!store.exclusive) {
      const current = await this.load();
      return this.refreshUnlessDone(current, force, this.cached, (next) => store.save(next));
    }
    const seen = this.cached;
    return store.exclusive(async (current, save) => {
      if (!current) throw noTokenStored(); // (not load(): the store is held by this section)
      return this.refreshUnlessDone(current, force, seen, save);
    });
  }

  /** `seen`: the record this manager used before (after access_token_invalid, a different access
   * token in `current` means another process already refreshed: use it). */
  private async refreshUnlessDone(
    current: TokenRecord,
    force: boolean,
    seen: TokenRecord | undefined,
    save: (next: TokenRecord) => Promise<void>,
  ): Promise<TokenRecord> {
    this.cached = current;
    // Another manager (or process) may have refreshed since we looked: use its token.
    if (!force && current.expires_at - this.options.clock.now() > this.refreshAheadMs) return current;
    if (force && seen && seen.access_token !== current.access_token) return current;
    const reply = await this.refreshWithLostReplyRetry(current.refresh_token);
    const now = this.options.clock.now();
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
      await save(next);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`TikTok issued a new refresh token but saving it failed (${why}); the account may need to be connected again`);
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
function noTokenStored(): TokpipeError {
  return new TokpipeError(classifyOAuthError({ error: 'invalid_grant', error_description: 'No token is stored for this account.' }));
}

const LOST_REPLY_KINDS: ReadonlySet<string> = new Set(['reset', 'timeout', 'aborted', 'other']);

function lostReply(error: unknown): boolean {
  // Asking again is harmless when the request never left, so every connection failure counts.
  return error instanceof TokpipeError && error.details.layer === 'transport' && LOST_REPLY_KINDS.has(error.details.code);
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
