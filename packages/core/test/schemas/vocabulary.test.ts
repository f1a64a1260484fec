// Core's vocabulary: the facts adapters import instead of retyping (issue 13).
import {
  catalog,
  defaults,
  errorRecord,
  FINAL_STATUSES,
  isFinalStatus,
  OUTCOME_STATUSES,
  POST_OUTCOME_FIELDS,
  postOutcomeRecord,
  posterTuning,
  PRIVACY_OPTIONS,
  privacyLabel,
  PUBLISH_STATUSES,
  TUNING_OPTIONS,
  videoContentTypeForFileName,
  videoContentTypeOf,
} from '../../src/catalog';
import { classifyResponse } from '../../src/errors/classify';
import { transportFailureOf } from '../../src/errors/transport-codes';
import { defaultPollSchedule } from '../../src/polling';
import { defaultRetryPolicy } from '../../src/retry/policy';
import { PRIVACY_LEVELS } from '../../src/schemas/post';

describe('statuses', () => {
  it('final means published, in the inbox or failed; the outcome adds ACCEPTED and UNCONFIRMED', () => {
    expect([...FINAL_STATUSES].sort()).toEqual(['FAILED', 'PUBLISH_COMPLETE', 'SEND_TO_USER_INBOX']);
    expect(OUTCOME_STATUSES).toEqual([...PUBLISH_STATUSES, 'ACCEPTED', 'UNCONFIRMED']);
    expect(isFinalStatus('PROCESSING_DOWNLOAD')).toBe(false);
    expect(isFinalStatus('UNCONFIRMED')).toBe(false);
    expect(isFinalStatus(undefined)).toBe(false);
  });
});

describe('privacy options', () => {
  it("one option per TikTok privacy level, in TikTok's order, each with a label; the catalog field shows them", () => {
    expect(PRIVACY_OPTIONS.map((o) => o.value)).toEqual(PRIVACY_LEVELS);
    expect(PRIVACY_OPTIONS.every((o) => o.label.length > 0)).toBe(true);
    expect(catalog.fields.find((f) => f.name === 'privacyLevel')!.options).toBe(PRIVACY_OPTIONS);
    expect(privacyLabel('SELF_ONLY')).toBe(PRIVACY_OPTIONS[3]!.label);
    expect(privacyLabel('NEW_LEVEL_TIKTOK_ADDED')).toBe('NEW_LEVEL_TIKTOK_ADDED');
  });
});

describe('video content types', () => {
  it('maps MIME types (case and parameters ignored) and file names to what TikTok takes', () => {
    expect(videoContentTypeOf('video/mp4')).toBe('video/mp4');
    expect(videoContentTypeOf('Video/QuickTime; codecs=x')).toBe('video/quicktime');
    expect(videoContentTypeOf('video/x-msvideo')).toBeUndefined();
    expect(videoContentTypeOf(undefined)).toBeUndefined();
    expect(videoContentTypeForFileName('/tmp/clip.MOV')).toBe('video/quicktime');
    expect(videoContentTypeForFileName('c:\\v\\a.webm')).toBe('video/webm');
    expect(videoContentTypeForFileName('/dir.mp4/noext')).toBeUndefined();
    expect(videoContentTypeForFileName('.mp4')).toBeUndefined();
  });
});

describe('transport error codes', () => {
  it('says which codes can only happen before sending, and leaves the others to the transport', () => {
    expect(transportFailureOf('ECONNREFUSED')).toEqual({ kind: 'refused', requestSent: false });
    expect(transportFailureOf('ECONNABORTED')).toEqual({ kind: 'timeout' });
    expect(transportFailureOf('ECONNRESET')).toEqual({ kind: 'reset' });
    expect(transportFailureOf('ERR_SSL_WRONG_VERSION_NUMBER')).toEqual({ kind: 'tls', requestSent: false });
    expect(transportFailureOf('EWHATEVER')).toBeUndefined();
    expect(transportFailureOf(undefined)).toBeUndefined();
  });
});

describe('outcome fields', () => {
  it('the record has exactly the fields the list describes, done and published derived from the status', () => {
    const record = postOutcomeRecord({
      publishId: 'p1',
      status: 'SEND_TO_USER_INBOX',
      postIds: [],
      attempts: 2,
      idempotencyKey: 'k',
      reused: false,
      error: null,
    });
    expect(Object.keys(record)).toEqual(POST_OUTCOME_FIELDS.map((f) => f.name));
    expect(record).toMatchObject({ done: true, published: false, attempts: 2 });
  });

  it("an error keeps TikTok's own words apart from the code and the action", () => {
    const details = classifyResponse(
      {
        status: 403,
        headers: {},
        body: JSON.stringify({
          error: { code: 'spam_risk_too_many_posts', message: 'Too many posts today', log_id: 'L1' },
        }),
      },
      { endpoint: 'video_init' },
    )!;
    expect(details.problem).toBe('Too many posts today');
    expect(details.message).toContain('Too many posts today');
    expect(details.message).toContain('[spam_risk_too_many_posts, HTTP 403]');
    expect(errorRecord(details)).toMatchObject({
      problem: 'Too many posts today',
      code: 'spam_risk_too_many_posts',
      logId: 'L1',
      httpStatus: 403,
    });
  });
});

describe('defaults and tuning', () => {
  it('adapters read the defaults from core', () => {
    expect(defaults.retry).toBe(defaultRetryPolicy);
    expect(defaults.polling).toBe(defaultPollSchedule);
    const byName = Object.fromEntries(TUNING_OPTIONS.map((o) => [o.name, o.default]));
    expect(byName).toEqual({
      retryAttempts: 5,
      maxBackoffSeconds: 64,
      requestTimeoutSeconds: 30,
      pollEverySeconds: 120,
      maxWaitSeconds: 300,
    });
  });

  it("posterTuning: unset values keep core's defaults; set ones become poster options, bounded", () => {
    expect(posterTuning({})).toEqual({ retry: {}, polling: {} });
    expect(posterTuning({ retryAttempts: '', requestTimeoutSeconds: undefined })).toEqual({ retry: {}, polling: {} });
    expect(
      posterTuning({
        retryAttempts: 99,
        maxBackoffSeconds: 8,
        requestTimeoutSeconds: 2.5,
        pollEverySeconds: 20,
        maxWaitSeconds: '45',
      }),
    ).toEqual({
      retry: { maxAttempts: 10, maxDelayMs: 8_000 },
      requestTimeoutMs: 2_500,
      polling: { thenEveryMs: 20_000, delaysMs: [10_000, 20_000, 20_000, 20_000], budgetMs: 45_000 },
    });
    expect(posterTuning({ pollEverySeconds: 0.1 }).polling.thenEveryMs).toBe(2_000); // TikTok's 30 status checks a minute
  });
});
