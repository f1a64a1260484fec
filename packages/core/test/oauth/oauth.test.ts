import { createHash } from 'node:crypto';
import { axiosTransport } from '../../src/node/transport';
import {
  buildAuthorizeUrl,
  codeChallengeFor,
  createCodeVerifier,
  createState,
  TikTokOAuth,
} from '../../src/oauth/oauth';
import { TokpipeError } from '../../src/errors/classify';
import { rejectionOf, world, type World } from '../client/helpers';

let w: World;
let oauth: TikTokOAuth;
let clientKey: string;
let clientSecret: string;
const redirectUri = 'http://127.0.0.1:8765/callback/';
const transport = axiosTransport();

beforeEach(async () => {
  w = await world();
  ({ clientKey, clientSecret } = w.sb.admin.demo());
  oauth = new TikTokOAuth({ clientKey, clientSecret, transport, baseUrl: w.sb.url });
});
afterEach(async () => {
  await w.sb.close();
});

/** Follows the sandbox's headless authorize page: it redirects straight back with ?code=&state=. */
async function authorize(url: string): Promise<URL> {
  const reply = await transport({ method: 'GET', url, headers: {} });
  expect(reply.status).toBe(302);
  return new URL(reply.headers.location!);
}

const tokenRequests = () => w.sb.admin.requests({ endpoint: 'oauth.token' });

describe('buildAuthorizeUrl', () => {
  it('carries client_key, comma-separated scopes, response_type=code, redirect_uri and state', () => {
    const url = new URL(
      buildAuthorizeUrl({ clientKey: 'ck1', scopes: ['user.info.basic', 'video.publish'], redirectUri, state: 'st8' }),
    );
    expect(`${url.origin}${url.pathname}`).toBe('https://www.tiktok.com/v2/auth/authorize/');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_key: 'ck1',
      scope: 'user.info.basic,video.publish',
      response_type: 'code',
      redirect_uri: redirectUri,
      state: 'st8',
    });
  });

  it("adds TikTok's HEX sha256 PKCE challenge", () => {
    const verifier = createCodeVerifier();
    expect(verifier).toMatch(/^[A-Za-z0-9\-._~]{64}$/);
    const url = new URL(
      buildAuthorizeUrl({
        clientKey: 'ck1',
        scopes: ['video.upload'],
        redirectUri,
        state: createState(),
        codeVerifier: verifier,
      }),
    );
    expect(url.searchParams.get('code_challenge')).toBe(createHash('sha256').update(verifier).digest('hex'));
    expect(url.searchParams.get('code_challenge')).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(codeChallengeFor('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('names the wrong parameter', () => {
    expect(() => buildAuthorizeUrl({ clientKey: 'ck', scopes: [], redirectUri, state: 's' })).toThrow(
      /^authorize\.scopes: must list at least one scope/,
    );
    expect(() =>
      buildAuthorizeUrl({ clientKey: 'ck', scopes: ['video.publish'], redirectUri: '/relative', state: 's' }),
    ).toThrow(/^authorize\.redirectUri/);
  });
});

