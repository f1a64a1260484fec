// OAuth2 with TikTok's client_key, end to end through the sandbox's authorize page and token endpoint.
import { startHarness, type Harness } from './harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const REDIRECT = 'https://zapier.com/dashboard/auth/oauth/return/App123CLIAPI/';
const oauth = () => h.App.authentication.oauth2Config;

/** The user approves on TikTok's (the sandbox's) page; the redirect carries the code. */
async function approve(authorizeUrl: string): Promise<URL> {
  const reply = await h.clock.track(fetch(authorizeUrl, { redirect: 'manual' }));
  expect(reply.status).toBe(302);
  return new URL(reply.headers.get('location')!);
}

describe('OAuth2 with client_key', () => {
  it('authorize → code → tokens → test call names the connection', async () => {
    const url = await h.run(oauth().authorizeUrl, { redirect_uri: REDIRECT, state: 'st-42' });
    const authorize = new URL(url);
    expect(authorize.origin + authorize.pathname).toBe(`${h.sb.url}/v2/auth/authorize/`);
    expect(authorize.searchParams.get('client_key')).toBe(h.sb.admin.demo().clientKey);
    expect(authorize.searchParams.get('client_id')).toBeNull();
    expect(authorize.searchParams.get('scope')!.split(',')).toEqual(
      expect.arrayContaining(['video.publish', 'video.upload', 'user.info.basic']),
    );
    expect(authorize.searchParams.get('response_type')).toBe('code');

    const back = await approve(url);
    expect(back.searchParams.get('state')).toBe('st-42');
    const authData = await h.run(oauth().getAccessToken, {
      code: back.searchParams.get('code'),
      redirect_uri: REDIRECT,
      state: 'st-42',
    });
    expect(authData).toMatchObject({ open_id: h.auth.open_id, expires_at: h.clock.now() + 86_400_000 });
    expect(authData.access_token).toMatch(/\S/);
    expect(authData.refresh_token).toMatch(/\S/);
    expect(authData.scope.split(',')).toContain('video.publish');
    const [token] = h.sb.admin.requests({ endpoint: 'oauth.token' });
    expect(token!.body).toMatchObject({
      grant_type: 'authorization_code',
      client_key: h.sb.admin.demo().clientKey,
      redirect_uri: REDIRECT,
    });

    const me = await h.run(h.App.authentication.test, {}, authData);
    expect(me).toMatchObject({ open_id: h.auth.open_id, display_name: 'Sandbox Creator' });
    expect(h.App.authentication.connectionLabel).toBe('{{display_name}}');
  });

  it('refresh returns the rotated refresh token; the old one no longer works → reconnect', async () => {
    const fresh = await h.run(oauth().refreshAccessToken, {}, h.auth);
    expect(fresh.refresh_token).not.toBe(h.auth.refresh_token);
    expect(fresh.access_token).not.toBe(h.auth.access_token);
    const again = await h.fail(oauth().refreshAccessToken, {}, h.auth);
    expect(again.name).toBe('ExpiredAuthError');
    expect(again.message).toMatch(/invalid_grant/);
    expect(again.message).toMatch(/Connect the TikTok account again/);
  });

  it('a bad code is a clear error that never shows the client secret', async () => {
    const err = await h.fail(oauth().getAccessToken, { code: 'not-a-code', redirect_uri: REDIRECT });
    expect(err.message).toMatch(/invalid_grant/);
    expect(err.message).not.toContain(h.sb.admin.demo().clientSecret);
  });

  it('the test call with a dead token asks Zapier to refresh', async () => {
    await h.clock.advance(86_400_000 + 1_000);
    expect((await h.fail(h.App.authentication.test, {}, h.auth)).name).toBe('RefreshAuthError');
  });
});
