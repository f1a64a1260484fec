// OAuth v2: authorize page (headless: redirects straight back for a chosen test user), token
// endpoint (authorization_code and refresh_token with strict rotation), revoke. Errors are flat.
import { Refused, type Ctx, type Engine, type Reply, type SandboxRequest } from './engine';
import { safeEqual, sha256Hex } from './util';
import type { App, TokenGrant } from './world';

const CODE_TTL_MS = 10 * 60_000;

export function oauthError(engine: Engine, error: string, description: string): Reply {
  return {
    status: engine.config.oauthErrorStatus,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: JSON.stringify({ error, error_description: description, log_id: engine.logId() }),
    errorCode: error,
  };
}

function html(status: number, title: string, text: string, code: string): Reply {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return {
    status,
    headers: { 'content-type': 'text/html; charset=UTF-8' },
    body: `<!doctype html><title>${esc(title)}</title><h1>${esc(title)}</h1><p>${esc(text)}</p>`,
    errorCode: code,
  };
}

function redirect(to: URL): Reply {
  return { status: 302, headers: { location: to.toString() }, body: '', errorCode: to.searchParams.get('error') };
}

/** GET /v2/auth/authorize/. Non-TikTok extras: `open_id` or `username` picks the test user
 * (default: the first user), `deny=1` simulates the user refusing. */
export function authorize(engine: Engine, req: SandboxRequest, ctx: Ctx): Reply {
  const q = req.query;
  const app = engine.world.apps.get(q.get('client_key') ?? '');
  if (!app)
    return html(400, 'Invalid client_key', 'client_key is missing or unknown to this sandbox.', 'invalid_client');
  const redirectUri = q.get('redirect_uri') ?? '';
  let target: URL;
  try {
    target = new URL(redirectUri);
  } catch {
    return html(400, 'Invalid redirect_uri', 'redirect_uri is missing or not an absolute URL.', 'invalid_request');
  }
  if (app.redirectUris.length > 0 && !app.redirectUris.includes(redirectUri))
    return html(400, 'Invalid redirect_uri', 'redirect_uri is not registered for this app.', 'invalid_request');
  const state = q.get('state');
  const back = (params: Record<string, string>): Reply => {
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    if (state !== null) target.searchParams.set('state', state);
    return redirect(target);
  };
  if (q.get('response_type') !== 'code')
    return back({ error: 'unsupported_response_type', error_description: 'response_type must be code.' });
  const requested = (q.get('scope') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (requested.length === 0) return back({ error: 'invalid_scope', error_description: 'scope is required.' });
  const unknown = requested.filter((s) => !app.scopes.includes(s));
  if (unknown.length > 0)
    return back({ error: 'invalid_scope', error_description: `The app is not approved for: ${unknown.join(', ')}.` });
  const challenge = q.get('code_challenge');
  if (challenge !== null && q.get('code_challenge_method') !== 'S256')
    return back({ error: 'invalid_request', error_description: 'code_challenge_method must be S256.' });
  if (q.get('deny') === '1')
    return back({ error: 'access_denied', error_description: 'The user denied the authorization.' });
  const users = [...engine.world.users.values()];
  const user = q.get('open_id')
    ? engine.world.users.get(q.get('open_id') as string)
    : q.get('username')
      ? users.find((u) => u.username === q.get('username'))
      : users[0];
  if (!user)
    return html(400, 'Unknown test user', 'open_id / username does not name a sandbox user.', 'invalid_request');
  ctx.openId = user.openId;
  const code = `${engine.world.prng.chars(40)}*0!${engine.world.prng.digits(4)}`;
  engine.world.codes.set(code, {
    code,
    clientKey: app.clientKey,
    openId: user.openId,
    scopes: requested,
    redirectUri,
    codeChallenge: challenge,
    expiresAt: engine.now() + CODE_TTL_MS,
    used: false,
  });
  return back({ code, scopes: requested.join(',') });
}

function tokenBody(engine: Engine, grant: TokenGrant): Reply {
  const now = engine.now();
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: JSON.stringify({
      access_token: grant.accessToken,
      expires_in: Math.round((grant.accessExpiresAt - now) / 1000),
      open_id: grant.openId,
      refresh_expires_in: Math.round((grant.refreshExpiresAt - now) / 1000),
      refresh_token: grant.refreshToken,
      scope: grant.scopes.join(','),
      token_type: 'Bearer',
    }),
    errorCode: null,
  };
}

