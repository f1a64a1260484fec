// Server mode against a running tokpipe server (buildServer in-process, the sandbox behind it, one virtual
// clock), every perform through zapier-platform-core's appTester: the REST hook subscribes, a real signed
// delivery (sandbox publishes → TikTok webhook → server → loopback target URL) runs perform once, a forged
// or replayed one runs nothing, unsubscribe removes it, performList gives samples; creates post through the
// server once per Idempotency-Key, a file is pulled by the server, errors become Zapier errors.
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import zapier from 'zapier-platform-core';
import { until } from '../../core/test/pipeline/harness';
import { startRig, startSubscriber, type Rig, type Subscriber } from '../../server/test/helpers';
import { overrideRuntime } from '../src/lib/common/runtime';
import { errorJson } from './harness';
import { nxCache } from './nx-cache';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ServerApp = require('../src/server');

let rig: Rig;
let target: Subscriber;
let dir: string;
let restore: () => void;
let authData: { serverUrl: string; apiKey: string };
const appTester = zapier.createAppTester(ServerApp);
const run = (perform: any, bundle: Record<string, unknown>): Promise<any> =>
  appTester(perform, { authData, ...bundle } as any);
const trigger = ServerApp.triggers.server_event.operation;
const creates = ServerApp.creates;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-zapier-pull-'));
  rig = await startRig({ webhooks: true, server: { pull: { dir, allowLoopbackHttp: true } } });
  rig.h.clock.setAutoAdvance(false); // time moves only when the test says: TikTok's webhook finishes the post
  rig.h.sb.admin.setConfig({ webhookUrl: `${rig.url}/webhooks/tiktok` });
  target = await startSubscriber();
  authData = { serverUrl: rig.url, apiKey: await rig.key('post') };
  // The app's waits and the delivery's replay window read the server's (virtual) clock.
  restore = overrideRuntime({ clock: rig.h.clock, wrapTransport: (t) => rig.h.clock.trackTransport(t) });
});
afterAll(async () => {
  restore?.();
  await target?.close();
  await rig?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** Until the job is published on the sandbox, by TikTok's webhook through the server. */
async function publish(jobId: string): Promise<void> {
  await until(() => rig.h.pipeline.getJob(jobId)?.state === 'accepted', 'the init');
  for (let i = 0; i < 60 && rig.h.pipeline.getJob(jobId)?.state !== 'published'; i++) {
    await rig.h.clock.advance(2_000);
    await rig.h.clock.track(rig.h.sb.admin.runDueWork());
    await rig.server.context.intake.idle();
  }
  expect(rig.h.pipeline.getJob(jobId)?.state).toBe('published');
  await rig.server.context.hooks.settled();
}

/** What Zapier hands a hook's perform: the raw request (headers as `Http-<Name>`) and the parsed body. */
function zapierHookBundle(received: Subscriber['received'][number], subscribeData: unknown) {
  const headers = Object.fromEntries(
    Object.entries(received.headers).map(([k, v]) => [
      `Http-${k.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase())}`,
      String(v),
    ]),
  );
  return {
    subscribeData,
    rawRequest: { method: 'POST', headers, content: received.body, querystring: '' },
    cleanedRequest: JSON.parse(received.body),
  };
}

/** Until the server has made the post on the sandbox (TikTok accepted the init). */
const accepted = (jobId: string) =>
  until(() => ['accepted', 'published', 'delivered'].includes(rig.h.pipeline.getJob(jobId)?.state ?? ''), 'the init');

const title = (word: string) => `${word} ${Math.random().toString(36).slice(2, 8)} #tokpipe`;

test('the connection test lists the accounts; a wrong key or a bad URL is refused with a clear error', async () => {
  expect(await run(ServerApp.authentication.test, {})).toEqual({
    server: new URL(rig.url).host,
    accounts: 'brand',
  });
  const wrong = await appTester(ServerApp.authentication.test, {
    authData: { ...authData, apiKey: 'tpk_not_a_key' },
  } as any).catch((e: Error) => e);
  expect(String((wrong as Error).message)).toMatch(/tokpipe server: .*\[[a-z_0-9]+\].*API key/);
  const badUrl = await appTester(ServerApp.authentication.test, {
    authData: { ...authData, serverUrl: 'ftp://x' },
  } as any).catch((e: Error) => e);
  expect(errorJson(badUrl as Error).message).toContain('serverUrl');
  // The creates' Account dropdown.
  expect(await run(ServerApp.triggers.server_accounts.operation.perform, {})).toEqual([
    { id: 'brand', label: 'brand' },
  ]);
});

test('REST hook: subscribe, a real delivery runs perform once, forged or replayed runs nothing, unsubscribe', async () => {
  const subscribeData = await run(trigger.performSubscribe, {
    inputData: { event: 'published' },
    targetUrl: target.url,
  });
  expect(subscribeData).toEqual({ id: expect.any(String), secret: expect.any(String), event: 'published' });
  const listed = await rig.call('GET', '/v1/subscriptions', { key: authData.apiKey });
  expect(listed.json.subscriptions).toEqual([
    expect.objectContaining({ id: subscribeData.id, targetUrl: target.url, events: ['published'], status: 'active' }),
  ]);

  // A post through the server's API, published on the sandbox; TikTok's webhook reaches the server, which
  // delivers to the target URL.
  const created = await run(creates.post_video.operation.perform, {
    inputData: { videoUrl: `${rig.h.sb.url}/media/sample.mp4`, title: title('hook'), privacyLevel: 'SELF_ONLY' },
  });
  await publish(created.job_id);
  expect(target.received).toHaveLength(1);
  const delivery = target.received[0]!;

  const records = await run(trigger.perform, zapierHookBundle(delivery, subscribeData));
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({
    id: delivery.headers['tokpipe-event-id'],
    event: 'published',
    account: 'brand',
    job_id: created.job_id,
    state: 'published',
    status: 'PUBLISH_COMPLETE',
    error: null,
  });
  // The same delivery again (the server's retry, or a redelivery by hand): nothing runs.
  expect(await run(trigger.perform, zapierHookBundle(delivery, subscribeData))).toEqual([]);

  // Copies of one event at once (the server's retry racing the first) on Zapier's cache, which honours nx
  // (the appTester's does not): one runs the Zap.
  overrideRuntime({ cache: nxCache() });
  try {
    const copies = await Promise.all(
      [1, 2, 3].map(() => run(trigger.perform, zapierHookBundle(delivery, subscribeData))),
    );
    expect(copies.map((r: unknown[]) => r.length).sort()).toEqual([0, 0, 1]);
  } finally {
    overrideRuntime({ cache: undefined });
  }

  // Forged: another secret's signature, a body changed after signing, no signature, no raw body.
  const forged = zapierHookBundle(delivery, { ...subscribeData, secret: 'whsec_not_the_secret' });
  expect(await run(trigger.perform, forged)).toEqual([]);
  const tampered = zapierHookBundle(
    { ...delivery, body: delivery.body.replace('"published"', '"failed"') },
    subscribeData,
  );
  expect(await run(trigger.perform, tampered)).toEqual([]);
  const unsigned = zapierHookBundle(
    { ...delivery, headers: { ...delivery.headers, 'tokpipe-signature': undefined } },
    subscribeData,
  );
  expect(await run(trigger.perform, unsigned)).toEqual([]);
  const { rawRequest: _dropped, ...noRaw } = zapierHookBundle(delivery, subscribeData);
  expect(await run(trigger.perform, noRaw)).toEqual([]);

  // Samples for the Zap's set-up: the server's latest events of that type, as the trigger outputs them.
  const samples = await run(trigger.performList, { inputData: { event: 'published' } });
  expect(samples[0]).toEqual(records[0]);
  expect(await run(trigger.performList, { inputData: { event: 'dlq' } })).toEqual([]);

  await run(trigger.performUnsubscribe, { subscribeData });
  expect((await rig.call('GET', `/v1/subscriptions/${subscribeData.id}`, { key: authData.apiKey })).status).toBe(404);
  expect((await rig.call('GET', '/v1/subscriptions', { key: authData.apiKey })).json.subscriptions).toEqual([]);
  // Already gone on the server (deleted there, or unsubscribed before): the Zap still turns off.
  await expect(run(trigger.performUnsubscribe, { subscribeData })).resolves.toEqual({});
});

test('a create posts once through the server; the same step again (same Idempotency-Key) posts nothing new', async () => {
  const before = rig.h.posts('brand').length;
  const inputData = {
    videoUrl: `${rig.h.sb.url}/media/sample.mp4`,
    title: title('once'),
    privacyLevel: 'SELF_ONLY',
    disableComment: 'true', // Zapier may hand a boolean over as a word; the server's body takes booleans
  };
  const first = await run(creates.post_video.operation.perform, { inputData });
  expect(first).toMatchObject({ id: first.job_id, reused: false, account: 'brand', error: null });
  expect(first.idempotency_key).toMatch(/^zapier-[0-9a-f]{40}$/);
  await accepted(first.job_id);
  expect(rig.h.posts('brand')).toHaveLength(before + 1);

  const again = await run(creates.post_video.operation.perform, { inputData });
  expect(again).toMatchObject({ job_id: first.job_id, reused: true, idempotency_key: first.idempotency_key });
  expect(rig.h.posts('brand')).toHaveLength(before + 1);

  // The user's own key, used for another post: the server refuses (409), and Zapier shows why.
  const reused = await run(creates.post_video.operation.perform, {
    inputData: { ...inputData, title: title('other'), idempotencyKey: first.idempotency_key },
  }).catch((e: Error) => e);
  expect((reused as Error).name).toBe('AppError');
  expect(errorJson(reused as Error)).toMatchObject({ code: 'idempotency_key_reused', status: 409 });
  expect(rig.h.posts('brand')).toHaveLength(before + 1);
});

test('a file from an earlier step is downloaded by the server (no Zapier size cap), drafts and photos post', async () => {
  const before = rig.h.posts('brand').length;
  const draft = await run(creates.upload_video_draft.operation.perform, {
    inputData: { videoFile: `${rig.h.sb.url}/media/sample.mp4` },
  });
  await accepted(draft.job_id);
  const posts = rig.h.posts('brand');
  expect(posts).toHaveLength(before + 1);
  const { publishId } = rig.h.pipeline.getJob(draft.job_id)!;
  expect(posts.find((p) => p.publishId === publishId)).toMatchObject({ source: 'FILE_UPLOAD' });

  const photos = await run(creates.post_photos.operation.perform, {
    inputData: {
      mode: 'direct',
      photoUrls: [`${rig.h.sb.url}/media/photo.jpg`],
      title: title('photos'),
      privacyLevel: 'SELF_ONLY',
    },
  });
  expect(photos).toMatchObject({ reused: false, error: null });
  await accepted(photos.job_id);
  expect(rig.h.posts('brand')).toHaveLength(before + 2);
});

test('bad input is refused before a request, naming the field; the server refusal keeps its field', async () => {
  const requests = rig.h.sb.admin.requests({}).length;
  const both = await run(creates.post_video.operation.perform, {
    inputData: { videoUrl: `${rig.h.sb.url}/media/sample.mp4`, videoFile: `${rig.h.sb.url}/media/sample.mp4` },
  }).catch((e: Error) => e);
  expect(errorJson(both as Error)).toMatchObject({ code: 'invalid_input' });
  expect(errorJson(both as Error).message).toContain('videoFile');
  const noPrivacy = await run(creates.post_video.operation.perform, {
    inputData: { videoUrl: `${rig.h.sb.url}/media/sample.mp4`, title: title('np') },
  }).catch((e: Error) => e);
  expect((noPrivacy as Error).name).toBe('AppError');
  expect(errorJson(noPrivacy as Error).message).toContain('privacyLevel');
  expect(rig.h.sb.admin.requests({}).length).toBe(requests);
});

test('a server that does not answer: Zapier runs the step again later (safe: the same Idempotency-Key)', async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
  const { port } = closed.address() as AddressInfo;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const down = await appTester(creates.post_video.operation.perform, {
    authData: { ...authData, serverUrl: `http://127.0.0.1:${port}` },
    inputData: { videoUrl: `${rig.h.sb.url}/media/sample.mp4`, title: title('down'), privacyLevel: 'SELF_ONLY' },
  } as any).catch((e: Error) => e);
  expect((down as Error).name).toBe('ThrottledError');
  expect(errorJson(down as Error).message).toMatch(/not reachable \(ECONNREFUSED\) \[server_unreachable\]/);
  expect((down as Error).message).not.toContain(authData.apiKey);
});
