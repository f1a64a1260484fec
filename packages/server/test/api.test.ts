// The REST API against the sandbox over real sockets: create, get (timeline), list, idempotency keys,
// DLQ replay, accounts and creator info, OpenAPI. Counts come from what reached the sandbox.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { postBody, startRig, type Rig } from './helpers';

const ROOT = path.resolve(__dirname, '../../..');

let rig: Rig;
let postKey: string;
let readKey: string;

beforeAll(async () => {
  rig = await startRig({ accounts: [{ id: 'brand' }, { id: 'other' }] });
  postKey = await rig.key('post');
  readKey = await rig.key('read');
});
afterAll(() => rig?.close());

test('create, get with its timeline, list with filters', async () => {
  const created = await rig.call('POST', '/v1/posts', {
    key: postKey,
    body: postBody(rig.h.sb.url, { account: 'brand', label: 'first' }),
  });
  expect(created.status).toBe(201);
  expect(created.json).toMatchObject({ account: 'brand', label: 'first', final: false });
  await rig.h.pipeline.drain();

  const got = await rig.call('GET', `/v1/posts/${created.json.jobId}`, { key: readKey });
  expect(got.status).toBe(200);
  expect(got.json).toMatchObject({
    jobId: created.json.jobId,
    state: 'published',
    status: 'PUBLISH_COMPLETE',
    final: true,
    attempts: 1,
  });
  const steps = got.json.timeline.map((s: { step: string }) => s.step);
  expect(steps).toEqual(expect.arrayContaining(['job_queued', 'attempt_started', 'job_accepted', 'job_published']));
  expect(got.json.timeline.find((s: { step: string }) => s.step === 'job_accepted').publishId).toBe(got.json.publishId);
  expect(rig.h.inits('brand')).toBe(1);

  const listed = await rig.call('GET', '/v1/posts?account=brand&state=published', { key: readKey });
  expect(listed.json.posts.map((p: { jobId: string }) => p.jobId)).toContain(created.json.jobId);
  const none = await rig.call('GET', '/v1/posts?state=dead', { key: readKey });
  expect(none.json.posts).toEqual([]);
  const future = new Date(rig.h.clock.now() + 3_600_000).toISOString();
  expect((await rig.call('GET', `/v1/posts?since=${encodeURIComponent(future)}`, { key: readKey })).json.posts).toEqual(
    [],
  );
  const badSince = await rig.call('GET', '/v1/posts?since=yesterday', { key: readKey });
  expect(badSince.status).toBe(400);
  expect(badSince.json.field).toBe('since');
});

test('the same Idempotency-Key twice is one TikTok post; another body with it is a 409', async () => {
  const before = rig.h.posts('other').length;
  const body = postBody(rig.h.sb.url, { account: 'other' });
  const headers = { 'idempotency-key': 'order-4711' };
  const first = await rig.call('POST', '/v1/posts', { key: postKey, body, headers });
  // Same body, keys in another order: the same post.
  const reordered = Object.fromEntries(Object.entries(body).reverse());
  const second = await rig.call('POST', '/v1/posts', { key: postKey, body: reordered, headers });
  expect(first.status).toBe(201);
  expect(second.status).toBe(200);
  expect(second.json).toMatchObject({ jobId: first.json.jobId, reused: true });
  expect(second.json.idempotencyKey).toBe('order-4711');

  const other = await rig.call('POST', '/v1/posts', {
    key: postKey,
    body: { ...body, title: 'something else' },
    headers,
  });
  expect(other.status).toBe(409);
  expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(other.json).toMatchObject({ status: 409, code: 'idempotency_key_reused', field: 'Idempotency-Key' });

  await rig.h.pipeline.drain();
  expect(rig.h.posts('other').length - before).toBe(1);
  expect(rig.h.inits('other')).toBe(1);
});

test('a failed post is in the DLQ with its TikTok code; replay posts it again', async () => {
  rig.h.sb.admin.script('video.init', [
    { kind: 'error', status: 500, code: 'internal_error' },
    { kind: 'async_fail', failReason: 'duration_check_failed' },
  ]);
  const created = await rig.call('POST', '/v1/posts', {
    key: postKey,
    body: postBody(rig.h.sb.url, { account: 'brand' }),
  });
  await rig.h.pipeline.drain();
  const dlq = await rig.call('GET', '/v1/dlq', { key: readKey });
  const entry = dlq.json.deadLetters.find((d: { jobId: string }) => d.jobId === created.json.jobId);
  expect(entry.error).toMatchObject({ code: 'duration_check_failed', class: 'not_retryable' });
  const got = await rig.call('GET', `/v1/posts/${created.json.jobId}`, { key: readKey });
  const dead = got.json.timeline.find((s: { step: string }) => s.step === 'job_dead_lettered');
  expect(dead).toMatchObject({ error: { code: 'duration_check_failed', class: 'not_retryable' } });
  // The first attempt's failure, as TikTok told it: code, log_id and message.
  const retried = got.json.timeline.find((s: { step: string }) => s.step === 'retry_scheduled');
  expect(retried).toMatchObject({
    error: { code: 'internal_error', logId: expect.any(String), message: expect.stringContaining('internal') },
  });

  expect((await rig.call('POST', `/v1/dlq/${created.json.jobId}/replay`, { key: readKey, body: {} })).status).toBe(403);
  const replayed = await rig.call('POST', `/v1/dlq/${created.json.jobId}/replay`, { key: postKey, body: {} });
  expect(replayed.status).toBe(200);
  await rig.h.pipeline.drain();
  const after = await rig.call('GET', `/v1/posts/${created.json.jobId}`, { key: readKey });
  expect(after.json).toMatchObject({ state: 'published', error: null });
  expect(after.json.timeline.filter((s: { step: string }) => s.step === 'attempt_started')).toHaveLength(3);
});

