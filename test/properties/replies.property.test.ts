// Reply parsing and classification under random and malformed replies: HTML pages, truncated JSON,
// wrong types, huge numbers, missing fields. Nothing crashes; every failure is classified; tokens
// echoed back by the server never come out; 19-digit post ids stay exact.
import fc from 'fast-check';
import {
  TikTokClient,
  TransportError,
  classifyFailReason,
  classifyOAuthError,
  classifyResponse,
  parseJsonLossless,
  parseWebhookEvent,
  retryAfterFromHeaders,
  WebhookPayloadError,
  type HttpRequest,
  type HttpResponse,
} from '@tokpipe/core';
import { expectClassified, httpStatus, replyBody, replyHeaders, settledClassified } from './arbitraries';

const TOKEN = 'act.PROPsecret0123456789abcdefABCDEF.xyz';
const NOW = Date.UTC(2026, 0, 1);

const reply = fc.record({ status: httpStatus, headers: replyHeaders, body: replyBody(TOKEN) });

function clientReturning(response: HttpResponse | Error, sent: HttpRequest[] = []): TikTokClient {
  return new TikTokClient({
    baseUrl: 'https://open.tiktokapis.com',
    clock: { now: () => NOW },
    transport: async (req) => {
      sent.push(req);
      if (response instanceof Error) throw response;
      return response;
    },
  });
}

const calls: Record<string, (c: TikTokClient) => Promise<unknown>> = {
  creatorInfo: (c) => c.creatorInfo(TOKEN),
  initDirectVideo: (c) =>
    c.initDirectVideo(TOKEN, {
      post_info: { title: 't', privacy_level: 'SELF_ONLY' },
      source_info: { source: 'PULL_FROM_URL', video_url: 'https://example.com/v.mp4' },
    } as never),
  initInboxVideo: (c) =>
    c.initInboxVideo(TOKEN, {
      source_info: { source: 'PULL_FROM_URL', video_url: 'https://example.com/v.mp4' },
    } as never),
  initPhoto: (c) =>
    c.initPhoto(TOKEN, {
      post_info: { title: 't' },
      source_info: { source: 'PULL_FROM_URL', photo_images: ['https://example.com/a.jpg'], photo_cover_index: 0 },
      post_mode: 'DIRECT_POST',
      media_type: 'PHOTO',
    } as never),
  fetchStatus: (c) => c.fetchStatus(TOKEN, 'v_pub_url~v2.123'),
  cancel: (c) => c.cancel(TOKEN, 'v_pub_url~v2.123'),
  userInfo: (c) => c.userInfo(TOKEN),
  listVideos: (c) => c.listVideos(TOKEN, { maxCount: 20 }),
  uploadChunk: (c) =>
    c.uploadChunk(
      'https://open-upload.tiktokapis.com/upload/?upload_id=1&upload_token=UPLOADsecret',
      new Uint8Array(4),
      { first: 0, last: 3, total: 4 },
    ),
};
const callNames = Object.keys(calls);

test('classifyResponse: any status, headers and body give "success" (2xx only) or a complete classification', () => {
  fc.assert(
    fc.property(
      reply,
      fc.constantFrom<'video_init' | 'status_fetch' | 'creator_info' | 'oauth_token' | undefined>(
        'video_init',
        'status_fetch',
        'creator_info',
        'oauth_token',
        undefined,
      ),
      (r, endpoint) => {
        const result = classifyResponse(r, { endpoint, secrets: [TOKEN], now: NOW });
        if (result === undefined) {
          expect(r.status >= 200 && r.status < 300).toBe(true);
          return;
        }
        expectClassified(result);
        expect(JSON.stringify(result)).not.toContain(TOKEN);
      },
    ),
    { numRuns: 500 },
  );
});

test('every client call: a malformed reply resolves to typed data or rejects with a classified TokpipeError, never a crash, never the token', async () => {
  await fc.assert(
    fc.asyncProperty(reply, fc.constantFrom(...callNames), async (r, name) => {
      const outcome = await settledClassified(() => calls[name]!(clientReturning(r)));
      if (!outcome.ok) {
        expect(JSON.stringify(outcome.error.details)).not.toContain(TOKEN);
        expect(outcome.error.message).not.toContain(TOKEN);
        expect(JSON.stringify(outcome.error.details)).not.toContain('UPLOADsecret');
        return;
      }
      // Success only on 2xx, with the fields a caller relies on well-typed.
      expect(r.status >= 200 && r.status < 300).toBe(true);
      const value = outcome.value as Record<string, unknown> | undefined;
      if (name.startsWith('init')) expect(typeof value!.publishId === 'string' && value!.publishId !== '').toBe(true);
      if (name === 'fetchStatus') {
        expect([
          'PROCESSING_UPLOAD',
          'PROCESSING_DOWNLOAD',
          'SEND_TO_USER_INBOX',
          'PUBLISH_COMPLETE',
          'FAILED',
        ]).toContain(value!.status);
        expect((value!.postIds as unknown[]).every((id) => typeof id === 'string')).toBe(true);
        if (value!.status === 'FAILED') expectClassified(value!.error as never);
      }
      if (name === 'listVideos') expect(Array.isArray(value!.videos)).toBe(true);
    }),
    { numRuns: 400 },
  );
});

