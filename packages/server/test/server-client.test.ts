// Core's server client (adapter-kit/server-client.ts, what the n8n, Zapier and Make server modes build on)
// against a real server: requests built from the catalog's routes, problem+json read back into core's
// errors, and a signed delivery checked once per event id.
import {
  isTokpipeError,
  MemoryStore,
  readServerReply,
  receiveServerDelivery,
  serverConnection,
  serverPostBody,
  serverRequest,
  type ServerConnection,
  type ServerHttpRequest,
  type TokpipeError,
} from '@tokpipe/core';
import { eventually, postBody, startRig, startSubscriber, type Rig, type Subscriber } from './helpers';

let rig: Rig;
let sub: Subscriber;
let conn: ServerConnection;

beforeAll(async () => {
  rig = await startRig();
  sub = await startSubscriber();
  conn = serverConnection({ serverUrl: `${rig.url}/`, apiKey: await rig.key('post') });
});
afterAll(async () => {
  await sub?.close();
  await rig?.close();
});

/** Sends a built request the way an adapter's HTTP helper would, and reads the reply with core. */
async function send<T = Record<string, any>>(request: ServerHttpRequest): Promise<T> {
  const path = request.url.slice(rig.url.length);
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([k]) => k !== 'Authorization'));
  const key = request.headers.Authorization!.replace(/^Bearer /, '');
  const reply = await rig.call(request.method, path, { key, headers, ...(request.body ? { body: request.body } : {}) });
  return readServerReply<T>(reply.status, reply.json ?? reply.body);
}

const failure = async (p: Promise<unknown>): Promise<TokpipeError> => {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isTokpipeError(error)) throw new Error(`expected a TokpipeError, got ${String(error)}`);
  return error;
};

test('the connection is checked before any request, naming the field', () => {
  const field = (raw: Record<string, unknown>) => {
    try {
      serverConnection(raw);
      return 'accepted';
    } catch (error) {
      return (error as TokpipeError).details.field;
    }
  };
  expect(field({ apiKey: 'tpk_x' })).toBe('serverUrl');
  expect(field({ serverUrl: 'ftp://x', apiKey: 'tpk_x' })).toBe('serverUrl');
  expect(field({ serverUrl: 'https://u:p@x.example', apiKey: 'tpk_x' })).toBe('serverUrl');
  expect(field({ serverUrl: 'https://x.example' })).toBe('apiKey');
  expect(serverConnection({ serverUrl: ' https://x.example// ', apiKey: ' tpk_x ' })).toEqual({
    serverUrl: 'https://x.example',
    apiKey: 'tpk_x',
  });
  expect(() => serverPostBody({ videoFile: '/tmp/a.mp4' }, 'direct')).toThrow(/videoFile/);
});

test('one Idempotency-Key, one post; another body with it is a 409 read back as a not-retryable error', async () => {
  const fields = postBody(rig.h.sb.url);
  const body = serverPostBody({ ...fields, waitForCompletion: true }, 'direct');
  const first = await send(serverRequest(conn, 'createPost', { body, idempotencyKey: 'row-17' }));
  const again = await send(serverRequest(conn, 'createPost', { body, idempotencyKey: 'row-17' }));
  expect(again.jobId).toBe(first.jobId);
  expect(again.reused).toBe(true);
  const conflict = await failure(
    send(serverRequest(conn, 'createPost', { body: { ...body, title: 'another' }, idempotencyKey: 'row-17' })),
  );
  expect(conflict.details).toMatchObject({
    code: 'idempotency_key_reused',
    field: 'Idempotency-Key',
    retryable: false,
  });
  expect(conflict.details.httpStatus).toBe(409);
  const got = await send(serverRequest(conn, 'getPost', { params: { id: first.jobId } }));
  expect(got.jobId).toBe(first.jobId);
});

test('refusals keep their class: bad input names the field, a wrong key needs a human, ids are encoded', async () => {
  const bad = await failure(
    send(serverRequest(conn, 'createPost', { body: serverPostBody({ title: 'no media' }, 'direct') })),
  );
  expect(bad.details.category).toBe('not_retryable');
  expect(bad.details.field).toBeTruthy();
  const wrongKey = await failure(send(serverRequest({ ...conn, apiKey: 'tpk_wrong' }, 'listAccounts')));
  expect(wrongKey.details).toMatchObject({ category: 'needs_human', httpStatus: 401 });
  expect(wrongKey.message).not.toContain('tpk_wrong');
  const missing = await failure(send(serverRequest(conn, 'getPost', { params: { id: '../v1/keys' } })));
  expect(missing.details.httpStatus).toBe(404);
});

test('a delivery fires once per event id; a forged or replayed-late one never', async () => {
  const subscribed = await send(
    serverRequest(conn, 'subscribe', { body: { targetUrl: sub.url, events: ['published', 'dlq'] } }),
  );
  const published = await send(
    serverRequest(conn, 'createPost', {
      body: serverPostBody(postBody(rig.h.sb.url, { privacyLevel: 'PUBLIC_TO_EVERYONE' }), 'direct'),
    }),
  );
  await eventually(async () => rig.h.pipeline.getJob(published.jobId)?.state === 'published', 'the publish');
  await rig.server.context.hooks.settled();
  await eventually(async () => sub.received.length > 0, 'the delivery');
  const store = new MemoryStore();
  const receive = (d: { headers: Record<string, any>; body: string }, secret = subscribed.secret as string) =>
    receiveServerDelivery({ headers: d.headers, rawBody: d.body, secret, clock: rig.h.clock, store });
  const delivery = sub.received.find((d) => JSON.parse(d.body).type === 'published')!;
  const first = await receive(delivery);
  expect(first.status).toBe(200);
  expect(first.record).toMatchObject({ event: 'published', jobId: published.jobId, state: 'published' });
  expect((await receive(delivery)).record).toBeUndefined(); // a redelivery: nothing fires
  expect((await receive(delivery, 'whsec_forged')).status).toBe(401);
  const tampered = { ...delivery, body: delivery.body.replace('published', 'failed') };
  expect((await receive(tampered)).status).toBe(401);
  await rig.h.clock.advance(10 * 60_000);
  const late = new MemoryStore();
  const stale = await receiveServerDelivery({
    headers: delivery.headers,
    rawBody: delivery.body,
    secret: subscribed.secret,
    clock: rig.h.clock,
    store: late,
  });
  expect(stale.status).toBe(401);
  await send(serverRequest(conn, 'unsubscribe', { params: { id: subscribed.id } }));
  const left = await send(serverRequest(conn, 'getSubscription', { params: { id: subscribed.id } })).catch(
    (e: TokpipeError) => e.details.httpStatus,
  );
  expect(left).toBe(404);
});
