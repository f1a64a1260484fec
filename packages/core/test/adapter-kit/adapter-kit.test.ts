// The platform-neutral pieces adapters build on: each decision checked as a user of an adapter meets it.
import {
  bufferByteSource,
  classifyFailReason,
  classifyResponse,
  currentStatus,
  formFields,
  isRequiredIn,
  platformReaction,
  pollPlan,
  receiveWebhook,
  reopeningByteSource,
  retryAfterSeconds,
  statusAsOf,
  STATUS_MIN_INTERVAL_MS,
  toHttpResponse,
  toPostRequest,
  TokpipeError,
  TransportError,
  transportErrorOf,
  type Disposition,
  type TikTokPoster,
} from '../../src';
import { VirtualClock } from '../../src/clock';
import { MemoryStore } from '../../src/memory-store';
import { signWebhookPayload } from '../../src/webhooks';

describe('reading a platform HTTP client', () => {
  it('turns any header shape and body into core text', () => {
    const headers = new Map([['X-Rate', '5']]);
    expect(toHttpResponse(200, headers, new TextEncoder().encode('{"a":1}').buffer)).toEqual({
      status: 200,
      headers: { 'x-rate': '5' },
      body: '{"a":1}',
    });
    expect(toHttpResponse(429, { 'Retry-After': ['3', '4'], Empty: null }, undefined)).toEqual({
      status: 429,
      headers: { 'retry-after': '3, 4' },
      body: '',
    });
  });

  it.each([
    ['a socket code failing before sending', { code: 'ECONNREFUSED' }, 'refused', false],
    [
      'a socket code deep in the cause chain',
      { message: 'wrapped', cause: { cause: { code: 'ECONNRESET' } } },
      'reset',
      true,
    ],
    ["n8n's NodeApiError carrying the code in httpCode", { httpCode: 'ETIMEDOUT' }, 'timeout', true],
    ["node-fetch's own timeout", { type: 'request-timeout', message: 'timed out' }, 'timeout', true],
    ['an abort', { name: 'AbortError' }, 'aborted', true],
    ['anything else: assumed sent, so an init is never repeated blindly', new Error('odd'), 'other', true],
  ])('%s', (_, error, kind, requestSent) => {
    const failure = transportErrorOf(error);
    expect([failure.kind, failure.requestSent]).toEqual([kind, requestSent]);
  });

  it('keeps a TransportError as it is', () => {
    const original = new TransportError('dns', 'no such host', false);
    expect(transportErrorOf(original)).toBe(original);
  });
});

describe('byte sources', () => {
  const bytes = Uint8Array.from({ length: 10 }, (_, i) => i);

  it('slices bytes in memory', async () => {
    const source = bufferByteSource(bytes, 'video/mp4');
    expect([source.size, source.contentType]).toEqual([10, 'video/mp4']);
    expect([...(await source.read(8, 5))]).toEqual([8, 9]);
  });

  it('reads a reopenable stream in order and reopens it only to go back', async () => {
    let opens = 0;
    const source = reopeningByteSource(10, async () => {
      opens++;
      return (async function* () {
        yield bytes.subarray(0, 3);
        yield bytes.subarray(3, 7);
        yield bytes.subarray(7);
      })();
    });
    expect([...(await source.read(0, 4))]).toEqual([0, 1, 2, 3]);
    expect([...(await source.read(4, 4))]).toEqual([4, 5, 6, 7]);
    expect([...(await source.read(8, 4))]).toEqual([8, 9]);
    expect(opens).toBe(1);
    expect([...(await source.read(2, 3))]).toEqual([2, 3, 4]);
    expect(opens).toBe(2);
  });
});

describe('what a platform does with a failure', () => {
  const cases: Array<[Disposition, boolean, string]> = [
    ['retry', true, 'retry_later'],
    ['wait_for_quota', true, 'retry_later'],
    ['wait_for_quota', false, 'stop'], // a daily cap: re-running soon cannot help
    ['retry_after_refresh', true, 'refresh_then_retry'],
    ['reauthorize', false, 'reconnect'],
    ['unknown_outcome', false, 'stop'], // the post may exist: never re-run on its own
    ['route_to_another_account', false, 'stop'],
    ['fix_input', false, 'fix_input'],
    ['needs_human', false, 'needs_human'],
  ];
  it.each(cases)('%s (retryable %s) → %s', (disposition, retryable, reaction) => {
    expect(platformReaction({ disposition, retryable })).toBe(reaction);
  });

  it('waits as long as TikTok says, else one rate window', () => {
    expect(retryAfterSeconds({ retryAfterMs: 1500 })).toBe(2);
    expect(retryAfterSeconds({})).toBe(60);
  });
});