function parseForm(engine: Engine, req: SandboxRequest): URLSearchParams | Refused {
  const ct = String(req.headers['content-type'] ?? '');
  if (!/^application\/x-www-form-urlencoded\b/i.test(ct))
    return new Refused(
      oauthError(engine, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded.'),
    );
  return new URLSearchParams(req.body.toString('utf8'));
}

function clientOf(engine: Engine, form: URLSearchParams): App | Refused {
  const app = engine.world.apps.get(form.get('client_key') ?? '');
  if (!app) return new Refused(oauthError(engine, 'invalid_client', 'client_key is missing or unknown.'));
  const secret = form.get('client_secret');
  if (!secret) return new Refused(oauthError(engine, 'invalid_client', 'Client secret is missed in request.'));
  if (!safeEqual(secret, app.clientSecret))
    return new Refused(oauthError(engine, 'invalid_client', 'client_secret is wrong.'));
  return app;
}

export function token(engine: Engine, req: SandboxRequest, ctx: Ctx): Reply {
  const form = parseForm(engine, req);
  if (form instanceof Refused) return form.reply;
  const app = clientOf(engine, form);
  if (app instanceof Refused) return app.reply;
  const grantType = form.get('grant_type');
  const { world, config } = engine;
  const now = engine.now();
  if (grantType === 'authorization_code') {
    const code = world.codes.get(form.get('code') ?? '');
    if (!code || code.clientKey !== app.clientKey)
      return oauthError(engine, 'invalid_grant', 'Authorization code is invalid.');
    ctx.openId = code.openId;
    if (code.used) return oauthError(engine, 'invalid_grant', 'Authorization code has already been used.');
    if (now >= code.expiresAt) return oauthError(engine, 'invalid_grant', 'Authorization code is expired.');
    if (form.get('redirect_uri') !== code.redirectUri)
      return oauthError(engine, 'invalid_grant', 'Redirect_uri is not matched with the uri when requesting code.');
    if (code.codeChallenge !== null) {
      const verifier = form.get('code_verifier') ?? '';
      // TikTok's desktop flow: code_challenge = hex(SHA256(code_verifier)), not RFC 7636 base64url.
      if (!verifier || sha256Hex(verifier) !== code.codeChallenge)
        return oauthError(engine, 'invalid_request', 'Code verifier or code challenge is invalid.');
    }
    code.used = true;
    return tokenBody(
      engine,
      world.issueGrant(
        code.openId,
        app.clientKey,
        code.scopes,
        now,
        config.accessTokenTtlSec,
        config.refreshTokenTtlSec,
      ),
    );
  }
  if (grantType === 'refresh_token') {
    const old = world.refreshIndex.get(form.get('refresh_token') ?? '');
    if (!old || old.clientKey !== app.clientKey)
      return oauthError(engine, 'invalid_grant', 'Refresh token is invalid.');
    ctx.openId = old.openId;
    if (old.refreshDead)
      return oauthError(engine, 'invalid_grant', 'Refresh token is invalid or has been rotated or revoked.');
    if (now >= old.refreshExpiresAt) return oauthError(engine, 'invalid_grant', 'Refresh token is expired.');
    const refreshTtl = config.refreshExtendsRefreshLifetime
      ? config.refreshTokenTtlSec
      : Math.round((old.refreshExpiresAt - now) / 1000);
    const next = world.issueGrant(old.openId, app.clientKey, old.scopes, now, config.accessTokenTtlSec, refreshTtl);
    if (config.strictRefreshRotation) old.refreshDead = true;
    else {
      // Lenient mode: the same refresh token keeps working and is handed back.
      world.refreshIndex.delete(next.refreshToken);
      next.refreshToken = old.refreshToken;
      world.refreshIndex.set(old.refreshToken, next);
    }
    return tokenBody(engine, next);
  }
  return oauthError(engine, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token.');
}

/** POST /v2/oauth/revoke/: revokes the user's tokens for the app; TikTok then sends authorization.removed (reason 5). */
export function revoke(
  engine: Engine,
  req: SandboxRequest,
  ctx: Ctx,
  onRemoved: (openId: string, clientKey: string, reason: number) => void,
): Reply {
  const form = parseForm(engine, req);
  if (form instanceof Refused) return form.reply;
  const app = clientOf(engine, form);
  if (app instanceof Refused) return app.reply;
  const tokenValue = form.get('token');
  if (!tokenValue) return oauthError(engine, 'invalid_request', 'token is required.');
  const grant = engine.world.grants.get(tokenValue);
  if (grant && grant.clientKey === app.clientKey) {
    ctx.openId = grant.openId;
    if (!grant.revoked) onRemoved(grant.openId, app.clientKey, 5);
  }
  return { status: 200, headers: {}, body: '', errorCode: null };
}
