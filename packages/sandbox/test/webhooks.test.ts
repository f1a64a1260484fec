import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { form, PATHS, post, start, urlInit, type Harness } from './helpers';

interface Received {
  signature: string;
  raw: string;
  body: { client_key: string; event: string; create_time: number; user_openid: string; content: string };
}

/** A webhook receiver on 127.0.0.1 answering from a script of statuses (then 200). */
async function receiver(statuses: number[] = []) {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      got.push({ signature: String(req.headers['tiktok-signature']), raw, body: JSON.parse(raw) });
      res.writeHead(statuses.shift() ?? 200);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { got, url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('webhooks', () => {
  let h: Harness;
  let rx: Awaited<ReturnType<typeof receiver>>;
  afterEach(async () => {
    await h.sb.close();
    await rx.close();
  });

  async function setup(statuses: number[] = []) {
    h = await start({
      config: {
        downloadDelayMs: 1_000,
        processingDelayMs: 1_000,
        moderationDelayMs: 1_000,
        webhookBackoffBaseMs: 10_000,
      },
    });
    rx = await receiver(statuses);
    h.sb.admin.setConfig({ webhookUrl: rx.url });
  }

  const events = () => rx.got.map((g) => g.body.event);
  const content = (i: number) => JSON.parse(rx.got[i].body.content);

  test('direct post events, signed with the client secret over t.rawBody, content as a JSON string with raw numeric post_id', async () => {
    await setup();
    const id = (await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb))).json.data.publish_id;
    await h.sb.admin.runDueWork();
    expect(rx.got).toHaveLength(0);
    h.clock.advance(2_000);
    await h.sb.admin.runDueWork();
    h.clock.advance(1_000);
    await h.sb.admin.runDueWork();
    expect(events()).toEqual(['post.publish.complete', 'post.publish.publicly_available']);
    const { clientKey, clientSecret } = h.sb.admin.demo();
    for (const g of rx.got) {
      const m = /^t=(\d+),s=([0-9a-f]{64})$/.exec(g.signature);
      expect(m).not.toBeNull();
      const expected = createHmac('sha256', clientSecret).update(`${m![1]}.${g.raw}`).digest('hex');
      expect(m![2]).toBe(expected);
      expect(g.body).toMatchObject({ client_key: clientKey, user_openid: h.openId, content: expect.any(String) });
    }
    expect(content(0)).toEqual({ publish_id: id, publish_type: 'DIRECT_PUBLISH' });
    const postId = h.sb.admin.posts()[0].postIds[0];
    expect(rx.got[1].body.content).toBe(`{"publish_id":"${id}","publish_type":"DIRECT_PUBLISH","post_id":${postId}}`);
    expect(rx.got[0].body.create_time).toBe(Math.floor((Date.UTC(2026, 0, 1) + 2_000) / 1000));
  });

  test('inbox flow: inbox_delivered, then complete when the user posts; failure and cancel events', async () => {
    await setup();
    const inbox = (await post(h.sb, PATHS.inboxInit, h.token, { source_info: urlInit(h.sb).source_info })).json.data
      .publish_id;
    h.clock.advance(2_000);
    await h.sb.admin.runDueWork();
    h.sb.admin.publishDraft(inbox, { privacy: 'SELF_ONLY' });
    await h.sb.admin.runDueWork();
    expect(events()).toEqual(['post.publish.inbox_delivered', 'post.publish.complete']);
    expect(content(0).publish_type).toBe('INBOX_SHARE');

    h.sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'frame_rate_check_failed' }]);
    const failed = (await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb))).json.data.publish_id;
    const cancelled = (await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb))).json.data.publish_id;
    await post(h.sb, PATHS.cancel, h.token, { publish_id: cancelled });
    h.clock.advance(2_000);
    await h.sb.admin.runDueWork();
    const failures = rx.got
      .filter((g) => g.body.event === 'post.publish.failed')
      .map((g) => JSON.parse(g.body.content));
    expect(failures).toEqual([
      { publish_id: cancelled, publish_type: 'DIRECT_PUBLISH', reason: 'publish_cancelled' },
      { publish_id: failed, publish_type: 'DIRECT_PUBLISH', reason: 'frame_rate_check_failed' },
    ]);
  });

  test('revoke sends authorization.removed reason 5; takeDown sends the configured "no longer public" spelling', async () => {
    await setup();
    const { clientKey, clientSecret } = h.sb.admin.demo();
    const t = h.sb.admin.issueToken(h.openId2);
    await form(h.sb, PATHS.revoke, { client_key: clientKey, client_secret: clientSecret, token: t.accessToken });
    await h.sb.admin.runDueWork();
    expect(rx.got.map((g) => [g.body.event, g.body.user_openid, g.body.content])).toEqual([
      ['authorization.removed', h.openId2, '{"reason":5}'],
    ]);

    const id = (await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb))).json.data.publish_id;
    h.clock.advance(3_000);
    h.sb.admin.takeDown(id);
    h.sb.admin.setConfig({ noLongerPublicEvent: 'post.publish.no_longer_publicly_available' });
    await h.sb.admin.runDueWork();
    expect(events().slice(1)).toEqual([
      'post.publish.complete',
      'post.publish.publicly_available',
      'post.publish.no_longer_publicly_available',
    ]);
    expect((await post(h.sb, PATHS.status, h.token, { publish_id: id })).json.data.publicaly_available_post_id).toEqual(
      [],
    );
  });

  test('redelivered with exponential backoff until the receiver answers 200', async () => {
    await setup([500, 404]);
    h.sb.admin.removeAuthorization(h.openId, 2);
    await h.sb.admin.runDueWork();
    expect(rx.got).toHaveLength(1);
    h.clock.advance(9_999);
    await h.sb.admin.runDueWork();
    expect(rx.got).toHaveLength(1);
    h.clock.advance(1);
    await h.sb.admin.runDueWork();
    expect(rx.got).toHaveLength(2);
    h.clock.advance(19_999);
    await h.sb.admin.runDueWork();
    expect(rx.got).toHaveLength(2);
    h.clock.advance(1);
    await h.sb.admin.runDueWork();
    expect(rx.got).toHaveLength(3);
    h.clock.advance(3_600_000);
    await h.sb.admin.runDueWork();
    expect(rx.got).toHaveLength(3);
    const [d] = h.sb.admin.webhooks();
    expect(d.state).toBe('delivered');
    expect(d.attempts.map((a) => a.status)).toEqual([500, 404, 200]);
    expect(new Set(rx.got.map((g) => g.raw)).size).toBe(1);
  });

  test('gives up after webhookGiveUpMs', async () => {
    await setup(new Array(100).fill(503));
    h.sb.admin.setConfig({ webhookGiveUpMs: 60_000 });
    h.sb.admin.removeAuthorization(h.openId, 0);
    for (let i = 0; i < 5; i++) {
      await h.sb.admin.runDueWork();
      h.clock.advance(30_000);
    }
    expect(h.sb.admin.webhooks()[0].state).toBe('expired');
    expect(rx.got.length).toBeLessThan(5);
  });

  test('webhook faults: duplicate delivers twice, drop never, reorder lets the next event overtake', async () => {
    await setup();
    h.sb.admin.script('webhook', [{ kind: 'duplicate' }, { kind: 'drop' }, { kind: 'reorder' }, { kind: 'none' }]);
    for (const reason of [0, 1, 2, 3]) h.sb.admin.removeAuthorization(h.openId, reason);
    await h.sb.admin.runDueWork();
    expect(rx.got.map((g) => JSON.parse(g.body.content).reason)).toEqual([0, 0, 3]);
    h.clock.advance(60_000);
    await h.sb.admin.runDueWork();
    expect(rx.got.map((g) => JSON.parse(g.body.content).reason)).toEqual([0, 0, 3, 2]);
    expect(h.sb.admin.webhooks().map((d) => [d.state, d.fault])).toEqual([
      ['delivered', 'duplicate'],
      ['delivered', 'duplicate'],
      ['dropped', 'drop'],
      ['delivered', 'reorder'],
      ['delivered', null],
    ]);
  });
});
