// TikTok webhook → server → subscriber, over real sockets: the sandbox signs and (re)delivers, the server
// verifies, stores once and applies; a loopback subscriber gets exactly one signed delivery per event.
// Forged or stale signatures are refused with nothing stored or fired.
import { signWebhookPayload } from '@tokpipe/core';
import { verifyDelivery } from '../src';
import { PREFIXES } from '../src/state';
import { until } from '../../core/test/pipeline/harness';
import { postBody, startRig, startSubscriber, type Rig, type Subscriber } from './helpers';

let rig: Rig;
let sub: Subscriber;
let key: string;

beforeAll(async () => {
  rig = await startRig({ webhooks: true });
  rig.h.clock.setAutoAdvance(false); // time moves only when this test says: webhooks, not polls, finish the job
  rig.h.sb.admin.setConfig({ webhookUrl: `${rig.url}/webhooks/tiktok` });
  sub = await startSubscriber();
  key = await rig.key('post');
});
afterAll(async () => {
  await sub?.close();
  await rig?.close();
});

const storedEvents = async () => (await rig.h.store.list(PREFIXES.webhookEvents)).length;

test('sandbox webhook → server → one signed delivery, also when TikTok redelivers', async () => {
  const subscribed = await rig.call('POST', '/v1/subscriptions', {
    key,
    body: { targetUrl: sub.url, events: ['published'] },
  });
  expect(subscribed.status).toBe(201);
  const secret = subscribed.json.secret as string;
  // Every webhook of this post is sent twice by the sandbox.
  rig.h.sb.admin.script(
    'webhook',
    Array.from({ length: 6 }, () => ({ kind: 'duplicate' as const })),
  );

  const created = await rig.call('POST', '/v1/posts', {
    key,
    body: postBody(rig.h.sb.url, { privacyLevel: 'PUBLIC_TO_EVERYONE' }),
  });
  expect(created.status).toBe(201);
  await until(() => rig.h.pipeline.getJob(created.json.jobId)?.state === 'accepted', 'the init');
  for (let i = 0; i < 60 && rig.h.pipeline.getJob(created.json.jobId)?.state !== 'published'; i++) {
    await rig.h.clock.advance(2_000);
    await rig.h.clock.track(rig.h.sb.admin.runDueWork());
    await rig.server.context.intake.idle();
  }
  expect(rig.h.pipeline.getJob(created.json.jobId)?.state).toBe('published');
  await rig.server.context.hooks.settled();
  // The post id came in TikTok's webhook as a 19-digit integer: exact, end to end.
  for (let i = 0; i < 30 && rig.h.pipeline.getJob(created.json.jobId)!.postIds.length === 0; i++) {
    await rig.h.clock.advance(2_000);
    await rig.h.clock.track(rig.h.sb.admin.runDueWork());
    await rig.server.context.intake.idle();
  }
  const [onTikTok] = rig.h.sb.admin
    .posts()
    .find((p) => p.publishId === rig.h.pipeline.getJob(created.json.jobId)!.publishId)!.publicPostIds;
  expect(onTikTok).toMatch(/^\d{19}$/);
  expect((await rig.call('GET', `/v1/posts/${created.json.jobId}`, { key })).json.postIds).toEqual([onTikTok]);

  const sent = rig.h.sb.admin.webhooks().filter((d) => d.state === 'delivered');
  expect(sent.filter((d) => d.copyOf !== null).length).toBeGreaterThan(0); // redeliveries did reach the server
  expect(await storedEvents()).toBe(new Set(sent.map((d) => d.body)).size); // ...and were stored once each
  const pollsAfterInit = rig.h.sb.admin.requests({}).filter((r) => r.endpoint === 'status').length;
  expect(pollsAfterInit).toBe(0); // the webhook finished the job, not a status poll

  expect(sub.received).toHaveLength(1);
  const [delivery] = sub.received;
  const eventId = delivery!.headers['tokpipe-event-id'] as string;
  const body = JSON.parse(delivery!.body);
  expect(body).toMatchObject({
    id: eventId,
    type: 'published',
    account: 'brand',
    data: { post: { jobId: created.json.jobId, state: 'published' } },
  });
  const header = delivery!.headers['tokpipe-signature'] as string;
  expect(verifyDelivery({ header, secret, eventId, body: delivery!.body, nowMs: rig.h.clock.now() })).toBe(true);
  expect(
    verifyDelivery({ header, secret: 'whsec_wrong', eventId, body: delivery!.body, nowMs: rig.h.clock.now() }),
  ).toBe(false);
  expect(verifyDelivery({ header, secret, eventId, body: delivery!.body + ' ', nowMs: rig.h.clock.now() })).toBe(false);

  // The same event as a sample (a trigger's set-up), and the subscription as a trigger checks it exists.
  const samples = await rig.call('GET', '/v1/events?type=published&limit=1', { key });
  expect(samples.json.events).toEqual([body]);
  expect((await rig.call('GET', `/v1/subscriptions/${subscribed.json.id}`, { key })).json).toMatchObject({
    status: 'active',
  });
  expect((await rig.call('GET', '/v1/subscriptions/sub_nothere', { key })).status).toBe(404);
  expect((await rig.call('GET', '/v1/events?type=everything', { key })).status).toBe(400);

  const deliveries = await rig.call('GET', '/v1/deliveries', { key });
  expect(deliveries.json.deliveries).toHaveLength(1);
  expect(deliveries.json.deliveries[0]).toMatchObject({ state: 'delivered', eventId, attempts: [{ status: 200 }] });

  // By hand: the same event (same id) again.
  const again = await rig.call('POST', `/v1/deliveries/${deliveries.json.deliveries[0].id}/redeliver`, { key });
  expect(again.status).toBe(202);
  await rig.server.context.hooks.settled();
  expect(sub.received).toHaveLength(2);
  expect(sub.received[1]!.headers['tokpipe-event-id']).toBe(eventId);
});

