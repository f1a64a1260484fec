// The server's state on the machine's real PostgreSQL (the engine's SqlStore, opened the way `tokpipe serve
// --database` opens it): keys, Idempotency-Key records (compare-and-set), webhook events stored once,
// subscriptions and deliveries, all in SQL, and a second server on the same database sees them.
import { signWebhookPayload } from '@tokpipe/core';
import { createPostgresDatabase, type TestDatabase } from '../../engine/test/databases';
import { systemClock } from '@tokpipe/core/node';
import { openState, type EngineState } from '@tokpipe/engine';
import { STATE_PREFIX } from '../src/state';
import { postBody, startRig, type Rig } from './helpers';

let database: TestDatabase;
let state: EngineState;
/** Opened the way `tokpipe serve --database URL` opens its state (the engine's openState). */
const open = () =>
  openState({ databaseUrl: database.url, dataDir: '/nonexistent', storeFile: '/nonexistent', clock: systemClock() });
let rig: Rig;

beforeAll(async () => {
  database = await createPostgresDatabase();
  state = await open();
  rig = await startRig({ store: state.store });
});
afterAll(async () => {
  await rig?.close();
  await state?.close();
  await database?.drop();
});

test('idempotency, keys and webhook events live in PostgreSQL; another server on it sees them', async () => {
  expect(state.describe).toMatch(/^PostgreSQL postgres:\/\//);
  const key = await rig.key('post');
  const headers = { 'idempotency-key': 'pg-1' };
  const body = postBody(rig.h.sb.url);
  const [a, b] = await Promise.all([
    rig.call('POST', '/v1/posts', { key, body, headers }),
    rig.call('POST', '/v1/posts', { key, body, headers }),
  ]);
  expect([a.status, b.status].sort()).toEqual([200, 201]);
  expect(a.json.jobId).toBe(b.json.jobId);
  expect((await rig.call('POST', '/v1/posts', { key, body: { ...body, title: 'other' }, headers })).status).toBe(409);
  await rig.h.pipeline.drain();
  expect(rig.h.inits('brand')).toBe(1);

  const demo = rig.h.sb.admin.demo();
  const raw = JSON.stringify({
    client_key: demo.clientKey,
    event: 'authorization.removed',
    create_time: Math.floor(rig.h.clock.now() / 1000),
    user_openid: 'someone-else',
    content: JSON.stringify({ reason: 1 }),
  });
  const signed = {
    'tiktok-signature': signWebhookPayload(demo.clientSecret, Math.floor(rig.h.clock.now() / 1000), raw),
  };
  expect((await rig.call('POST', '/webhooks/tiktok', { raw, headers: signed })).json).toEqual({
    ok: true,
    duplicate: false,
  });
  expect((await rig.call('POST', '/webhooks/tiktok', { raw, headers: signed })).json).toEqual({
    ok: true,
    duplicate: true,
  });

  // A second connection to the same database (another `tokpipe serve` or `tokpipe keys list`).
  const other = await open();
  try {
    const rows = await other.store.list(STATE_PREFIX);
    const kinds = new Set(rows.map(([k]) => k.slice(STATE_PREFIX.length).split('/')[0]));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['idem', 'keys', 'timeline', 'webhook-events']));
    expect(rows.map(([, v]) => v).join('\n')).not.toContain(key.split('_')[2]);
  } finally {
    await other.close();
  }
});
