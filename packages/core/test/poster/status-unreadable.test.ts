// Issue 14 item 7: status replies that cannot be read (an HTML page, an empty or cut-off body, a
// field of the wrong type, a status TikTok does not document) were reported as "TikTok is still
// processing". Now: polling goes on within its bounds, and the outcome says what was received,
// classified as a transport/structural fault in core's error table.
import { classificationTable } from '../../src/errors/table';
import { defaultPollSchedule } from '../../src/polling';
import { defaultRetryPolicy } from '../../src/retry/policy';
import { startHarness, type Harness } from './harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ config: { downloadDelayMs: 10 * 60_000 } });
});
afterEach(() => h.close());

const ENVELOPE_OK = '"error":{"code":"ok","message":"","log_id":"20260105090000ABC"}';

const cases: Array<{ name: string; body: string; contentType?: string; code: string; says: RegExp }> = [
  {
    name: 'an HTML page',
    body: '<html><body><h1>Service Unavailable</h1></body></html>',
    contentType: 'text/html',
    code: 'non_json',
    says: /an HTML page/,
  },
  { name: 'an empty body', body: '', code: 'empty_body', says: /an empty body/ },
  { name: 'cut-off JSON', body: '{"data":{"status":"PROCESSING_DOWN', code: 'non_json', says: /cut-off JSON|not JSON/ },
  {
    name: 'status of the wrong type',
    body: `{"data":{"status":5},${ENVELOPE_OK}}`,
    code: 'malformed_reply',
    says: /status 5/,
  },
  {
    name: 'a status TikTok does not document',
    body: `{"data":{"status":"PUBLISHED_MAYBE"},${ENVELOPE_OK}}`,
    code: 'malformed_reply',
    says: /"PUBLISHED_MAYBE"/,
  },
];

it.each(cases)(
  '$name: polled within bounds, reported as what it is (not "still processing")',
  async ({ body, contentType, code, says }) => {
    h.sb.admin.script(
      'status',
      Array.from({ length: 50 }, () => ({ kind: 'garbled' as const, body, ...(contentType ? { contentType } : {}) })),
    );
    const outcome = await h.poster.post(
      {
        mode: 'direct',
        media: { type: 'video_url', url: h.mediaUrl() },
        title: 'unreadable',
        privacyLevel: 'SELF_ONLY',
      },
      { wait: true },
    );
    expect(outcome.status).toBe('UNCONFIRMED');
    expect(h.count('video.init')).toBe(1); // never re-posted over an unreadable status
    // Kept polling on the schedule (not one try, not forever): 10, 30, 60, 120 s, then the 5 min budget,
    // each poll retried with backoff like any transient failure.
    const requests = h.count('status');
    expect(requests).toBeGreaterThan(defaultPollSchedule.delaysMs.length);
    expect(requests).toBeLessThanOrEqual((defaultPollSchedule.delaysMs.length + 2) * defaultRetryPolicy.maxAttempts);
    const error = outcome.error!;
    expect(error).toMatchObject({ layer: 'transport', code, disposition: 'unknown_outcome' });
    expect(classificationTable.some((row) => row.layer === 'transport' && row.code === code)).toBe(true);
    expect(error.message).toMatch(says);
    expect(error.message).not.toMatch(/still processing/i);
    expect(error.action).not.toMatch(/still processing/i);
  },
);

it('one unreadable reply among good ones changes nothing', async () => {
  h.sb.admin.script('status', [{ kind: 'garbled', body: '<html>oops</html>', contentType: 'text/html' }]);
  const outcome = await h.poster.post(
    { mode: 'direct', media: { type: 'video_url', url: h.mediaUrl() }, title: 'one blip', privacyLevel: 'SELF_ONLY' },
    { wait: true },
  );
  expect(outcome.error).toMatchObject({ code: 'unconfirmed' }); // processing really does take 10 min here
  expect(outcome.error!.message).toMatch(/last seen: PROCESSING_DOWNLOAD/);
});

// Issue 14 item 13: a reply with no error code at all was described as TikTok answering "ok".
it('an init reply without any error object is not described as TikTok answering "ok"', async () => {
  h.sb.admin.script('video.init', [{ kind: 'garbled', body: '{"data":{}}' }]);
  const outcome = await h.poster.post({
    mode: 'direct',
    media: { type: 'video_url', url: h.mediaUrl() },
    title: 'no error object',
    privacyLevel: 'SELF_ONLY',
  });
  expect(outcome.error).toMatchObject({ layer: 'transport', code: 'malformed_reply', disposition: 'unknown_outcome' });
  expect(outcome.error!.message).not.toContain('"ok"');
  expect(outcome.error!.message).toContain('reported no error but carried no publish_id');
});