test('forged signature, stale timestamp, unsigned: 401 problem+json, nothing stored, nothing fired', async () => {
  const before = await storedEvents();
  const fired = sub.received.length;
  const demo = rig.h.sb.admin.demo();
  const raw = JSON.stringify({
    client_key: demo.clientKey,
    event: 'post.publish.complete',
    create_time: Math.floor(rig.h.clock.now() / 1000),
    user_openid: rig.h.openIds.brand,
    content: JSON.stringify({ publish_id: 'v_pub_url~v2.999', publish_type: 'DIRECT_PUBLISH' }),
  });
  const now = Math.floor(rig.h.clock.now() / 1000);
  const attempts: Array<[string, Record<string, string>]> = [
    ['forged', { 'tiktok-signature': signWebhookPayload('not-the-secret', now, raw) }],
    ['stale', { 'tiktok-signature': signWebhookPayload(demo.clientSecret, now - 3_600, raw) }],
    ['unsigned', {}],
    ['garbage', { 'tiktok-signature': 't=abc,s=zz' }],
  ];
  for (const [, headers] of attempts) {
    const reply = await rig.call('POST', '/webhooks/tiktok', { raw, headers });
    expect(reply.status).toBe(401);
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(reply.json.code).toBe('invalid_signature');
  }
  // Signed but tampered after signing.
  const tampered = await rig.call('POST', '/webhooks/tiktok', {
    raw: raw.replace('999', '998'),
    headers: { 'tiktok-signature': signWebhookPayload(demo.clientSecret, now, raw) },
  });
  expect(tampered.status).toBe(401);
  // Signed, but not an event TikTok would send (no publish_id): refused, not stored.
  const hollow = raw.replace(/"content":"[^]*"}$/, '"content":"{}"}');
  const signedHollow = await rig.call('POST', '/webhooks/tiktok', {
    raw: hollow,
    headers: { 'tiktok-signature': signWebhookPayload(demo.clientSecret, now, hollow) },
  });
  expect(signedHollow.status).toBe(400);
  expect(signedHollow.json).toMatchObject({ code: 'invalid_webhook', detail: expect.stringContaining('publish_id') });
  expect(await storedEvents()).toBe(before);
  await rig.server.context.hooks.settled();
  expect(sub.received.length).toBe(fired);
  expect(rig.logs.join('\n')).not.toContain(demo.clientSecret);
});

test('an event stored before a crash (answered 200, not applied) is applied at start', async () => {
  const created = await rig.call('POST', '/v1/posts', { key, body: postBody(rig.h.sb.url) });
  await until(() => rig.h.pipeline.getJob(created.json.jobId)?.state === 'accepted', 'the init');
  const job = rig.h.pipeline.getJob(created.json.jobId)!;
  expect(job.state).toBe('accepted');
  await rig.h.clock.advance(60_000);
  rig.h.sb.admin.setConfig({ webhookUrl: null });
  await rig.h.clock.track(rig.h.sb.admin.runDueWork()); // collects the events without sending them
  const complete = rig.h.sb.admin
    .webhooks()
    .find((d) => d.publishId === job.publishId && d.event === 'post.publish.complete');
  expect(complete).toBeDefined();
  // What the intake wrote before its 200, with the process gone before applying it:
  const headers = {
    'tiktok-signature': signWebhookPayload(
      rig.h.sb.admin.demo().clientSecret,
      Math.floor(rig.h.clock.now() / 1000),
      complete!.body,
    ),
  };
  const { stored, event } = await rig.server.context.intake.receive(headers, complete!.body);
  expect(stored).toBe(true);
  expect(rig.h.pipeline.getJob(job.id)!.state).toBe('accepted');
  expect(await rig.server.context.intake.processPending()).toBe(1);
  expect(rig.h.pipeline.getJob(job.id)!.state).toBe('published');
  expect(await rig.server.context.intake.processPending()).toBe(0);
  // A redelivery of it now is acknowledged only.
  expect((await rig.server.context.intake.receive(headers, complete!.body)).stored).toBe(false);
  expect(event.dedupeKey).toEqual(expect.any(String));
  rig.h.sb.admin.setConfig({ webhookUrl: `${rig.url}/webhooks/tiktok` });
});

test('the same delivery arriving twice at once is stored and applied once', async () => {
  const demo = rig.h.sb.admin.demo();
  const raw = JSON.stringify({
    client_key: demo.clientKey,
    event: 'authorization.removed',
    create_time: Math.floor(rig.h.clock.now() / 1000),
    user_openid: 'not-one-of-ours',
    content: JSON.stringify({ reason: 2 }),
  });
  const headers = {
    'tiktok-signature': signWebhookPayload(demo.clientSecret, Math.floor(rig.h.clock.now() / 1000), raw),
  };
  const before = await storedEvents();
  const replies = await Promise.all(
    Array.from({ length: 8 }, () => rig.call('POST', '/webhooks/tiktok', { raw, headers })),
  );
  expect(replies.map((r) => r.status)).toEqual(Array(8).fill(200));
  expect(replies.filter((r) => r.json.duplicate === false)).toHaveLength(1);
  expect(await storedEvents()).toBe(before + 1);
});
