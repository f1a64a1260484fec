// "Via tokpipe server" mode against a running tokpipe server (built in-process, on a real 127.0.0.1
// socket) with the sandbox behind it: the connection's check, attach/detach of the dedicated webhook, a
// real signed delivery turned into one bundle, and a post whose reply is lost once → one TikTok post.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DELIVERY_TOLERANCE_SEC,
  isTokpipeError,
  readServerReply,
  SERVER_HEADERS,
  serverEventRecord,
} from '@tokpipe/core';
import { join } from 'node:path';
import { evaluate } from '../harness/iml/evaluate';
import { makeEnv } from '../harness/iml/functions';
import { readJsonc } from '../harness/load-app';
import { until } from '../../core/test/pipeline/harness';
import { postBody, startRig, type Rig } from '../../server/test/helpers';
import { SERVER_CONNECTION, SERVER_WEBHOOK } from '../generator/spec/server-mode';
import { APP_DIR } from '../generator/write-app';
import { loadApp } from '../harness/load-app';
import { MakeHarness, type AttachedHook, type Connection } from '../harness';
import { failure } from './helpers';

type Json = Record<string, unknown>;

let rig: Rig;
let receiver: Server | undefined;
afterEach(async () => {
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  receiver = undefined;
  await rig?.close();
});

function harness(dropReply?: (req: { method: string; url: string }) => boolean): MakeHarness {
  return new MakeHarness({ app: loadApp(APP_DIR), hosts: {}, clock: rig.h.clock, common: {}, ...{ dropReply } });
}

