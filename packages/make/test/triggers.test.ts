// The two triggers (shared webhook routed by uid, polling on the video list), the connection itself,
// and the no-secret-in-logs check, against the sandbox.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calls, failure, world, type World } from './helpers';
import { API_BASE, AUTHORIZE_URL, CONNECTION, WEBHOOK } from '../generator/spec/connection';
import { MakeHarness, type Connection } from '../harness';

let w: World;
let receiver: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  receiver = undefined;
  await w?.close();
});

type Routed = Array<{ connection: string; module: string; bundle: Record<string, unknown> }>;

/** Make's shared webhook URL: the sandbox posts TikTok's events here, the harness answers as the spec says. */
async function makeWebhookUrl(connections: Connection[], routed: Routed, answers: number[]): Promise<string> {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      void w.h.deliverWebhook(WEBHOOK, { body }, connections).then(({ respond, routed: r }) => {
        routed.push(...r);
        answers.push(Number(respond.status));
        res.writeHead(Number(respond.status), { 'content-type': 'application/json' });
        res.end(JSON.stringify(respond.body));
      });
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(receiver!.address() as AddressInfo).port}/make/hook`;
}

describe('connection', () => {
  test('OAuth: authorize → token → info stores the tokens, the expiry and uid = open_id', async () => {
    w = await world();
    const [account] = w.sb.admin.demo().accounts;
    expect(w.conn.uid).toBe(account!.openId);
    expect(w.conn.metadata).toEqual({ type: 'text', value: 'Sandbox Creator' });
    expect(w.conn.data.scope).toEqual(['user.info.basic', 'video.publish', 'video.upload', 'video.list']);
    expect(Date.parse(String(w.conn.data.expires)) - w.clock.now()).toBe(86_400_000);
    const [exchange] = calls(w.sb, 'oauth.token');
    expect(exchange!.body).toMatchObject({ grant_type: 'authorization_code', client_key: w.sb.admin.demo().clientKey });
  });

  test("a wrong client secret fails the connection with TikTok's OAuth code (HTTP 200 + error body), secret not shown", async () => {
    w = await world();
    const wrong = new MakeHarness({
      app: w.h.app,
      hosts: { [API_BASE]: w.sb.url, [new URL(AUTHORIZE_URL).origin]: w.sb.url },
      clock: w.clock,
      common: { clientKey: w.sb.admin.demo().clientKey, clientSecret: 'not-the-secret' },
    });
    const err = await failure(() => wrong.connect(CONNECTION, { scopes: ['user.info.basic'] }));
    expect(err).toMatchObject({ type: 'InvalidConfigurationError' });
    expect(err.message).toContain('invalid_client');
    expect(JSON.stringify(wrong.logs)).not.toContain('not-the-secret');
  });

  test("the user refusing on TikTok's page fails the connection before any token request", async () => {
    w = await world();
    const before = calls(w.sb, 'oauth.token').length;
    const err = await failure(() =>
      w.h.connect(CONNECTION, { scopes: ['user.info.basic'], authorizeExtras: { deny: '1' } }),
    );
    expect(err.message).toContain('access_denied');
    expect(calls(w.sb, 'oauth.token')).toHaveLength(before);
  });

  test('deleting the connection revokes the token at TikTok', async () => {
    w = await world();
    await w.h.invalidate(w.conn);
    expect(calls(w.sb, 'oauth.revoke')).toHaveLength(1);
    const err = await w.h.runModule('getCreatorInfo', w.conn).catch((e: { type: string }) => e);
    expect(err).toMatchObject({ type: 'InvalidAccessTokenError' });
  });
});

describe('Watch Post Events (shared webhook)', () => {
  test("TikTok's events reach only the scenario whose connection uid matches user_openid, content parsed, answered 200", async () => {
    w = await world();
    const other = await w.h.connect(CONNECTION, {
      scopes: ['user.info.basic', 'video.publish'],
      authorizeExtras: { username: 'sandbox_private' },
    });
    expect(other.uid).not.toBe(w.conn.uid);
    const routed: Routed = [];
    const answers: number[] = [];
    w.sb.admin.setConfig({ webhookUrl: await makeWebhookUrl([w.conn, other], routed, answers) });
    const { publishId } = await w.h.runModule('postVideo', w.conn, {
      videoUrl: w.media('sample.mp4'),
      privacyLevel: 'PUBLIC_TO_EVERYONE',
      waitForCompletion: false,
    });
    w.clock.advance(120_000);
    await w.sb.admin.runDueWork();
    const events = routed.map((r) => r.bundle.event);
    expect(events).toEqual(expect.arrayContaining(['post.publish.complete', 'post.publish.publicly_available']));
    expect(routed.every((r) => r.connection === w.conn.uid && r.module === 'watchPostEvents')).toBe(true);
    const complete = routed.find((r) => r.bundle.event === 'post.publish.complete')!.bundle;
    expect(complete).toMatchObject({ publishId, openId: w.conn.uid, content: { publish_id: publishId } });
    expect(answers.every((s) => s === 200)).toBe(true);
    expect(w.sb.admin.webhooks().every((d) => d.state === 'delivered')).toBe(true);
  });

  test('both spellings of "no longer publicly available" arrive as one event name', async () => {
    w = await world();
    const routed: Routed = [];
    w.sb.admin.setConfig({ webhookUrl: await makeWebhookUrl([w.conn], routed, []) });
    const { publishId } = await w.h.runModule('postVideo', w.conn, {
      videoUrl: w.media('sample.mp4'),
      privacyLevel: 'PUBLIC_TO_EVERYONE',
      waitForCompletion: false,
    });
    w.clock.advance(120_000);
    await w.sb.admin.runDueWork();
    w.sb.admin.takeDown(publishId as string);
    await w.sb.admin.runDueWork();
    expect(w.sb.admin.webhooks().some((d) => d.event === 'post.publish.no_longer_publicaly_available')).toBe(true);
    expect(routed.map((r) => r.bundle.event)).toContain('post.publish.no_longer_publicly_available');
  });

  test('events that are not post events are acknowledged and not routed', async () => {
    w = await world();
    const routed: Routed = [];
    const answers: number[] = [];
    w.sb.admin.setConfig({ webhookUrl: await makeWebhookUrl([w.conn], routed, answers) });
    w.sb.admin.removeAuthorization(w.conn.uid!, 1);
    await w.sb.admin.runDueWork();
    expect(w.sb.admin.webhooks().map((d) => d.event)).toEqual(['authorization.removed']);
    expect(answers).toEqual([200]);
    expect(routed).toEqual([]);
  });
});

describe('Watch New Published Videos (polling)', () => {
  test('the first run returns the published videos, the next only what is new', async () => {
    w = await world();
    const post = () =>
      w.h.runModule('postVideo', w.conn, {
        videoUrl: w.media('sample.mp4'),
        privacyLevel: 'PUBLIC_TO_EVERYONE',
        title: 'clip',
        waitForCompletion: false,
      });
    await post();
    w.clock.advance(60_000);
    await post();
    w.clock.advance(60_000);
    const first = await w.h.pollTrigger('watchNewVideos', w.conn, { limit: 10 }, {});
    expect(first.bundles).toHaveLength(2);
    expect((first.bundles[0] as Record<string, unknown>).id).toMatch(/^\d{19}$/);
    const again = await w.h.pollTrigger('watchNewVideos', w.conn, { limit: 10 }, first.state);
    expect(again.bundles).toHaveLength(0);
    await post();
    w.clock.advance(60_000);
    const third = await w.h.pollTrigger('watchNewVideos', w.conn, { limit: 10 }, again.state);
    expect(third.bundles).toHaveLength(1);
    expect(calls(w.sb, 'video.list')[0]!.body).toEqual({ max_count: 20 });
  });

  test('pages through the list with the cursor and stops at the limit', async () => {
    w = await world({
      config: {
        rateLimits: { init: 100, creatorInfo: 20, status: 30, userInfo: 600, videoList: 600 },
        directPostDailyCap: 100,
      },
    });
    for (let i = 0; i < 23; i++) {
      await w.h.runModule('postVideo', w.conn, {
        videoUrl: w.media('sample.mp4'),
        privacyLevel: 'PUBLIC_TO_EVERYONE',
        waitForCompletion: false,
      });
      w.clock.advance(1_000);
    }
    w.clock.advance(120_000);
    const all = await w.h.pollTrigger('watchNewVideos', w.conn, { limit: 100 }, {});
    expect(all.bundles).toHaveLength(23);
    expect(calls(w.sb, 'video.list').map((c) => (c.body as { cursor?: number }).cursor)).toEqual([undefined, 20]);
    const capped = await w.h.pollTrigger('watchNewVideos', w.conn, { limit: 5 }, {});
    expect(capped.bundles).toHaveLength(5);
  });
});

test('no token, refresh token, code or client secret appears in any sanitized log line', async () => {
  w = await world();
  w.clock.advance(24 * 3600_000 - 60_000);
  await w.h.runModule('postVideo', w.conn, {
    videoUrl: w.media('sample.mp4'),
    privacyLevel: 'SELF_ONLY',
    waitForCompletion: true,
  });
  await w.h.invalidate(w.conn);
  const secrets = new Set<string>([w.clientSecret]);
  for (const entry of w.h.rawLogs) {
    const body = (entry.response?.body ?? {}) as Record<string, unknown>;
    for (const k of ['access_token', 'refresh_token']) if (typeof body[k] === 'string') secrets.add(body[k] as string);
    const sent = (entry.request.body ?? {}) as Record<string, unknown>;
    for (const k of ['code', 'refresh_token', 'token']) if (typeof sent[k] === 'string') secrets.add(sent[k] as string);
  }
  expect(secrets.size).toBeGreaterThanOrEqual(6); // secret, 2 access + 2 refresh tokens, the code
  const raw = JSON.stringify(w.h.rawLogs);
  const shown = JSON.stringify(w.h.logs);
  for (const s of secrets) {
    expect(raw).toContain(s); // the check can fail: the secret really went over the wire
    expect(shown).not.toContain(s);
  }
});
