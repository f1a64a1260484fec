import { createHmac } from 'node:crypto';
import { VirtualClock } from '../../src/clock';
import { MemoryStore } from '../../src/memory-store';
import type { KeyValueStore } from '../../src/ports';
import { PUBLISH_STATUSES } from '../../src/catalog/statuses';
import {
  WebhookDeduper,
  parseWebhookEvent,
  signWebhookPayload,
  statusByWebhookEvent,
  verifyTikTokSignature,
} from '../../src/webhooks';

const secret = 'client-secret-123';
const now = Date.UTC(2026, 0, 1, 12);
const t = now / 1000;
const body = JSON.stringify({
  client_key: 'ck',
  event: 'post.publish.publicly_available',
  create_time: t,
  user_openid: 'open-1',
  content: '{"publish_id":"v_pub_url~v2.1","post_id":7345678901234567891,"publish_type":"DIRECT_PUBLISH"}',
});

describe('verifyTikTokSignature', () => {
  const header = `t=${t},s=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;

  it('accepts a correct signature over the raw body, header name in any case', () => {
    expect(verifyTikTokSignature({ header, rawBody: body, secret, now })).toEqual({ ok: true, timestamp: t });
    expect(
      verifyTikTokSignature({ header: { 'Tiktok-Signature': header }, rawBody: Buffer.from(body), secret, now }).ok,
    ).toBe(true);
    expect(verifyTikTokSignature({ header: { 'TIKTOK-SIGNATURE': [header] }, rawBody: body, secret, now }).ok).toBe(
      true,
    );
    expect(signWebhookPayload(secret, t, body)).toBe(header);
  });

  it.each([
    ['a tampered body', { rawBody: body.replace('open-1', 'open-2') }, /does not match/],
    ['a wrong secret', { secret: 'other' }, /does not match/],
    ['a missing header', { header: undefined }, /missing/],
    ['a header map without it', { header: { 'x-other': 'x' } }, /missing/],
    ['a malformed header', { header: 'garbage' }, /malformed/],
    ['no timestamp', { header: `s=${'a'.repeat(64)}` }, /timestamp/],
    ['a short signature', { header: `t=${t},s=abc` }, /signature/],
    ['a replay older than 300 s', { now: now + 301_000 }, /replay window/],
    ['no secret', { secret: '' }, /secret/],
  ])('refuses %s with a reason', (_name, change, reason) => {
    const result = verifyTikTokSignature({ header, rawBody: body, secret, now, ...change });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('the replay window is configurable', () => {
    expect(verifyTikTokSignature({ header, rawBody: body, secret, now: now + 10_000, toleranceSec: 5 }).ok).toBe(false);
    expect(verifyTikTokSignature({ header, rawBody: body, secret, now: now + 4_000, toleranceSec: 5 }).ok).toBe(true);
  });
});

describe('parseWebhookEvent', () => {
  it('parses the content string and keeps 19-digit post ids exact', () => {
    const event = parseWebhookEvent(body);
    expect(event).toMatchObject({
      event: 'post.publish.publicly_available',
      openId: 'open-1',
      createTime: t,
      content: { publish_id: 'v_pub_url~v2.1', post_id: '7345678901234567891', publish_type: 'DIRECT_PUBLISH' },
    });
  });

  it.each(['post.publish.no_longer_publicaly_available', 'post.publish.no_longer_publicly_available'])(
    'accepts %s',
    (name) => {
      const event = parseWebhookEvent({
        event: name,
        user_openid: 'o',
        create_time: 1,
        content: '{"publish_id":"p","post_id":"1"}',
      });
      expect(event.event).toBe('post.publish.no_longer_publicly_available');
      expect(event.rawEvent).toBe(name);
    },
  );

  it('types failures and authorization removal', () => {
    expect(
      parseWebhookEvent({
        event: 'post.publish.failed',
        content: '{"publish_id":"p","reason":"spam_risk_text","publish_type":"INBOX_SHARE"}',
      }).content,
    ).toMatchObject({
      reason: 'spam_risk_text',
    });
    expect(parseWebhookEvent({ event: 'authorization.removed', content: '{"reason": 1 }' }).content).toEqual({
      reason: 1,
    });
    expect(parseWebhookEvent({ event: 'portability.download.ready', content: '{"request_id":"r"}' }).event).toBe(
      'unknown',
    );
  });

  it.each([
    ['not json', /valid JSON/],
    ['[]', /object/],
    ['{"content":"{}"}', /"event"/],
    ['{"event":"post.publish.failed","content":"{not json"}', /content/],
    ['{"event":"post.publish.failed","content":"{\\"publish_id\\":\\"p\\"}"}', /"reason"/],
  ])('refuses %s', (raw, message) => {
    expect(() => parseWebhookEvent(raw)).toThrow(message);
  });
});

describe('WebhookDeduper', () => {
  it('processes a redelivery once (in memory, bounded)', async () => {
    const clock = new VirtualClock({ start: now });
    const dedupe = new WebhookDeduper({ clock, maxEntries: 2 });
    const key = parseWebhookEvent(body).dedupeKey;
    expect(await dedupe.firstSighting(key)).toBe(true);
    expect(await dedupe.firstSighting(parseWebhookEvent(body).dedupeKey)).toBe(false);
    await dedupe.firstSighting('b');
    await dedupe.firstSighting('c'); // evicts the oldest
    expect(await dedupe.firstSighting(key)).toBe(true);
  });

  it('remembers across restarts with a store, until the TTL passes', async () => {
    const clock = new VirtualClock({ start: now });
    const store = new MemoryStore();
    expect(await new WebhookDeduper({ clock, store }).firstSighting('k')).toBe(true);
    expect(await new WebhookDeduper({ clock, store }).firstSighting('k')).toBe(false);
    await clock.advance(72 * 3_600_000);
    const dedupe = new WebhookDeduper({ clock, store });
    expect(await dedupe.prune()).toBe(1);
    expect(await dedupe.firstSighting('k')).toBe(true);
  });

  it('with a shared store (compareAndSet), copies arriving at once are processed once', async () => {
    const clock = new VirtualClock({ start: now });
    const data = new Map<string, string>();
    // A store whose compare-and-set is atomic, like SqlStore's (the reads and writes around it are async).
    const shared: KeyValueStore = {
      get: async (key) => data.get(key),
      set: async (key, value) => void data.set(key, value),
      delete: async (key) => void data.delete(key),
      list: async () => [...data.entries()],
      compareAndSet: async (key, expected, value) => {
        if (data.get(key) !== expected) return false;
        data.set(key, value);
        return true;
      },
    };
    const copies = await Promise.all(
      [1, 2, 3].map(() => new WebhookDeduper({ clock, store: shared }).firstSighting('k2')),
    );
    expect(copies.filter(Boolean)).toHaveLength(1);
  });
});

describe('statusByWebhookEvent', () => {
  // TikTok's fact, said once in core: the pipeline, and any adapter that reacts to webhooks, import it.
  test('each publish event stands for the status a fetch would answer; the others for none', () => {
    expect(statusByWebhookEvent).toEqual({
      'post.publish.complete': 'PUBLISH_COMPLETE',
      'post.publish.publicly_available': 'PUBLISH_COMPLETE',
      'post.publish.inbox_delivered': 'SEND_TO_USER_INBOX',
      'post.publish.failed': 'FAILED',
    });
    const parsed = parseWebhookEvent({
      client_key: 'k',
      event: 'post.publish.no_longer_publicaly_available',
      create_time: 1,
      user_openid: 'u',
      content: '{"publish_id":"p","post_id":"7312345678901234567"}',
    });
    expect(statusByWebhookEvent[parsed.event]).toBeUndefined();
    for (const status of Object.values(statusByWebhookEvent)) expect(PUBLISH_STATUSES).toContain(status);
  });
});
