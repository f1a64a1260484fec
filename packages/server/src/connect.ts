// Connect a TikTok account in the browser. An admin asks for a one-time link (POST /v1/connect, or the
// link `tokpipe serve` prints); the page shows the scopes and sends the browser to TikTok's login with a
// stored `state` (PKCE); /oauth/callback checks the state (one use, 15 min), exchanges the code, stores the
// tokens in the pipeline's registry and shows the account with its creator info. Tokens never leave.
import { randomBytes } from 'node:crypto';
import { buildAuthorizeUrl, createCodeVerifier, createState, redactText, type TikTokOAuth } from '@tokpipe/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from './app';
import { HttpProblem } from './problem';
import { PREFIXES, readJson } from './state';

export const DEFAULT_CONNECT_SCOPES = ['user.info.basic', 'video.publish', 'video.upload', 'video.list'];
const LINK_TTL_MS = 15 * 60_000;

export interface ConnectOptions {
  oauth: TikTokOAuth;
  clientKey: string;
  /** TikTok's authorize page (core's TIKTOK_AUTHORIZE_URL; the sandbox serves its own). */
  authorizeUrl: string;
  /** How the browser reaches this server (the redirect URI TikTok must know: <publicUrl>/oauth/callback);
   * a function when it is known only once listening. */
  publicUrl: string | (() => string);
  scopes?: string[];
}

interface ConnectLink {
  account?: string;
  expiresAt: number;
  state?: string;
  codeVerifier?: string;
}

const connectBody = z
  .object({
    account: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)')
      .optional(),
  })
  .strict();

const baseOf = (options: ConnectOptions): string =>
  (typeof options.publicUrl === 'function' ? options.publicUrl() : options.publicUrl).replace(/\/$/, '');

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
    .send(
      `<!doctype html><meta charset="utf-8"><title>tokpipe: ${escapeHtml(title)}</title><h1>${escapeHtml(title)}</h1>${body}`,
    );
}

/** Creates a one-time connect link (also used by `tokpipe serve` at start). */
export async function createConnectLink(
  context: ServerContext,
  options: ConnectOptions,
  account?: string,
): Promise<{ url: string; expiresAt: number }> {
  const id = randomBytes(16).toString('hex');
  const link: ConnectLink = { ...(account ? { account } : {}), expiresAt: context.clock.now() + LINK_TTL_MS };
  await context.store.set(PREFIXES.oauthStates + id, JSON.stringify(link));
  return { url: `${baseOf(options)}/connect?link=${id}`, expiresAt: link.expiresAt };
}

export function registerConnectRoutes(app: FastifyInstance, context: ServerContext, options: ConnectOptions): void {
  const scopes = options.scopes ?? DEFAULT_CONNECT_SCOPES;
  const redirectUri = (): string => `${baseOf(options)}/oauth/callback`;
  const live = async (id: string | undefined): Promise<ConnectLink | undefined> => {
    if (!id || !/^[0-9a-f]{32}$/.test(id)) return undefined;
    const link = await readJson<ConnectLink>(context.store, PREFIXES.oauthStates + id);
    return link && link.expiresAt > context.clock.now() ? link : undefined;
  };

  app.post('/v1/connect', { config: { scope: 'admin' } }, async (request, reply) => {
    const body = connectBody.parse(request.body ?? {});
    const link = await createConnectLink(context, options, body.account);
    return reply.code(201).send({ url: link.url, expiresAt: new Date(link.expiresAt).toISOString(), scopes });
  });

  app.get<{ Querystring: { link?: string } }>('/connect', async (request, reply) => {
    const id = request.query.link;
    const link = await live(id);
    if (!link)
      return page(
        reply,
        403,
        'Link expired',
        '<p>Ask for a new link: <code>POST /v1/connect</code> with an admin key, or restart <code>tokpipe serve</code>.</p>',
      );
    const state = createState();
    const codeVerifier = createCodeVerifier();
    await context.store.set(PREFIXES.oauthStates + id, JSON.stringify({ ...link, state, codeVerifier }));
    await context.store.set(`${PREFIXES.oauthStates}state-${state}`, JSON.stringify({ link: id }));
    const url = buildAuthorizeUrl({
      authorizeUrl: options.authorizeUrl,
      clientKey: options.clientKey,
      redirectUri: redirectUri(),
      scopes,
      state,
      codeVerifier,
    });
    const list = scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('');
    return page(
      reply,
      200,
      'Connect a TikTok account',
      `<p>tokpipe will ask TikTok for these permissions:</p><ul>${list}</ul>` +
        `<p><a href="${escapeHtml(url)}">Continue to TikTok</a></p>` +
        `<p>Redirect URI to register in your TikTok app: <code>${escapeHtml(redirectUri())}</code></p>`,
    );
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/oauth/callback', async (request, reply) => {
    const { state, code, error } = request.query;
    const pointer =
      state && /^[A-Za-z0-9_-]{8,128}$/.test(state)
        ? await readJson<{ link: string }>(context.store, `${PREFIXES.oauthStates}state-${state}`)
        : undefined;
    const link = pointer ? await live(pointer.link) : undefined;
    // A callback without a state we issued (or reused, or late) is someone else's redirect: nothing happens.
    if (!pointer || !link || link.state !== state)
      return page(
        reply,
        400,
        'Login not accepted',
        '<p>The state does not match a login started here (or it expired). Start again from a new connect link.</p>',
      );
    await context.store.delete(`${PREFIXES.oauthStates}state-${state}`);
    await context.store.delete(PREFIXES.oauthStates + pointer.link);
    if (error || !code)
      return page(reply, 400, 'TikTok did not authorize', `<p>TikTok said: ${escapeHtml(error ?? 'no code')}.</p>`);
    const tokens = await options.oauth.exchangeCode({
      code,
      redirectUri: redirectUri(),
      codeVerifier: link.codeVerifier,
    });
    const id =
      link.account ??
      `tiktok-${tokens.openId
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(0, 12)
        .toLowerCase()}`;
    const now = context.clock.now();
    const record = await context.pipeline.accounts.add({
      id,
      token: {
        access_token: tokens.accessToken,
        refresh_token: tokens.refreshToken,
        expires_at: now + tokens.expiresIn * 1000,
        scope: tokens.scopes.join(','),
        open_id: tokens.openId,
        ...(tokens.refreshExpiresIn !== undefined ? { refresh_expires_at: now + tokens.refreshExpiresIn * 1000 } : {}),
      },
    });
    let who = '';
    try {
      const info = await context.options.creatorInfo(record);
      const options = info.privacyLevelOptions.map(escapeHtml).join(', ');
      who = `<p>${escapeHtml(info.nickname ?? '')} (@${escapeHtml(info.username ?? '')}); may post as: ${options}</p>`;
    } catch (err) {
      const reason = redactText((err as Error).message, [tokens.accessToken, tokens.refreshToken]);
      who = `<p>creator_info could not be read yet: ${escapeHtml(reason)}</p>`;
    }
    const missing = scopes.filter((s) => !tokens.scopes.includes(s));
    const note = missing.length ? `<p>Not granted: ${missing.map(escapeHtml).join(', ')}</p>` : '';
    return page(reply, 200, `Connected: ${id}`, `${who}${note}<p>You can close this tab.</p>`);
  });
}

/** Refuses a connect request when the server has no OAuth configured. */
export function registerConnectUnavailable(app: FastifyInstance): void {
  app.post('/v1/connect', { config: { scope: 'admin' } }, async () => {
    throw new HttpProblem(
      503,
      'oauth_not_configured',
      'this server has no TikTok client key and secret: set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET',
    );
  });
}
