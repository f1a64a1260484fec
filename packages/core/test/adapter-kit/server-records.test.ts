// Server mode's shared pieces: a post body from platform values (files as URLs, words as booleans), the
// Idempotency-Key of a platform without run ids, and the flat post and event records adapters output.
import {
  SAMPLE_SERVER_EVENT,
  SAMPLE_SERVER_POST,
  SERVER_EVENT_FIELDS,
  SERVER_POST_FIELDS,
  serverEventRecord,
  serverIdempotencyKey,
  serverPostBody,
  serverPostRecord,
} from '../../src';

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as { details: { field?: string; layer: string } };
  }
  throw new Error('expected an error');
};

describe('serverPostBody', () => {
  it('hands a platform file URL to the server to download, only when the platform serves files as URLs', () => {
    const fields = { videoFile: 'https://files.example/v.mp4', title: 'hi' };
    expect(serverPostBody(fields, 'draft', { filesAsUrls: true })).toEqual({
      mode: 'draft',
      title: 'hi',
      videoUrl: 'https://files.example/v.mp4',
      serverUpload: true,
    });
    expect(errorOf(() => serverPostBody(fields, 'draft')).details).toMatchObject({
      field: 'videoFile',
      layer: 'input',
    });
    expect(
      errorOf(() => serverPostBody({ videoFile: '/tmp/v.mp4' }, 'draft', { filesAsUrls: true })).details.field,
    ).toBe('videoFile');
    const both = { ...fields, videoUrl: 'https://media.example/v.mp4' };
    expect(errorOf(() => serverPostBody(both, 'draft', { filesAsUrls: true })).details.field).toBe('videoFile');
  });

  it('types values as the catalog says (the server body is strict) and drops empties and UI-only fields', () => {
    const body = serverPostBody(
      {
        videoUrl: 'https://media.example/v.mp4',
        disableComment: 'yes',
        serverUpload: 'false',
        videoCoverTimestampMs: '1500',
        waitForCompletion: true,
        mode: 'draft',
        label: '',
        account: 'brand',
      },
      'direct',
    );
    expect(body).toEqual({
      mode: 'direct',
      videoUrl: 'https://media.example/v.mp4',
      disableComment: true,
      serverUpload: false,
      videoCoverTimestampMs: 1500,
      account: 'brand',
    });
    expect(serverPostBody({ photoUrls: 'https://a.example/1.jpg\nhttps://a.example/2.jpg' }, 'direct')).toEqual({
      mode: 'direct',
      photoUrls: ['https://a.example/1.jpg', 'https://a.example/2.jpg'],
    });
  });
});

describe('serverIdempotencyKey', () => {
  it("is the user's key, else one per body (key order does not matter)", () => {
    const a = serverIdempotencyKey({ mode: 'direct', title: 'x', videoUrl: 'u' }, 'zapier');
    expect(a).toMatch(/^zapier-[0-9a-f]{40}$/);
    expect(serverIdempotencyKey({ videoUrl: 'u', title: 'x', mode: 'direct' }, 'zapier')).toBe(a);
    expect(serverIdempotencyKey({ mode: 'direct', title: 'y', videoUrl: 'u' }, 'zapier')).not.toBe(a);
    expect(serverIdempotencyKey({ mode: 'direct', idempotencyKey: ' mine ' }, 'zapier')).toBe('mine');
  });
});

describe('records', () => {
  const names = (fields: ReadonlyArray<{ name: string }>) => fields.map((f) => f.name).sort();

  it("a post's error is flat, in core's ERROR_FIELDS words; every field is there with or without one", () => {
    const ok = serverPostRecord({ ...SAMPLE_SERVER_POST });
    expect(Object.keys(ok).sort()).toEqual(names(SERVER_POST_FIELDS));
    expect(ok).toMatchObject({ error: null, code: null, postIds: SAMPLE_SERVER_POST.postIds });
    const failed = serverPostRecord({
      jobId: 'j1',
      state: 'failed',
      error: {
        class: 'not_retryable',
        code: 'privacy_level_option_mismatch',
        layer: 'application',
        disposition: 'fix_input',
        retryable: false,
        action: 'Pick a privacy level the creator allows',
        message: 'TikTok refused the privacy level',
        logId: 'log-1',
      },
    });
    expect(failed).toMatchObject({
      jobId: 'j1',
      postIds: [],
      error: 'TikTok refused the privacy level',
      category: 'not_retryable',
      code: 'privacy_level_option_mismatch',
      disposition: 'fix_input',
      logId: 'log-1',
      httpStatus: null,
    });
  });

  it('every event has every SERVER_EVENT_FIELDS key, a post event or an account event', () => {
    const published = serverEventRecord({ ...SAMPLE_SERVER_EVENT });
    expect(Object.keys(published).sort()).toEqual(names(SERVER_EVENT_FIELDS));
    expect(published).toMatchObject({ eventId: SAMPLE_SERVER_EVENT.id, event: 'published', account: 'brand' });
    const expiring = serverEventRecord({
      id: 'evt_1',
      type: 'token_expiring',
      account: 'brand',
      createdAt: '2026-11-25T12:00:00.000Z',
      data: { account: 'brand', status: 'needs_reauth', reason: 'refresh token expired', action: 'connect again' },
    });
    expect(Object.keys(expiring).sort()).toEqual(names(SERVER_EVENT_FIELDS));
    expect(expiring).toMatchObject({ status: 'needs_reauth', reason: 'refresh token expired', jobId: null });
  });
});