/** Make's URL for the dedicated webhook: what the server delivers to, answered as the spec says. */
async function makeHookUrl(
  h: MakeHarness,
  conn: Connection,
  hook: () => AttachedHook,
): Promise<{ url: string; answers: number[]; bundles: Json[]; raw: Array<{ headers: Json; body: string }> }> {
  const state = {
    url: '',
    answers: [] as number[],
    bundles: [] as Json[],
    raw: [] as Array<{ headers: Json; body: string }>,
  };
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(text) as Json;
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      state.raw.push({ headers, body: text });
      void h.deliverWebhook(SERVER_WEBHOOK, { body, headers }, [conn], hook()).then(({ respond, routed }) => {
        state.bundles.push(...routed.map((r) => r.bundle));
        state.answers.push(Number(respond.status));
        res.writeHead(Number(respond.status), { 'content-type': 'application/json' }).end(JSON.stringify(respond.body));
      });
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', () => resolve()));
  state.url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/make/hook/abc`;
  return state;
}

async function connected(h: MakeHarness, scope: 'read' | 'post' = 'post'): Promise<{ conn: Connection; key: string }> {
  const key = await rig.key(scope);
  return { conn: await rig.h.clock.track(h.connectBasic(SERVER_CONNECTION, { serverUrl: rig.url, apiKey: key })), key };
}

const pick = (o: Json, ...keys: string[]) => Object.fromEntries(keys.map((k) => [k, String(o[k])]));

const noSecretIn = (h: MakeHarness, ...secrets: string[]) => {
  const logged = JSON.stringify(h.logs);
  for (const s of secrets) expect(logged).not.toContain(s);
};

describe('connection', () => {
  test('the server URL and API key are checked with GET /v1/accounts; a wrong key fails naming the key', async () => {
    rig = await startRig();
    const h = harness();
    const { conn, key } = await connected(h);
    expect(conn.metadata).toEqual({ type: 'text', value: `${rig.url} (1 accounts)` });
    const err = await failure(() =>
      rig.h.clock.track(h.connectBasic(SERVER_CONNECTION, { serverUrl: rig.url, apiKey: 'tpk_wrong' })),
    );
    expect(err.type).toBe('InvalidConfigurationError');
    expect(err.message).toMatch(/^\[401\] tokpipe server: .*Check the API key/);
    const slash = await failure(() => h.connectBasic(SERVER_CONNECTION, { serverUrl: `${rig.url}/`, apiKey: key }));
    expect(slash).toMatchObject({ type: 'BundleValidationError', message: expect.stringContaining('[serverUrl]') });
    noSecretIn(h, key);
  });
});

describe('instant trigger (dedicated webhook)', () => {
  test('attach subscribes the hook to the chosen events and keeps id + secret; detach removes it', async () => {
    rig = await startRig();
    const h = harness();
    const { conn, key } = await connected(h);
    const hook = await rig.h.clock.track(
      h.attachWebhook(SERVER_WEBHOOK, conn, { events: ['published', 'failed'] }, 'http://127.0.0.1:9/make/hook/x'),
    );
    const id = String(hook.data.externalHookId);
    expect(hook.data.secret).toMatch(/.{16,}/);
    const seen = await rig.call('GET', `/v1/subscriptions/${id}`, { key });
    expect(seen.json).toMatchObject({ targetUrl: hook.url, events: ['published', 'failed'], status: 'active' });
    await rig.h.clock.track(h.detachWebhook(SERVER_WEBHOOK, conn, hook));
    expect((await rig.call('GET', `/v1/subscriptions/${id}`, { key })).status).toBe(404);
    expect(await rig.server.context.hooks.subscriptions()).toHaveLength(0);
    noSecretIn(h, key, String(hook.data.secret));
  });

  test('a real delivery becomes one bundle with core’s event record; a forged one gets 401 and no bundle', async () => {
    rig = await startRig();
    const h = harness();
    const { conn, key } = await connected(h);
    let hook: AttachedHook | undefined;
    const make = await makeHookUrl(h, conn, () => hook!);
    hook = await rig.h.clock.track(h.attachWebhook(SERVER_WEBHOOK, conn, { events: ['published'] }, make.url));
    const created = await rig.call('POST', '/v1/posts', { key, body: postBody(rig.h.sb.url) });
    await rig.h.pipeline.drain();
    await until(() => make.answers.length >= 1, 'the delivery');
    await rig.server.context.hooks.settled();
    expect(make.answers).toEqual([200]);
    expect(make.bundles).toHaveLength(1);
    const [sub] = await rig.server.context.hooks.deliveries();
    expect(make.bundles[0]).toMatchObject({
      eventId: sub!.eventId,
      event: 'published',
      account: 'brand',
      jobId: created.json.jobId,
      state: 'published',
      final: true,
      postIds: expect.any(Array),
    });
    // Field for field what core's serverEventRecord makes of the same delivery (Zapier and n8n output it).
    // (Make has no null: an empty value is left out.)
    const record = Object.entries(serverEventRecord(JSON.parse(sub!.body))).map(([k, v]) => [k, v ?? undefined]);
    expect(make.bundles[0]).toEqual(Object.fromEntries(record));

    // The same body with a signature made with another secret: refused, nothing fires.
    const forged = await fetch(make.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'tokpipe-event-id': 'evt_x',
        'tokpipe-signature': `t=${Math.floor(rig.h.clock.now() / 1000)},s=${'0'.repeat(64)}`,
      },
      body: JSON.stringify({ id: 'evt_x', type: 'published', account: 'brand', createdAt: '', data: {} }),
    });
    expect(forged.status).toBe(401);
    // The genuine delivery replayed after core's window: refused too.
    await rig.h.clock.advance((DELIVERY_TOLERANCE_SEC + 1) * 1000);
    const { headers, body } = make.raw[0]!;
    const replay = await fetch(make.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...pick(headers, SERVER_HEADERS.signature, SERVER_HEADERS.eventId),
      },
      body,
    });
    expect(replay.status).toBe(401);
    expect(make.bundles).toHaveLength(1);
  });
});

describe('posting through the server', () => {
  const params = (sbUrl: string): Json => {
    const { videoUrl, title, privacyLevel } = postBody(sbUrl) as Record<string, string>;
    return { mode: 'direct', videoUrl, title, privacyLevel };
  };

  test('a reply lost once after the server took the post, then Make’s re-run: one post on TikTok', async () => {
    rig = await startRig();
    let dropped = 0;
    const h = harness((req) => req.method === 'POST' && req.url.endsWith('/v1/posts') && dropped++ === 0);
    const { conn, key } = await connected(h);
    const input = params(rig.h.sb.url);
    const lost = await failure(() => rig.h.clock.track(h.runModule('postVideoViaServer', conn, input)));
    expect(lost.type).toBe('ConnectionError'); // Make retries it (incomplete executions)
    const again = await rig.h.clock.track(h.runModule('postVideoViaServer', conn, input));
    expect(again).toMatchObject({ reused: true, account: 'brand', label: null });
    await rig.h.pipeline.drain();
    expect(rig.h.inits('brand')).toBe(1);
    expect(rig.h.posts('brand')).toHaveLength(1);
    expect((await rig.call('GET', '/v1/posts', { key })).json.posts).toHaveLength(1);
    const keys = h.rawLogs.map((l) => l.request.headers['Idempotency-Key']);
    expect(keys).toEqual([undefined, expect.stringMatching(/^make-[0-9a-f]{64}$/), keys[1]]);
    noSecretIn(h, key);
  });

  test('photos, draft mode, and the server’s problems as Make error types', async () => {
    rig = await startRig();
    const h = harness();
    const { conn } = await connected(h);
    const photos = {
      mode: 'draft',
      photoUrls: [`${rig.h.sb.url}/media/photo-1.jpg`],
      title: 'carousel',
      account: 'brand',
      label: 'from make',
    };
    expect(await rig.h.clock.track(h.runModule('postPhotosViaServer', conn, photos))).toMatchObject({
      reused: false,
      account: 'brand',
      label: 'from make',
    });
    await rig.h.pipeline.drain();
    expect(rig.h.posts('brand')).toEqual([expect.objectContaining({ media: 'photo', flow: 'inbox' })]);
    // The same key with another body: the server's 409, a DataError that says to use a new key.
    const mine = { ...params(rig.h.sb.url), idempotencyKey: 'row-17' };
    await rig.h.clock.track(h.runModule('postVideoViaServer', conn, mine));
    const reused = await failure(() =>
      rig.h.clock.track(h.runModule('postVideoViaServer', conn, { ...mine, title: 'edited' })),
    );
    expect(reused).toMatchObject({ type: 'DataError', statusCode: 409 });
    expect(reused.message).toContain('[idempotency_key_reused] Use a new Idempotency-Key');
    // A read-only key: refused by scope, a configuration problem (Make deactivates the scenario).
    const { conn: reader } = await connected(h, 'read');
    const scope = await failure(() =>
      rig.h.clock.track(h.runModule('postVideoViaServer', reader, params(rig.h.sb.url))),
    );
    expect(scope).toMatchObject({ type: 'InvalidConfigurationError', statusCode: 403 });
    // Missing media: Make's form refuses it before anything is sent.
    const before = h.rawLogs.length;
    const missing = await failure(() =>
      h.runModule('postVideoViaServer', conn, { mode: 'direct', title: 'x', privacyLevel: 'SELF_ONLY' }),
    );
    expect(missing).toMatchObject({ type: 'BundleValidationError', message: expect.stringContaining('[videoUrl]') });
    expect(h.rawLogs).toHaveLength(before);
  });
});

describe("the server's problem+json as Make error types (core's reading, compiled)", () => {
  const file = 'modules/post-video-via-server/post-video-via-server.communication.iml.json';
  const temp = (readJsonc(join(APP_DIR, file)) as { response: { temp: unknown } }).response.temp;
  const env = makeEnv({ now: () => 0, uuid: () => 'u' });
  const typeFor = (statusCode: number, body: unknown) =>
    (evaluate(temp, { statusCode, body }, env) as { serverError: { type: string } }).serverError.type;
  const coreDisposition = (status: number, body: unknown) => {
    try {
      readServerReply(status, body);
    } catch (e) {
      if (isTokpipeError(e)) return e.details.disposition;
    }
    throw new Error('expected a problem');
  };

  test.each([
    ['retry', 'ConnectionError'],
    ['wait_for_quota', 'RateLimitError'],
    ['fix_input', 'DataError'],
    ['needs_human', 'RuntimeError'],
    ['reauthorize', 'InvalidAccessTokenError'],
    ['route_to_another_account', 'RuntimeError'],
    ['unknown_outcome', 'RuntimeError'], // the post may exist: never re-run on its own
  ])('disposition %s → %s', (disposition, type) => {
    const body = { type: 'x', status: 422, code: 'c', detail: 'd', disposition };
    expect(coreDisposition(422, body)).toBe(disposition);
    expect(typeFor(422, body)).toBe(type);
  });

  test.each([
    [502, 'ConnectionError', 'retry'],
    [408, 'ConnectionError', 'retry'],
    [429, 'RateLimitError', 'wait_for_quota'],
    [400, 'DataError', 'fix_input'],
    [409, 'DataError', 'fix_input'],
    [401, 'InvalidConfigurationError', 'needs_human'], // the connection's key: fixed there, not by a re-run
    [403, 'InvalidConfigurationError', 'needs_human'],
  ])('HTTP %i without a disposition (a proxy page) → %s', (status, type, disposition) => {
    expect(coreDisposition(status, '<html>x</html>')).toBe(disposition);
    expect(typeFor(status, '<html>x</html>')).toBe(type);
  });
});