test('transport failures on every call are classified; an init that may have been sent is an unknown outcome, never a blind retry', async () => {
  const kinds = ['dns', 'refused', 'reset', 'timeout', 'aborted', 'tls', 'other'] as const;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...kinds),
      fc.boolean(),
      fc.constantFrom(...callNames),
      fc.string(),
      async (kind, requestSent, name, text) => {
        const outcome = await settledClassified(() =>
          calls[name]!(clientReturning(new TransportError(kind, `${text} ${TOKEN}`, requestSent))),
        );
        expect(outcome.ok).toBe(false);
        if (outcome.ok) return;
        expect(outcome.error.message).not.toContain(TOKEN);
        // dns/refused/tls fail before a byte is sent, whatever the flag says.
        const mayHaveArrived = requestSent && ['reset', 'timeout', 'aborted', 'other'].includes(kind);
        if (name.startsWith('init') && mayHaveArrived)
          expect(outcome.error.details.disposition).toBe('unknown_outcome');
      },
    ),
    { numRuns: 300 },
  );
  // Not even a TransportError: a bug in a custom transport is still classified, not a crash.
  const odd = await settledClassified(() => calls.initDirectVideo!(clientReturning(new TypeError('boom'))));
  expect(odd.ok).toBe(false);
});

test('19-digit post ids in a status reply stay exact (numbers beyond 2^53 are never rounded)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.bigInt({ min: 10n ** 18n, max: 2n ** 63n - 1n }), { minLength: 1, maxLength: 3 }),
      async (ids) => {
        const body = `{"data":{"status":"PUBLISH_COMPLETE","publicaly_available_post_id":[${ids.join(',')}]},"error":{"code":"ok","message":"","log_id":"L"}}`;
        const result = await clientReturning({ status: 200, headers: {}, body }).fetchStatus(TOKEN, 'p1');
        expect(result.postIds).toEqual(ids.map(String));
      },
    ),
  );
});

test('fail_reason and OAuth error strings, known or not, are always classified', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.constantFrom(
          'internal',
          'video_pull_failed',
          'spam_risk_text',
          'auth_removed',
          'invalid_grant',
          'invalid_client',
          '__proto__',
          'constructor',
          'toString',
        ),
      ),
      (text) => {
        expectClassified(classifyFailReason(text, { publishId: 'p' }));
        expectClassified(
          classifyOAuthError({ error: text, error_description: TOKEN }, { httpStatus: 400, secrets: [TOKEN] }),
        );
        expect(
          JSON.stringify(
            classifyOAuthError(
              { error: text, error_description: `bad ${TOKEN}` },
              { httpStatus: 400, secrets: [TOKEN] },
            ),
          ),
        ).not.toContain(TOKEN);
      },
    ),
    { numRuns: 300 },
  );
});

test('server-requested waits (Retry-After, X-RateLimit-Reset) are finite and never negative, whatever the header says', () => {
  fc.assert(
    fc.property(replyHeaders, (headers) => {
      const wait = retryAfterFromHeaders(headers, NOW);
      if (wait !== undefined) expect(Number.isFinite(wait) && wait >= 0).toBe(true);
    }),
    { numRuns: 500 },
  );
});

// Was a defect (a 400-digit Retry-After parsed to Infinity and paused the endpoint forever); core
// caps server waits since 17b4635.
test('a Retry-After too large for a double is still a finite wait', () => {
  for (const value of ['9'.repeat(400), `${'9'.repeat(400)}.5`, '1e400']) {
    const wait = retryAfterFromHeaders({ 'retry-after': value }, NOW);
    expect(wait === undefined || (Number.isFinite(wait) && wait >= 0)).toBe(true);
  }
});

test('lossless JSON parsing never throws; webhook parsing only ever refuses with WebhookPayloadError', () => {
  fc.assert(
    fc.property(replyBody(TOKEN), (text) => {
      const parsed = parseJsonLossless(text);
      expect(typeof parsed.ok).toBe('boolean');
      try {
        const event = parseWebhookEvent(text);
        expect(typeof event.event).toBe('string');
      } catch (err) {
        expect(err).toBeInstanceOf(WebhookPayloadError);
      }
    }),
    { numRuns: 500 },
  );
});