describe('the post form', () => {
  it('shows no caption on a video draft, and privacy is required for direct posts only', () => {
    expect(formFields('post_video', 'draft').map((f) => f.name)).not.toContain('title');
    const privacy = formFields('post_video', 'direct').find((f) => f.name === 'privacyLevel')!;
    expect([isRequiredIn(privacy, 'direct'), isRequiredIn(privacy, 'draft')]).toEqual([true, false]);
  });

  it('reads booleans and numbers given as words, and leaves a wrong word to validation', () => {
    const request = toPostRequest('post_photos', {
      mode: '',
      photoUrls: 'https://a.example/1.jpg',
      coverIndex: '0',
      disableComment: 'yes',
      autoAddMusic: 'off',
      brandContentToggle: 'maybe',
    }) as unknown as Record<string, unknown>;
    expect(request).toMatchObject({
      mode: 'direct',
      disableComment: true,
      autoAddMusic: false,
      brandContentToggle: 'maybe',
    });
    expect(request.media).toEqual({ type: 'photo_urls', urls: ['https://a.example/1.jpg'], coverIndex: 0 });
  });
});

describe('following a post', () => {
  it('reports a post still processing past the poll budget as UNCONFIRMED, never as failed', () => {
    expect(statusAsOf('PROCESSING_UPLOAD', 0, 4 * 60_000)).toBe('PROCESSING_UPLOAD');
    expect(statusAsOf('PROCESSING_UPLOAD', 0, 6 * 60_000)).toBe('UNCONFIRMED');
    expect(statusAsOf('FAILED', 0, 6 * 60_000)).toBe('FAILED');
  });

  it('plans polls inside a time limit, never faster than TikTok allows', () => {
    expect(pollPlan(30_000)).toEqual({ delay: 10_000, limit: 4 });
    expect(pollPlan(10_000, { delaysMs: [100], thenEveryMs: 100, budgetMs: 1000 }).delay).toBe(STATUS_MIN_INTERVAL_MS);
  });

  it('finds nothing for a publish_id TikTok does not know, and passes any other failure on', async () => {
    const reply = (code: string) => ({
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: {}, error: { code, message: 'no', log_id: 'L1' } }),
    });
    const posterFailing = (code: string) => {
      const details = classifyResponse(reply(code), { endpoint: 'status_fetch' })!;
      return { status: async () => Promise.reject(new TokpipeError(details)) } as unknown as TikTokPoster;
    };
    expect(await currentStatus(posterFailing('invalid_publish_id'), 'v_1')).toBeUndefined();
    await expect(currentStatus(posterFailing('rate_limit_exceeded'), 'v_1')).rejects.toBeInstanceOf(TokpipeError);
  });
});

describe('a webhook delivery', () => {
  const secret = 'client-secret-123';
  const clock = new VirtualClock({ start: Date.UTC(2026, 0, 1, 12) });
  const body = JSON.stringify({
    client_key: 'ck',
    event: 'post.publish.failed',
    create_time: clock.now() / 1000,
    user_openid: 'open-1',
    content: '{"publish_id":"v_pub_url~v2.1","reason":"spam_risk_too_many_posts","publish_type":"DIRECT_PUBLISH"}',
  });
  const deliver = (
    store: MemoryStore,
    wanted: string[] = [],
    signature = signWebhookPayload(secret, clock.now() / 1000, body),
  ) =>
    receiveWebhook({
      headers: { 'TikTok-Signature': signature },
      rawBody: Buffer.from(body),
      secret,
      clock,
      store,
      wanted,
    });

  it('runs once per event, with the failure classified; redeliveries and other events are answered, not run', async () => {
    const store = new MemoryStore();
    const first = await deliver(store);
    expect(first.status).toBe(200);
    expect(first.record).toMatchObject({
      event: 'post.publish.failed',
      publish_id: 'v_pub_url~v2.1',
      failReason: 'spam_risk_too_many_posts',
    });
    expect(first.record!.disposition).toBe(classifyFailReason('spam_risk_too_many_posts').disposition);
    expect(await deliver(store)).toEqual({ status: 200, body: { ok: true, skipped: 'duplicate' } });
    expect(await deliver(new MemoryStore(), ['post.publish.complete'])).toEqual({
      status: 200,
      body: { ok: true, skipped: 'event not selected' },
    });
  });

  it('refuses a bad signature', async () => {
    const refused = await deliver(new MemoryStore(), [], 't=1,s=00');
    expect([refused.status, refused.record]).toEqual([401, undefined]);
  });
});
