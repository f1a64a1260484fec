// Outgoing deliveries on the virtual clock: retried with backoff, paused with an alert when a subscriber
// keeps failing, given up after 72 h, and never in the way of TikTok's intake.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { signWebhookPayload } from '@tokpipe/core';
import { until } from '../../core/test/pipeline/harness';
import type { Delivery } from '../src';
import { eventually, postBody, startRig, startSubscriber, type Rig } from './helpers';

async function publishOne(rig: Rig, key: string): Promise<string> {
  const created = await rig.call('POST', '/v1/posts', { key, body: postBody(rig.h.sb.url) });
  await rig.h.pipeline.drain();
  return created.json.jobId as string;
}

const deliveriesOf = (rig: Rig): Promise<Delivery[]> => rig.server.context.hooks.deliveries();

test('a failing subscriber is retried with backoff on the injected clock, then gets the same event', async () => {
  const rig = await startRig();
  const sub = await startSubscriber();
  try {
    const key = await rig.key('post');
    await rig.call('POST', '/v1/subscriptions', { key, body: { targetUrl: sub.url, events: ['published'] } });
    // Scripted per attempt: flipping the status after the third could race a fourth already in flight.
    sub.answer = (n) => (n < 3 ? 500 : 200);
    await publishOne(rig, key);
    await until(() => sub.received.length >= 4, 'the fourth attempt');
    await rig.server.context.hooks.settled();
    const [d] = await deliveriesOf(rig);
    expect(d!.state).toBe('delivered');
    const at = d!.attempts.map((a) => a.at);
    expect(at.slice(1).map((t, i) => t - at[i]!)).toEqual([10_000, 60_000, 5 * 60_000]); // virtual time only
    expect(d!.attempts.map((a) => a.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(sub.received.map((r) => r.headers['tokpipe-event-id'])).size).toBe(1);
  } finally {
    await sub.close();
    await rig.close();
  }
});

test('a subscription that keeps failing is paused with an alert; resume delivers what waited', async () => {
  const rig = await startRig({ server: { deliveryPolicy: { pauseAfterFailures: 3 } } });
  const sub = await startSubscriber();
  try {
    const key = await rig.key('post');
    const made = await rig.call('POST', '/v1/subscriptions', {
      key,
      body: { targetUrl: sub.url, events: ['published'] },
    });
    sub.status = 503;
    await publishOne(rig, key);
    await until(() => sub.received.length >= 3, 'three attempts');
    await rig.server.context.hooks.settled();
    const listed = await rig.call('GET', '/v1/subscriptions', { key });
    expect(listed.json.subscriptions[0]).toMatchObject({
      status: 'paused',
      consecutiveFailures: 3,
      pausedReason: expect.stringContaining('503'),
    });
    expect(rig.logs.some((l) => l.startsWith('error alert: subscription') && l.includes(made.json.id))).toBe(true);
    await rig.h.clock.advance(24 * 3_600_000);
    await rig.server.context.hooks.settled();
    expect(sub.received).toHaveLength(3); // paused: nothing more

    sub.status = 200;
    expect((await rig.call('POST', `/v1/subscriptions/${made.json.id}/resume`, { key })).json.status).toBe('active');
    await until(() => sub.received.length === 4, 'the delivery after resume');
    await rig.server.context.hooks.settled();
    expect((await deliveriesOf(rig))[0]!.state).toBe('delivered');
  } finally {
    await sub.close();
    await rig.close();
  }
});

test('a subscriber that never answers is given up after 72 h; unsubscribe stops deliveries', async () => {
  const rig = await startRig({ server: { deliveryPolicy: { pauseAfterFailures: 1_000 } } });
  const gone = await startSubscriber();
  const url = gone.url;
  await gone.close(); // connection refused from now on
  try {
    const key = await rig.key('post');
    const made = await rig.call('POST', '/v1/subscriptions', { key, body: { targetUrl: url, events: ['published'] } });
    await publishOne(rig, key);
    await eventually(async () => (await deliveriesOf(rig))[0]?.state === 'failed', 'giving up');
    const [d] = await deliveriesOf(rig);
    expect(d!.state).toBe('failed');
    const span = d!.attempts.at(-1)!.at - d!.attempts[0]!.at;
    expect(span).toBeLessThanOrEqual(72 * 3_600_000);
    expect(span).toBeGreaterThan(60 * 3_600_000);
    expect(d!.attempts.every((a) => a.error === 'refused')).toBe(true);

    expect((await rig.call('DELETE', `/v1/subscriptions/${made.json.id}`, { key })).status).toBe(204);
    await publishOne(rig, key);
    await rig.server.context.hooks.settled();
    expect(await deliveriesOf(rig)).toHaveLength(1);
  } finally {
    await rig.close();
  }
});

test('a subscriber that hangs never holds up TikTok intake', async () => {
  const rig = await startRig({ server: { deliveryPolicy: { timeoutMs: 60_000 } } });
  let hanging = 0;
  const stuck = http.createServer(() => void hanging++); // takes the request, never answers
  await new Promise<void>((resolve) => stuck.listen(0, '127.0.0.1', () => resolve()));
  try {
    const key = await rig.key('post');
    const target = `http://127.0.0.1:${(stuck.address() as AddressInfo).port}/hook`;
    await rig.call('POST', '/v1/subscriptions', { key, body: { targetUrl: target, events: ['published'] } });
    await publishOne(rig, key);
    await until(() => hanging === 1, 'the delivery to hang');
    const demo = rig.h.sb.admin.demo();
    const raw = JSON.stringify({
      client_key: demo.clientKey,
      event: 'post.publish.complete',
      create_time: Math.floor(rig.h.clock.now() / 1000),
      user_openid: rig.h.openIds.brand,
      content: JSON.stringify({ publish_id: 'v_pub_url~v2.123', publish_type: 'DIRECT_PUBLISH' }),
    });
    const headers = {
      'tiktok-signature': signWebhookPayload(demo.clientSecret, Math.floor(rig.h.clock.now() / 1000), raw),
    };
    const reply = await rig.call('POST', '/webhooks/tiktok', { raw, headers });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ ok: true, duplicate: false });
    const open = await new Promise<number>((resolve, reject) =>
      stuck.getConnections((e, n) => (e ? reject(e) : resolve(n))),
    );
    expect(open).toBe(1); // the delivery is still waiting on the subscriber
    expect((await deliveriesOf(rig))[0]!.attempts).toHaveLength(0);
  } finally {
    stuck.closeAllConnections();
    await new Promise<void>((resolve) => stuck.close(() => resolve()));
    await rig.close();
  }
});

