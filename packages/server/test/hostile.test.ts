// Hostile input on every route: missing, wrong, revoked or out-of-scope keys, 10 MB bodies, malformed
// JSON, unknown fields, a slow body, too many requests. Each gets a 4xx problem+json; nothing is stored,
// nothing reaches TikTok, the server keeps serving, and no secret shows in any reply or log line.
import * as net from 'node:net';
import { STATE_PREFIX } from '../src/state';
import { postBody, startRig, type Json, type Rig } from './helpers';

let rig: Rig;
const keys: Record<string, string> = {};

beforeAll(async () => {
  rig = await startRig({ server: { limits: { requestTimeoutMs: 400, headersTimeoutMs: 400 } } });
  for (const scope of ['read', 'post', 'admin'] as const) keys[scope] = await rig.key(scope);
});
afterAll(() => rig?.close());

const ROUTES: Array<{ method: 'GET' | 'POST' | 'DELETE'; path: string; scope: 'read' | 'post' | 'admin' }> = [
  { method: 'POST', path: '/v1/posts', scope: 'post' },
  { method: 'GET', path: '/v1/posts', scope: 'read' },
  { method: 'GET', path: '/v1/posts/job_x', scope: 'read' },
  { method: 'GET', path: '/v1/accounts', scope: 'read' },
  { method: 'GET', path: '/v1/accounts/brand/creator-info', scope: 'read' },
  { method: 'GET', path: '/v1/dlq', scope: 'read' },
  { method: 'POST', path: '/v1/dlq/job_x/replay', scope: 'post' },
  { method: 'POST', path: '/v1/reconcile', scope: 'admin' },
  { method: 'POST', path: '/v1/subscriptions', scope: 'read' },
  { method: 'GET', path: '/v1/subscriptions', scope: 'read' },
  { method: 'DELETE', path: '/v1/subscriptions/sub_x', scope: 'read' },
  { method: 'POST', path: '/v1/subscriptions/sub_x/resume', scope: 'read' },
  { method: 'GET', path: '/v1/deliveries', scope: 'read' },
  { method: 'GET', path: '/v1/events', scope: 'read' },
  { method: 'GET', path: '/v1/subscriptions/sub_x', scope: 'read' },
  { method: 'POST', path: '/v1/deliveries/dlv_x/redeliver', scope: 'read' },
  { method: 'POST', path: '/v1/keys', scope: 'admin' },
  { method: 'GET', path: '/v1/keys', scope: 'admin' },
  { method: 'DELETE', path: '/v1/keys/abc', scope: 'admin' },
  { method: 'POST', path: '/v1/connect', scope: 'admin' },
];

const below: Record<string, string | undefined> = { read: undefined, post: 'read', admin: 'post' };

/** What the server has written, and what reached TikTok. */
async function footprint() {
  return {
    stored: (await rig.h.store.list(STATE_PREFIX)).filter(([k]) => !k.startsWith(`${STATE_PREFIX}keys/`)).length,
    jobs: rig.h.pipeline.listJobs().length,
    requests: rig.h.sb.admin.requests({}).length,
  };
}

function expectProblem(
  reply: { status: number; headers: Record<string, string>; json: Json },
  status: number,
  code?: string,
) {
  expect(reply.status).toBe(status);
  expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(reply.json).toMatchObject({ status, type: expect.stringContaining('/problems/'), detail: expect.any(String) });
  if (code) expect(reply.json.code).toBe(code);
}

test('every route: no key, a wrong key, a revoked key, a key below the route scope', async () => {
  const before = await footprint();
  const revoked = await rig.server.context.keys.create({ scope: 'admin' });
  await rig.server.context.keys.revoke(revoked.record.id);
  const wrongSecret = keys.admin!.slice(0, -4) + (keys.admin!.endsWith('0000') ? '1111' : '0000');
  for (const route of ROUTES) {
    const body = route.method === 'POST' ? postBody(rig.h.sb.url) : undefined;
    expectProblem(await rig.call(route.method, route.path, { body }), 401, 'api_key_required');
    for (const key of ['nonsense', wrongSecret, revoked.key])
      expectProblem(await rig.call(route.method, route.path, { key, body }), 401, 'api_key_invalid');
    const weaker = below[route.scope];
    if (weaker)
      expectProblem(await rig.call(route.method, route.path, { key: keys[weaker], body }), 403, 'scope_insufficient');
  }
  expect(await footprint()).toEqual(before);
});

test('a 10 MB body is refused with 413 (and without a key before it is read)', async () => {
  const before = await footprint();
  const huge = JSON.stringify({ ...postBody(rig.h.sb.url), title: 'x'.repeat(10 * 1024 * 1024) });
  expectProblem(await rig.call('POST', '/v1/posts', { key: keys.post, raw: huge }), 413, 'body_too_large');
  expectProblem(await rig.call('POST', '/v1/posts', { raw: huge }), 401);
  expectProblem(await rig.call('POST', '/webhooks/tiktok', { raw: huge }), 413, 'body_too_large');
  expect(await footprint()).toEqual(before);
});