test('accounts show health, caps used today and token expiry (never the token); creator info', async () => {
  const accounts = await rig.call('GET', '/v1/accounts', { key: readKey });
  const brand = accounts.json.accounts.find((a: { id: string }) => a.id === 'brand');
  expect(brand.caps.usedDirectToday).toBeGreaterThanOrEqual(2);
  expect(brand.caps.remainingDirect).toBe(brand.caps.directPerDay - brand.caps.usedDirectToday);
  expect(brand.auth).toMatchObject({ connected: true, accessExpired: false });
  expect(Date.parse(brand.auth.accessExpiresAt)).toBeGreaterThan(rig.h.clock.now());
  expect(brand.health.breaker).toBe('closed');
  const token = await rig.h.pipeline.accounts.getToken('brand');
  expect(accounts.body).not.toContain(token!.access_token);
  expect(accounts.body).not.toContain(token!.refresh_token);

  const info = await rig.call('GET', '/v1/accounts/brand/creator-info', { key: readKey });
  expect(info.status).toBe(200);
  expect(info.json.privacyLevelOptions).toContain('SELF_ONLY');
  expect((await rig.call('GET', '/v1/accounts/nobody/creator-info', { key: readKey })).status).toBe(404);
});

test('a key limited to one account sees and posts only there', async () => {
  const otherOnly = await rig.key('post', ['other']);
  const brandPost = rig.h.pipeline.listJobs().find((j) => j.account === 'brand')!;
  expect((await rig.call('GET', `/v1/posts/${brandPost.id}`, { key: otherOnly })).status).toBe(404);
  const listed = await rig.call('GET', '/v1/posts', { key: otherOnly });
  expect(listed.json.posts.every((p: { account: string }) => p.account === 'other')).toBe(true);
  const refused = await rig.call('POST', '/v1/posts', {
    key: otherOnly,
    body: postBody(rig.h.sb.url, { account: 'brand' }),
  });
  expect(refused.status).toBe(403);
  expect(refused.json).toMatchObject({ code: 'account_not_allowed', field: 'account' });
  const accounts = await rig.call('GET', '/v1/accounts', { key: otherOnly });
  expect(accounts.json.accounts.map((a: { id: string }) => a.id)).toEqual(['other']);
});

test('reconcile needs an admin key', async () => {
  expect((await rig.call('POST', '/v1/reconcile', { key: postKey })).status).toBe(403);
  const admin = await rig.key('admin');
  const done = await rig.call('POST', '/v1/reconcile', { key: admin });
  expect(done.status).toBe(200);
  expect(done.json).toMatchObject({ checked: expect.any(Number), stillOpen: [] });
});

test('/openapi.json is OpenAPI 3.1 from the same schemas (unknown fields refused there too)', async () => {
  const doc = await rig.call('GET', '/openapi.json');
  expect(doc.json.openapi).toBe('3.1.0');
  const body = doc.json.components.schemas.PostBody;
  expect(body.additionalProperties).toBe(false);
  expect(Object.keys(body.properties)).toEqual(
    expect.arrayContaining(['videoUrl', 'photoUrls', 'privacyLevel', 'mode', 'account']),
  );
  expect(body.properties).not.toHaveProperty('videoFile');
  expect(doc.json.paths['/v1/posts'].post.parameters[0].name).toBe('Idempotency-Key');
});

test('keys through the API (admin): created once, listed without secrets, revoked keys refused', async () => {
  const admin = await rig.key('admin');
  expect((await rig.call('POST', '/v1/keys', { key: postKey, body: { scope: 'read' } })).status).toBe(403);
  const made = await rig.call('POST', '/v1/keys', {
    key: admin,
    body: { scope: 'read', accounts: ['other'], label: 'dashboard' },
  });
  expect(made.status).toBe(201);
  expect(made.json).toMatchObject({
    scope: 'read',
    accounts: ['other'],
    label: 'dashboard',
    key: expect.stringMatching(/^tpk_/),
  });
  expect((await rig.call('GET', '/v1/accounts', { key: made.json.key })).status).toBe(200);
  const listed = await rig.call('GET', '/v1/keys', { key: admin });
  expect(listed.body).not.toContain(made.json.key.split('_')[2]);
  expect(listed.body).not.toContain('hash');
  expect((await rig.call('DELETE', `/v1/keys/${made.json.id}`, { key: admin })).status).toBe(204);
  expect((await rig.call('GET', '/v1/accounts', { key: made.json.key })).status).toBe(401);
});

test('/openapi.json passes an OpenAPI 3.1 validator', async () => {
  const doc = (await rig.call('GET', '/openapi.json')).body;
  // The validator is an ES module: run it as one, in its own process, on the document as served.
  const script = [
    "import { Validator } from '@seriousme/openapi-schema-validator';",
    "let text = ''; for await (const chunk of process.stdin) text += chunk;",
    'console.log(JSON.stringify(await new Validator().validate(JSON.parse(text))));',
  ].join('\n');
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    input: doc,
    encoding: 'utf8',
    cwd: ROOT,
  });
  expect(run.stderr).toBe('');
  const result = JSON.parse(run.stdout) as { valid: boolean; errors?: unknown };
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
});
