// One Zapier connection (bundle.authData) as core sees it: a token provider, a poster whose I/O is
// Zapier's (z.request, z.cache, the runtime clock) and whose retries end inside the perform's budget.
import {
  createPoster,
  grantedScopes,
  type AccessTokenProvider,
  type TikTokPoster,
  type Transport,
} from '@tokpipe/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { apiBaseUrl } from './config';
import { runtime } from './runtime';
import { cacheOf, zapierStore } from './cache-store';
import { recentPosts, type RecentPosts } from './recent-posts';
import { zapierTransport } from './transport';

/** What getAccessToken / refreshAccessToken store in bundle.authData. */
export interface TikTokAuthData {
  access_token: string;
  refresh_token: string;
  open_id: string;
  /** Comma-separated granted scopes, as TikTok sends them. */
  scope?: string;
  /** Access-token expiry, epoch ms on the runtime clock. */
  expires_at?: number;
}

/** Refresh this long before TikTok's stated expiry, so a token never dies mid-perform. */
const EXPIRY_MARGIN_MS = 60_000;

export function authDataOf(bundle: Bundle): Partial<TikTokAuthData> {
  return (bundle.authData ?? {}) as Partial<TikTokAuthData>;
}

/** A token TikTok will refuse anyway: Zapier refreshes (and stores the rotated refresh token) first.
 * Refreshing here instead would lose the rotated refresh token: only Zapier can store it. */
export function assertTokenFresh(z: ZObject, bundle: Bundle): void {
  const auth = authDataOf(bundle);
  if (!auth.access_token)
    throw new z.errors.RefreshAuthError(
      'This TikTok connection has no access token; reconnecting it or refreshing is needed.',
    );
  const expiresAt = Number(auth.expires_at);
  if (Number.isFinite(expiresAt) && expiresAt > 0 && runtime().clock.now() >= expiresAt - EXPIRY_MARGIN_MS) {
    throw new z.errors.RefreshAuthError(
      'The TikTok access token has expired; Zapier refreshes it and runs this step again.',
    );
  }
}

function tokenProvider(bundle: Bundle): AccessTokenProvider {
  const auth = authDataOf(bundle);
  return {
    getAccessToken: async () => auth.access_token ?? '',
    scopes: async () => grantedScopes(auth.scope),
    openId: async () => auth.open_id || undefined,
    // No onUnauthorized: a refresh must go through Zapier (RefreshAuthError) to keep the rotated token.
  };
}

/** z.request as core's transport; a request never outlives the perform's deadline. */
export function performTransport(z: ZObject, deadline: { remainingMs(): number }): Transport {
  const rt = runtime();
  const transport = zapierTransport(z, deadline);
  return rt.wrapTransport ? rt.wrapTransport(transport) : transport;
}

export interface PerformContext {
  poster: TikTokPoster;
  /** The perform's remaining time (Zapier's 30 s minus a margin), on the runtime clock. */
  deadline: { remainingMs(): number };
  openId: string;
  /** The posts this connection created, for the Post Status Changed trigger. */
  recent: RecentPosts;
}

export function connect(z: ZObject, bundle: Bundle): PerformContext {
  assertTokenFresh(z, bundle);
  const rt = runtime();
  const deadline = startDeadline();
  const transport = performTransport(z, deadline);
  const openId = authDataOf(bundle).open_id ?? '';
  const cache = cacheOf(z);
  const poster = createPoster({
    baseUrl: apiBaseUrl(),
    transport,
    clock: rt.clock,
    random: rt.random,
    store: zapierStore(cache, openId || 'unknown'),
    auth: tokenProvider(bundle),
    budgetMs: rt.performBudgetMs,
    // Into Zapier's step log. Core's log lines carry codes and ids, never tokens.
    logger: (level, message, fields) => z.console.log(`[tokpipe ${level}] ${message}`, fields ?? {}),
  });
  return { poster, deadline, openId, recent: recentPosts(cache, openId) };
}

/** The perform's time budget, starting now. */
export function startDeadline(): { remainingMs(): number } {
  const { clock, performBudgetMs } = runtime();
  const end = clock.now() + performBudgetMs;
  return { remainingMs: () => Math.max(0, end - clock.now()) };
}
