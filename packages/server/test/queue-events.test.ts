// Queue posts' outcomes reach subscribers: two servers on one real PostgreSQL, posts through the shared
// queue (queuePosts), a pg-boss worker posts them on the sandbox. Each server reads the job rows'
// changes and emits; the subscriber gets each event exactly once, signed, with the pipeline path's ids.
import { verifyDelivery } from '../src';
import { eventually, postBody, startSubscriber, type Json, type Rig, type Subscriber } from './helpers';
import { startQueueRig, type QueueRig } from './queue-rig';

let queue: QueueRig;
let rigs: Rig[];
let subscriber: Subscriber;

beforeAll(async () => {
  queue = await startQueueRig();
  rigs = queue.servers;
  subscriber = await startSubscriber();
}, 60_000);

afterAll(async () => {
  await queue?.close();
  await subscriber?.close();
}, 60_000);

async function postState(rig: Rig, key: string, id: string): Promise<string> {
  return (await rig.call('GET', `/v1/posts/${id}`, { key })).json.state as string;
}

test('two servers, one subscription: a published, a drafted and a failed queue post: each event delivered once, signed', async () => {
  const [a, b] = rigs as [Rig, Rig];
  const admin = await a.key('admin');
  const sub = await a.call('POST', '/v1/subscriptions', {
    key: admin,
    body: { targetUrl: subscriber.url, events: ['published', 'inbox', 'failed', 'dlq', 'unconfirmed'] },
  });
  expect(sub.status).toBe(201);

  const ok = await a.call('POST', '/v1/posts', { key: admin, body: postBody(a.h.sb.url, { account: 'brand' }) });
  expect(ok.status).toBe(201);
  await eventually(async () => (await postState(b, admin, ok.json.jobId)) === 'published', 'published');

  const draft = await a.call('POST', '/v1/posts', {
    key: admin,
    body: { account: 'brand', mode: 'draft', videoUrl: `${a.h.sb.url}/media/sample.mp4?draft` },
  });
  expect(draft.status).toBe(201);
  await eventually(async () => (await postState(b, admin, draft.json.jobId)) === 'delivered', 'in the inbox');

  a.h.sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'duration_check_failed' }]);
  const bad = await a.call('POST', '/v1/posts', { key: admin, body: postBody(a.h.sb.url, { account: 'brand' }) });
  expect(bad.status).toBe(201);
  await eventually(async () => (await postState(b, admin, bad.json.jobId)) === 'dead', 'dead');

  const types = () =>
    subscriber.received.map((r) => `${r.headers['tokpipe-event']}:${JSON.parse(r.body).data.post.jobId}`);
  const expected = [
    `published:${ok.json.jobId}`,
    `inbox:${draft.json.jobId}`,
    `failed:${bad.json.jobId}`,
    `dlq:${bad.json.jobId}`,
  ];
  await eventually(async () => expected.every((e) => types().includes(e)), 'four deliveries');
  // Three more reads on each server's clock (its watcher reads every second): nothing more arrives.
  for (const rig of rigs) await rig.h.clock.sleep(3_000);
  for (const rig of rigs) await rig.server.context.hooks.settled();
  expect(types().sort()).toEqual([...expected].sort());

  for (const r of subscriber.received) {
    const event: Json = JSON.parse(r.body);
    expect(r.headers['tokpipe-event-id']).toBe(event.id);
    expect(
      verifyDelivery({
        header: r.headers['tokpipe-signature'] as string,
        secret: sub.json.secret,
        eventId: event.id,
        body: r.body,
        nowMs: Date.now(),
      }),
    ).toBe(true);
  }
  const published: Json = JSON.parse(subscriber.received.find((r) => r.headers['tokpipe-event'] === 'published')!.body);
  expect(published.data.post).toMatchObject({ jobId: ok.json.jobId, state: 'published', account: 'brand' });
  expect(published.account).toBe('brand');
  const failed: Json = JSON.parse(subscriber.received.find((r) => r.headers['tokpipe-event'] === 'failed')!.body);
  expect(failed.data.post.error).toMatchObject({ code: 'duration_check_failed' });

  // The events are in the shared outbox once, whichever server recorded them.
  const recent = await b.call('GET', '/v1/events?limit=50', { key: admin });
  expect(recent.json.events.map((e: Json) => e.type).sort()).toEqual(['dlq', 'failed', 'inbox', 'published']);
}, 90_000);
