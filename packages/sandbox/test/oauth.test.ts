import { createHash } from 'node:crypto';
import { form, get, PATHS, post, start, type Harness } from './helpers';

describe('OAuth v2: authorize, token (code + refresh with rotation), revoke', () => {
  let h: Harness;
  let clientKey: string;
  let clientSecret: string;
  beforeEach(async () => {
    h = await start();
    ({ clientKey, clientSecret } = h.sb.admin.demo());
  });
  afterEach(() => h.sb.close());

  const redirectUri = 'http://127.0.0.1:5678/callback/';

  async function authorize(extra: Record<string, string> = {}) {
    const q = new URLSearchParams({
      client_key: clientKey,
      scope: 'user.info.basic,video.publish',
      response_type: 'code',
      redirect_uri: redirectUri,
      state: 'st-1',
      ...extra,
    });
    const r = await get(h.sb, `${PATHS.authorize}?${q}`);
    expect(r.status).toBe(302);
    return new URL(r.headers.get('location') as string);
  }

  test('authorize redirects back with code and state for the first demo user; the code buys a flat token reply', async () => {
    const back = await authorize();
    expect(back.origin + back.pathname).toBe(redirectUri);
    expect(back.searchParams.get('state')).toBe('st-1');
    const code = back.searchParams.get('code') as string;
    const r = await form(h.sb, PATHS.token, {
      client_key: clientKey,
      client_secret: clientSecret,
      code,
      grant_type: 'authorization_code',
      redirect_uri: redirectUri,
    });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      access_token: expect.stringMatching(/^act\./),
      expires_in: 86400,
      open_id: h.openId,
      refresh_expires_in: 31536000,
      refresh_token: expect.stringMatching(/^rft\./),
      scope: 'user.info.basic,video.publish',
      token_type: 'Bearer',
    });
    expect((await post(h.sb, PATHS.creatorInfo, r.json.access_token)).status).toBe(200);
    // a code works once
    const again = await form(h.sb, PATHS.token, {
      client_key: clientKey,
      client_secret: clientSecret,
      code,
      grant_type: 'authorization_code',
      redirect_uri: redirectUri,
    });
    expect(again.json.error).toBe('invalid_grant');
    // secrets never reach the request log
    const logged = JSON.stringify(h.sb.admin.requests({ endpoint: 'oauth.token' }));
    expect(logged).not.toContain(clientSecret);
    expect(logged).not.toContain(code);
  });

  test('authorize picks a user by username, denies, rejects unknown scopes and response types', async () => {
    const second = await authorize({ username: 'sandbox_private' });
    const tok = await form(h.sb, PATHS.token, {
      client_key: clientKey,
      client_secret: clientSecret,
      code: second.searchParams.get('code') as string,
      grant_type: 'authorization_code',
      redirect_uri: redirectUri,
    });
    expect(tok.json.open_id).toBe(h.openId2);
    expect((await authorize({ deny: '1' })).searchParams.get('error')).toBe('access_denied');
    expect((await authorize({ scope: 'video.delete' })).searchParams.get('error')).toBe('invalid_scope');
    expect((await authorize({ response_type: 'token' })).searchParams.get('error')).toBe('unsupported_response_type');
    const noClient = await get(
      h.sb,
      `${PATHS.authorize}?client_key=nope&redirect_uri=${encodeURIComponent(redirectUri)}`,
    );
    expect(noClient.status).toBe(400);
  });

  test('PKCE with TikTok hex S256: the right verifier works, a wrong one is invalid_request', async () => {
    const verifier = 'v'.repeat(64);
    const challenge = createHash('sha256').update(verifier).digest('hex');
    const exchange = async (v: string) => {
      const back = await authorize({ code_challenge: challenge, code_challenge_method: 'S256' });
      return form(h.sb, PATHS.token, {
        client_key: clientKey,
        client_secret: clientSecret,
        code: back.searchParams.get('code') as string,
        grant_type: 'authorization_code',
        redirect_uri: redirectUri,
        code_verifier: v,
      });
    };
    const wrong = await exchange('w'.repeat(64));
    expect(wrong.json).toMatchObject({
      error: 'invalid_request',
      error_description: 'Code verifier or code challenge is invalid.',
      log_id: expect.any(String),
    });
    expect((await exchange(verifier)).json.access_token).toMatch(/^act\./);
  });

  test('token errors are flat: invalid_client, invalid_grant (redirect mismatch, expired), unsupported_grant_type; status is a knob', async () => {
    const code = (await authorize()).searchParams.get('code') as string;
    const base = {
      client_key: clientKey,
      client_secret: clientSecret,
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
    };
    const noSecret = await form(h.sb, PATHS.token, { ...base, client_secret: '' });
    expect(noSecret.status).toBe(200);
    expect(noSecret.json).toMatchObject({
      error: 'invalid_client',
      error_description: 'Client secret is missed in request.',
    });
    expect((await form(h.sb, PATHS.token, { ...base, redirect_uri: 'http://127.0.0.1:1/other/' })).json.error).toBe(
      'invalid_grant',
    );
    expect((await form(h.sb, PATHS.token, { ...base, grant_type: 'password' })).json.error).toBe(
      'unsupported_grant_type',
    );
    h.sb.admin.setConfig({ oauthErrorStatus: 400 });
    h.clock.advance(10 * 60_000);
    const expired = await form(h.sb, PATHS.token, base);
    expect([expired.status, expired.json.error]).toEqual([400, 'invalid_grant']);
  });

  test('refresh rotates strictly: the new refresh token works once, the old one is invalid_grant', async () => {
    const demo = h.sb.admin.demo().accounts[0];
    const refresh = (rt: string) =>
      form(h.sb, PATHS.token, {
        client_key: clientKey,
        client_secret: clientSecret,
        grant_type: 'refresh_token',
        refresh_token: rt,
      });
    h.clock.advance(1_000);
    const first = await refresh(demo.refreshToken);
    expect(first.json.refresh_token).not.toBe(demo.refreshToken);
    expect(first.json.access_token).not.toBe(demo.accessToken);
    expect(first.json.refresh_expires_in).toBe(31536000 - 1); // counted from first issuance
    expect((await refresh(demo.refreshToken)).json.error).toBe('invalid_grant');
    expect((await refresh(first.json.refresh_token)).json.refresh_token).toMatch(/^rft\./);
    h.sb.admin.setConfig({ strictRefreshRotation: false, accessTokenTtlSec: 7200 });
    const issued = h.sb.admin.issueToken(h.openId);
    const lenient = await refresh(issued.refreshToken);
    expect(lenient.json.refresh_token).toBe(issued.refreshToken);
    expect(lenient.json.expires_in).toBe(7200);
    expect((await refresh(issued.refreshToken)).json.access_token).toMatch(/^act\./);
  });

  test('an expired refresh token is invalid_grant', async () => {
    const t = h.sb.admin.issueToken(h.openId, { refreshExpiresIn: 60 });
    h.clock.advance(60_000);
    const r = await form(h.sb, PATHS.token, {
      client_key: clientKey,
      client_secret: clientSecret,
      grant_type: 'refresh_token',
      refresh_token: t.refreshToken,
    });
    expect(r.json.error).toBe('invalid_grant');
  });

  test('revoke: empty 200, the access token and its refresh token stop working', async () => {
    const t = h.sb.admin.issueToken(h.openId);
    const r = await form(h.sb, PATHS.revoke, {
      client_key: clientKey,
      client_secret: clientSecret,
      token: t.accessToken,
    });
    expect([r.status, r.text]).toEqual([200, '']);
    expect((await post(h.sb, PATHS.creatorInfo, t.accessToken)).json.error.code).toBe('access_token_invalid');
    const refreshed = await form(h.sb, PATHS.token, {
      client_key: clientKey,
      client_secret: clientSecret,
      grant_type: 'refresh_token',
      refresh_token: t.refreshToken,
    });
    expect(refreshed.json.error).toBe('invalid_grant');
    expect(
      (await form(h.sb, PATHS.revoke, { client_key: clientKey, client_secret: 'wrong', token: t.accessToken })).json
        .error,
    ).toBe('invalid_client');
  });

  test('token endpoint insists on form encoding', async () => {
    const r = await post(h.sb, PATHS.token, null, { client_key: clientKey });
    expect(r.json.error).toBe('invalid_request');
  });

  test('two concurrent refreshes with one refresh token: exactly one wins', async () => {
    const t = h.sb.admin.issueToken(h.openId);
    const fields = {
      client_key: clientKey,
      client_secret: clientSecret,
      grant_type: 'refresh_token',
      refresh_token: t.refreshToken,
    };
    const results = await Promise.all([form(h.sb, PATHS.token, fields), form(h.sb, PATHS.token, fields)]);
    expect(results.map((r) => (r.json.access_token ? 'ok' : r.json.error)).sort()).toEqual(['invalid_grant', 'ok']);
  });

  test('apps with registered redirect URIs refuse others; tokens are per app', async () => {
    const app = h.sb.admin.createApp({ redirectUris: [redirectUri], scopes: ['user.info.basic'] });
    const q = (uri: string, scope = 'user.info.basic') =>
      new URLSearchParams({ client_key: app.clientKey, scope, response_type: 'code', redirect_uri: uri, state: 's' });
    expect((await get(h.sb, `${PATHS.authorize}?${q('http://127.0.0.1:9/elsewhere/')}`)).status).toBe(400);
    expect(
      new URL(
        (await get(h.sb, `${PATHS.authorize}?${q(redirectUri, 'video.publish')}`)).headers.get('location') as string,
      ).searchParams.get('error'),
    ).toBe('invalid_scope');
    const back = new URL((await get(h.sb, `${PATHS.authorize}?${q(redirectUri)}`)).headers.get('location') as string);
    // the demo app cannot redeem another app's code
    const stolen = await form(h.sb, PATHS.token, {
      client_key: clientKey,
      client_secret: clientSecret,
      code: back.searchParams.get('code') as string,
      grant_type: 'authorization_code',
      redirect_uri: redirectUri,
    });
    expect(stolen.json.error).toBe('invalid_grant');
    const own = await form(h.sb, PATHS.token, {
      client_key: app.clientKey,
      client_secret: app.clientSecret,
      code: back.searchParams.get('code') as string,
      grant_type: 'authorization_code',
      redirect_uri: redirectUri,
    });
    expect(own.json.scope).toBe('user.info.basic');
  });
});