describe('TikTokOAuth against the sandbox', () => {
  it('exchanges a PKCE code for tokens with a form-encoded request', async () => {
    const verifier = createCodeVerifier();
    const state = createState();
    const back = await authorize(
      buildAuthorizeUrl({
        clientKey,
        scopes: ['user.info.basic', 'video.publish'],
        redirectUri,
        state,
        codeVerifier: verifier,
        authorizeUrl: `${w.sb.url}/v2/auth/authorize/`,
      }),
    );
    expect(back.searchParams.get('state')).toBe(state);
    const tokens = await oauth.exchangeCode({
      code: back.searchParams.get('code')!,
      redirectUri,
      codeVerifier: verifier,
    });
    expect(tokens).toMatchObject({
      openId: w.openId,
      scopes: ['user.info.basic', 'video.publish'],
      tokenType: 'Bearer',
      expiresIn: 86400,
    });
    expect(tokens.accessToken).toBeTruthy();
    expect(tokens.refreshToken).toBeTruthy();
    const [sent] = tokenRequests();
    expect(sent!.body).toMatchObject({
      client_key: clientKey,
      grant_type: 'authorization_code',
      redirect_uri: redirectUri,
    });
    // The new token works against the API.
    expect((await w.client.creatorInfo(tokens.accessToken)).privacyLevelOptions.length).toBeGreaterThan(0);
  });

  it('reports a wrong PKCE verifier (flat error, HTTP 200) as invalid_request needing a human', async () => {
    const back = await authorize(
      buildAuthorizeUrl({
        clientKey,
        scopes: ['video.publish'],
        redirectUri,
        state: 's',
        codeVerifier: createCodeVerifier(),
        authorizeUrl: `${w.sb.url}/v2/auth/authorize/`,
      }),
    );
    const error = await rejectionOf(
      oauth.exchangeCode({ code: back.searchParams.get('code')!, redirectUri, codeVerifier: createCodeVerifier() }),
    );
    expect(error).toBeInstanceOf(TokpipeError);
    expect(error.details).toMatchObject({
      layer: 'oauth',
      code: 'invalid_request',
      httpStatus: 200,
      disposition: 'needs_human',
    });
    expect(error.details.logId).toBeTruthy();
  });

  it('refreshes with client_key, returns the rotated refresh token, and the old one then needs re-authorization', async () => {
    const { refreshToken } = w.sb.admin.demo().accounts[0]!;
    const tokens = await oauth.refreshToken(refreshToken);
    expect(tokens.refreshToken).not.toBe(refreshToken);
    expect(tokens.openId).toBe(w.openId);
    const [sent] = tokenRequests();
    expect(sent!.body).toMatchObject({ client_key: clientKey, grant_type: 'refresh_token' });

    const error = await rejectionOf(oauth.refreshToken(refreshToken));
    expect(error.details).toMatchObject({
      layer: 'oauth',
      code: 'invalid_grant',
      disposition: 'reauthorize',
      retryable: false,
    });
    expect(error.message).not.toContain(refreshToken);
    expect(JSON.stringify(error.details)).not.toContain(clientSecret);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('trusts expires_in for both documented lifetimes (2 h and 24 h)', async () => {
    w.sb.admin.setConfig({ accessTokenTtlSec: 7200, refreshTokenTtlSec: 15552000 });
    const tokens = await oauth.refreshToken(w.sb.admin.demo().accounts[0]!.refreshToken);
    expect(tokens.expiresIn).toBe(7200);
  });

  it('reports a wrong client secret as invalid_client, whatever HTTP status the sandbox uses', async () => {
    w.sb.admin.setConfig({ oauthErrorStatus: 400 });
    const bad = new TikTokOAuth({ clientKey, clientSecret: 'not-the-secret', transport, baseUrl: w.sb.url });
    const error = await rejectionOf(bad.refreshToken(w.sb.admin.demo().accounts[0]!.refreshToken));
    expect(error.details).toMatchObject({ code: 'invalid_client', httpStatus: 400, disposition: 'needs_human' });
    expect(error.message).not.toContain('not-the-secret');
  });

  it('retries temporarily_unavailable and server_error (scripted OAuth faults)', async () => {
    w.sb.admin.script('oauth.token', [{ kind: 'error', status: 503, code: 'temporarily_unavailable' }]);
    const error = await rejectionOf(oauth.refreshToken(w.sb.admin.demo().accounts[0]!.refreshToken));
    expect(error.details).toMatchObject({ code: 'temporarily_unavailable', disposition: 'retry', retryable: true });
  });

  it('revokes an access token (empty 200 body) so the API refuses it afterwards', async () => {
    const { accessToken } = w.sb.admin.demo().accounts[0]!;
    await oauth.revokeToken(accessToken);
    expect(w.sb.admin.requests({ endpoint: 'oauth.revoke' })[0]).toMatchObject({ status: 200 });
    const error = await rejectionOf(w.client.creatorInfo(accessToken));
    expect(error.details.code).toBe('access_token_invalid');
  });

  it('refuses empty inputs before any request', async () => {
    expect((await rejectionOf(oauth.refreshToken(''))).details.field).toBe('refreshToken');
    expect((await rejectionOf(oauth.exchangeCode({ code: '', redirectUri }))).details.field).toBe('exchange.code');
    expect(() => new TikTokOAuth({ clientKey: 'x', clientSecret: '', transport })).toThrow(/^options\.clientSecret/);
    expect(tokenRequests()).toHaveLength(0);
  });
});
