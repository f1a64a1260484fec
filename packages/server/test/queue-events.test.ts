// Queue posts' outcomes reach subscribers: two servers on one real PostgreSQL, posts through the shared
// queue (queuePosts), a pg-boss worker posts them on the sandbox. Each server reads the job rows'
// changes and emits; the subscriber gets each event exactly once, signed, with the pipeline path's ids.
import { systemClock } from '@tokpipe/core/node';
import { openState, startWorker, startBoss, type EngineState, type RunningWorker } from '@tokpipe/engine';
import { axiosTransport } from '@tokpipe/core/node';
import type PgBoss from 'pg-boss';
import { createPostgresDatabase, type TestDatabase } from '../../engine/test/databases';
import { trackDb } from '../../engine/test/world';
import { queuePosts, verifyDelivery } from '../src';
import { eventually, postBody, startRig, startSubscriber, type Json, type Rig, type Subscriber } from './helpers';

let database: TestDatabase;
const states: EngineState[] = [];
const rigs: Rig[] = [];
let worker: RunningWorker;
let boss: PgBoss;
let subscriber: Subscriber;

const open = async () => {
  const state = await openState({
    databaseUrl: database.url,
    dataDir: '/nonexistent',
    storeFile: '/nonexistent',
    clock: systemClock(),
  });
  states.push(state);
  return state;
};

beforeAll(async () => {
  database = await createPostgresDatabase();
  const [a, b] = [await open(), await open()];
  boss = await startBoss(a.db, { supervise: false });
  // Server A holds the account (its sandbox, its clock); server B only shares the database.
  for (const [state, accounts] of [
    [a, [{ id: 'brand' }]],
    [b, []],
  ] as const)
    rigs.push(
      await startRig({
        store: state.store,
        accounts: [...accounts],
        server: (h) => ({
          posts: queuePosts({ db: trackDb(state.db, h.clock), boss, clock: h.clock, pipeline: h.pipeline }),
          wallClock: { now: () => Date.now() }, // the signature's t=, checked below against real time
        }),
      }),
    );
  const h = rigs[0]!.h;
  const demo = h.sb.admin.demo();
  worker = await startWorker({
    db: trackDb((await open()).db, h.clock),
    clock: h.clock,
    transport: h.clock.trackTransport(axiosTransport()),
    baseUrl: h.sb.url,
    clientKey: demo.clientKey,
    clientSecret: demo.clientSecret,
    requestTimeoutMs: 3_000,
  });
  subscriber = await startSubscriber();
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await boss?.stop({ graceful: false, close: false });
  for (const rig of rigs) await rig.close();
  await subscriber?.close();
  for (const state of states) await state.close();
  await database?.drop();
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