test('malformed JSON, unknown fields, wrong types, wrong media type: 400/415 naming the field', async () => {
  const before = await footprint();
  expectProblem(await rig.call('POST', '/v1/posts', { key: keys.post, raw: '{"videoUrl": "x",' }), 400, 'invalid_json');
  const unknown = await rig.call('POST', '/v1/posts', {
    key: keys.post,
    body: { ...postBody(rig.h.sb.url), colour: 'red' },
  });
  expectProblem(unknown, 400, 'invalid_input');
  expect(unknown.json.field).toBe('colour');
  expect(unknown.json.detail).toContain('colour');
  const wrongType = await rig.call('POST', '/v1/posts', {
    key: keys.post,
    body: { ...postBody(rig.h.sb.url), disableComment: 'yes' },
  });
  expectProblem(wrongType, 400);
  expect(wrongType.json.field).toBe('disableComment');
  const noPrivacy = await rig.call('POST', '/v1/posts', {
    key: keys.post,
    body: { videoUrl: `${rig.h.sb.url}/media/sample.mp4`, title: 't' },
  });
  expectProblem(noPrivacy, 400);
  expect(noPrivacy.json.field).toBe('privacyLevel');
  const notHttps = await rig.call('POST', '/v1/posts', {
    key: keys.post,
    body: { ...postBody(rig.h.sb.url), videoUrl: 'ftp://x/y.mp4' },
  });
  expectProblem(notHttps, 400);
  expect(notHttps.json).toMatchObject({ field: 'videoUrl', detail: expect.stringMatching(/^videoUrl: /) });
  const nobody = await rig.call('POST', '/v1/posts', {
    key: keys.post,
    body: postBody(rig.h.sb.url, { account: 'nobody' }),
  });
  expectProblem(nobody, 400);
  expect(nobody.json.field).toBe('account');
  const badKey = await rig.call('POST', '/v1/posts', {
    key: keys.post,
    body: postBody(rig.h.sb.url),
    headers: { 'idempotency-key': 'x'.repeat(300) },
  });
  expectProblem(badKey, 400);
  expect(badKey.json.field).toBe('Idempotency-Key');
  expectProblem(
    await rig.call('POST', '/v1/posts', {
      key: keys.post,
      raw: 'videoUrl=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
    415,
  );
  const badSub = await rig.call('POST', '/v1/subscriptions', {
    key: keys.read,
    body: { targetUrl: 'not a url', events: ['published', 'everything'] },
  });
  expectProblem(badSub, 400);
  expect(badSub.json.issues.map((i: { field: string }) => i.field)).toEqual(
    expect.arrayContaining(['targetUrl', 'events.1']),
  );
  expectProblem(await rig.call('POST', '/webhooks/tiktok', { raw: '{"event":' }), 400, 'invalid_json');
  expectProblem(await rig.call('GET', '/v1/nothing-here', { key: keys.read }), 404, 'not_found');
  // Parsed losslessly: a number past 2^53 is never silently rounded into something else.
  const huge = await rig.call('POST', '/v1/posts', {
    key: keys.post,
    raw: JSON.stringify(postBody(rig.h.sb.url)).replace(/}$/, ',"videoCoverTimestampMs":12345678901234567891}'),
  });
  expectProblem(huge, 400);
  expect(huge.json.field).toBe('videoCoverTimestampMs');
  expect(await footprint()).toEqual(before);
});

test('a slow body is dropped (408) and the server keeps serving', async () => {
  const before = await footprint();
  const { port } = new URL(rig.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk.toString()));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write(
    `POST /v1/posts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${keys.post}\r\n` +
      `Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{"videoUrl":`,
  );
  await closed; // the server hangs up on it (requestTimeoutMs, real time)
  expect(answer).toMatch(/^HTTP\/1\.1 408/);
  expect((await rig.call('GET', '/healthz')).json).toEqual({ ok: true });
  expect((await rig.call('GET', '/readyz')).json).toEqual({ ready: true });
  expect(await footprint()).toEqual(before);
});

test('a per-key request budget: 429 with Retry-After, open again after the window', async () => {
  const limited = await startRig({ server: { rateLimit: { max: 3, windowMs: 60_000 } } });
  try {
    const key = await limited.key('read');
    const other = await limited.key('read');
    for (let i = 0; i < 3; i++) expect((await limited.call('GET', '/v1/accounts', { key })).status).toBe(200);
    const refused = await limited.call('GET', '/v1/accounts', { key });
    expectProblem(refused, 429, 'api_rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await limited.call('GET', '/v1/accounts', { key: other })).status).toBe(200); // per key
    await limited.h.clock.advance(60_000);
    expect((await limited.call('GET', '/v1/accounts', { key })).status).toBe(200);
  } finally {
    await limited.close();
  }
});

test('secrets scan: no API key, client secret or token in any reply, log line or stored key record', async () => {
  const tokens = await Promise.all(rig.h.pipeline.accounts.list().map((a) => rig.h.pipeline.accounts.getToken(a.id)));
  const secrets = [
    ...Object.values(keys).map((k) => k.split('_')[2]!),
    rig.h.sb.admin.demo().clientSecret,
    ...tokens.flatMap((t) => [t!.access_token, t!.refresh_token]),
  ];
  const stored = (await rig.h.store.list(`${STATE_PREFIX}keys/`)).map(([, v]) => v).join('\n');
  const everything = [...rig.seen, ...rig.logs, stored].join('\n');
  for (const secret of secrets) expect(everything).not.toContain(secret);
  expect(stored).toMatch(/"hash":"[0-9a-f]{64}"/);
});
