// The browser connect flow against the sandbox's OAuth: a one-time link, the page with the scopes, TikTok's
// authorize redirect with our state, the callback storing the tokens; the account then shows in the API.
// A reused, forged or late state adds nothing.
import { TikTokOAuth } from '@tokpipe/core';
import { axiosTransport } from '@tokpipe/core/node';
import { startRig, type Rig } from './helpers';

let rig: Rig;
let admin: string;

beforeAll(async () => {
  rig = await startRig({
    server: (h, url) => {
      const demo = h.sb.admin.demo();
      const transport = h.clock.trackTransport(axiosTransport());
      return {
        connect: {
          oauth: new TikTokOAuth({
            clientKey: demo.clientKey,
            clientSecret: demo.clientSecret,
            transport,
            baseUrl: h.sb.url,
            clock: h.clock,
          }),
          clientKey: demo.clientKey,
          authorizeUrl: `${h.sb.url}/v2/auth/authorize/`,
          publicUrl: url,
        },
      };
    },
  });
  admin = await rig.key('admin');
});
afterAll(() => rig?.close());

const unescape = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");

async function startLogin(account?: string): Promise<{ authorize: string; page: string }> {
  const link = await rig.call('POST', '/v1/connect', { key: admin, body: account ? { account } : {} });
  expect(link.status).toBe(201);
  const page = await rig.call('GET', new URL(link.json.url).pathname + new URL(link.json.url).search);
  expect(page.status).toBe(200);
  const href = /<a href="([^"]+)">Continue to TikTok<\/a>/.exec(page.body)![1]!;
  return { authorize: unescape(href), page: page.body };
}

test('connect → TikTok login → callback: the account appears with its creator info, tokens never shown', async () => {
  const user = rig.h.sb.admin.createUser({ username: 'newbie_user' });
  const { authorize, page } = await startLogin('newbie');
  for (const scope of ['video.publish', 'video.upload']) expect(page).toContain(scope);
  const url = new URL(authorize);
  expect(url.searchParams.get('state')).toEqual(expect.any(String));
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');

  const transport = rig.h.clock.trackTransport(axiosTransport());
  const redirect = await transport({ method: 'GET', url: `${authorize}&username=newbie_user`, headers: {} });
  expect(redirect.status).toBe(302);
  const back = new URL(redirect.headers.location!);
  expect(back.origin + back.pathname).toBe(`${rig.url}/oauth/callback`);

  const done = await rig.call('GET', back.pathname + back.search);
  expect(done.status).toBe(200);
  expect(done.body).toContain('Connected: newbie');
  expect(done.body).toContain('@newbie_user');
  const token = await rig.h.pipeline.accounts.getToken('newbie');
  expect(token?.open_id).toBe(user.openId);
  expect(done.body).not.toContain(token!.access_token);
  expect(done.body).not.toContain(token!.refresh_token);

  const accounts = await rig.call('GET', '/v1/accounts', { key: admin });
  expect(accounts.json.accounts.find((a: { id: string }) => a.id === 'newbie')).toMatchObject({
    status: 'active',
    auth: { connected: true },
  });

  // The same callback again (a replay): the state was used once, nothing changes.
  const again = await rig.call('GET', back.pathname + back.search);
  expect(again.status).toBe(400);
});

test('a forged state, a late link, or no admin key: nothing is connected', async () => {
  const before = rig.h.pipeline.accounts.list().length;
  expect((await rig.call('GET', '/oauth/callback?code=abc&state=forgedstate123')).status).toBe(400);
  expect((await rig.call('POST', '/v1/connect', { key: await rig.key('post'), body: {} })).status).toBe(403);
  const link = await rig.call('POST', '/v1/connect', { key: admin, body: {} });
  await rig.h.clock.advance(16 * 60_000);
  const late = await rig.call('GET', new URL(link.json.url).pathname + new URL(link.json.url).search);
  expect(late.status).toBe(403);
  expect((await rig.call('GET', '/connect?link=0123')).status).toBe(403);
  expect(rig.h.pipeline.accounts.list().length).toBe(before);
});