test('token_expiring: a refresh token expiring within 7 days is announced once; 410 Gone unsubscribes', async () => {
  const rig = await startRig();
  const sub = await startSubscriber();
  try {
    const key = await rig.key('read');
    const made = await rig.call('POST', '/v1/subscriptions', {
      key,
      body: { targetUrl: sub.url, events: ['token_expiring'] },
    });
    expect(await rig.server.checkTokens()).toBe(0); // the sandbox's refresh tokens live a year
    const token = (await rig.h.pipeline.accounts.getToken('brand'))!;
    await rig.h.pipeline.accounts.setToken('brand', {
      ...token,
      refresh_expires_at: rig.h.clock.now() + 3 * 86_400_000,
    });
    expect(await rig.server.checkTokens()).toBe(1);
    expect(await rig.server.checkTokens()).toBe(1); // the same expiry: the same event id, not delivered again
    await rig.server.context.hooks.settled();
    expect(sub.received).toHaveLength(1);
    const body = JSON.parse(sub.received[0]!.body);
    expect(body).toMatchObject({ type: 'token_expiring', account: 'brand', data: { account: 'brand' } });
    expect(sub.received[0]!.body).not.toContain(token.refresh_token);

    // The subscriber says Gone: the subscription ends (REST-hook convention), nothing retried.
    sub.status = 410;
    await rig.h.pipeline.accounts.setToken('brand', {
      ...token,
      refresh_expires_at: rig.h.clock.now() + 2 * 86_400_000,
    });
    await rig.server.checkTokens();
    await rig.server.context.hooks.settled();
    expect(sub.received).toHaveLength(2);
    expect(
      (await rig.call('GET', '/v1/subscriptions', { key })).json.subscriptions.map((s: { id: string }) => s.id),
    ).not.toContain(made.json.id);
    await rig.h.clock.advance(3_600_000);
    await rig.server.context.hooks.settled();
    expect(sub.received).toHaveLength(2);
  } finally {
    await sub.close();
    await rig.close();
  }
});
