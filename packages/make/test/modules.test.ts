// Every module of the generated app, run by the local IML harness against the real sandbox: what reached
// TikTok, how many times, what the Make user sees, and what Make's engine would do with each error.
import { calls, failure, world, type World } from './helpers';
import { engineOutcome, MODULE_TIMEOUT_MS } from '../harness';
import { component } from '../harness/load-app';

let w: World;
afterEach(async () => {
  await w?.close();
});

describe('Post Video', () => {
  test('posts once with the mapped fields and waits (every 10 s) until TikTok publishes', async () => {
    w = await world();
    const out = await w.h.runModule('postVideo', w.conn, {
      videoUrl: w.media('sample.mp4'),
      title: 'Launch day #tokpipe',
      privacyLevel: 'SELF_ONLY',
      disableComment: true,
      isAigc: true,
      waitForCompletion: true,
    });
    expect(out).toMatchObject({ status: 'PUBLISH_COMPLETE', done: true, published: true });
    const inits = calls(w.sb, 'video.init');
    expect(inits).toHaveLength(1);
    expect(inits[0]!.body).toMatchObject({
      post_info: { title: 'Launch day #tokpipe', privacy_level: 'SELF_ONLY', disable_comment: true, is_aigc: true },
      source_info: { source: 'PULL_FROM_URL', video_url: w.media('sample.mp4') },
    });
    const posts = w.sb.admin.posts(w.conn.uid);
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({
      publishId: out.publishId,
      title: 'Launch day #tokpipe',
      status: 'PUBLISH_COMPLETE',
    });
    expect(calls(w.sb, 'status').length).toBe(w.clock.sleeps.length + 1);
    expect(w.clock.sleeps.every((ms) => ms === 10_000)).toBe(true);
  });

  test('without waiting it returns the publish_id as ACCEPTED and never polls', async () => {
    w = await world();
    const out = await w.h.runModule('postVideo', w.conn, {
      videoUrl: w.media('sample.mp4'),
      privacyLevel: 'SELF_ONLY',
      waitForCompletion: false,
    });
    expect(out).toMatchObject({ status: 'ACCEPTED', done: false, published: false, postIds: [] });
    expect(out.publishId).toMatch(/^v_pub_url~/);
    expect(calls(w.sb, 'status')).toHaveLength(0);
  });

  test('bad input is refused by the module form, naming the field, before any request', async () => {
    w = await world();
    const missing = await failure(() => w.h.runModule('postVideo', w.conn, { title: 'no video' }));
    expect(missing.type).toBe('BundleValidationError');
    expect(missing.message).toContain('videoUrl');
    const tooLong = await failure(() =>
      w.h.runModule('postVideo', w.conn, {
        videoUrl: w.media('sample.mp4'),
        privacyLevel: 'SELF_ONLY',
        title: 'x'.repeat(2201),
      }),
    );
    expect(tooLong.message).toContain('[title]');
    const noPrivacy = await failure(() => w.h.runModule('postVideo', w.conn, { videoUrl: w.media('sample.mp4') }));
    expect(noPrivacy.message).toContain('privacyLevel');
    expect(calls(w.sb, 'video.init')).toHaveLength(0);
  });

  test('429 → RateLimitError (Make retries the run), one init reached TikTok', async () => {
    w = await world();
    w.sb.admin.script('video.init', [{ kind: 'rate_limit' }]);
    const err = await failure(() =>
      w.h.runModule('postVideo', w.conn, { videoUrl: w.media('sample.mp4'), privacyLevel: 'SELF_ONLY' }),
    );
    expect(err.type).toBe('RateLimitError');
    expect(err.message).toContain('rate_limit_exceeded');
    expect(err.message).toMatch(/log_id \w+/);
    expect(engineOutcome(err)).toBe('retried');
    expect(calls(w.sb, 'video.init')).toHaveLength(1);
    expect(w.sb.admin.posts(w.conn.uid)).toHaveLength(0);
  });

  test('a gateway 5xx page on init is an unknown outcome: RuntimeError, never retried automatically', async () => {
    w = await world();
    w.sb.admin.script('video.init', [{ kind: 'server_error', status: 502, body: 'html' }]);
    const err = await failure(() =>
      w.h.runModule('postVideo', w.conn, { videoUrl: w.media('sample.mp4'), privacyLevel: 'SELF_ONLY' }),
    );
    expect(err.type).toBe('RuntimeError');
    expect(err.message).toContain('may have created this post');
    expect(engineOutcome(err)).toBe('stopped');
    expect(calls(w.sb, 'video.init')).toHaveLength(1);
  });

  test("a rate limit or 5xx while reading the status after a successful init is not left to Make's retries (a re-run would post twice)", async () => {
    w = await world();
    w.sb.admin.script('status', [{ kind: 'rate_limit' }]);
    const err = await failure(() =>
      w.h.runModule('postVideo', w.conn, {
        videoUrl: w.media('sample.mp4'),
        privacyLevel: 'SELF_ONLY',
        waitForCompletion: true,
      }),
    );
    const [post] = w.sb.admin.posts(w.conn.uid);
    expect(err.type).toBe('RuntimeError');
    expect(engineOutcome(err)).toBe('stopped');
    expect(err.message).toContain(`publish_id ${post!.publishId}`);
    expect(err.message).toContain('Do not re-run this module');
    expect(calls(w.sb, 'video.init')).toHaveLength(1);
    await expect(w.h.runModule('waitForPost', w.conn, { publishId: post!.publishId })).resolves.toMatchObject({
      status: 'PUBLISH_COMPLETE',
    });
  });

  test('unverified media domain → InvalidConfigurationError with the TikTok code and what to do', async () => {
    w = await world();
    const err = await failure(() =>
      w.h.runModule('postVideo', w.conn, { videoUrl: 'https://cdn.example.com/clip.mp4', privacyLevel: 'SELF_ONLY' }),
    );
    expect(err.type).toBe('InvalidConfigurationError');
    expect(err.statusCode).toBe(403);
    expect(err.message).toContain('url_ownership_unverified');
    expect(err.message).toContain('Verify the media domain');
    expect(engineOutcome(err)).toBe('deactivated');
  });

  test('a privacy level the creator may not use → DataError (fix the input)', async () => {
    w = await world({ username: 'sandbox_private' });
    const err = await failure(() =>
      w.h.runModule('postVideo', w.conn, { videoUrl: w.media('sample.mp4'), privacyLevel: 'PUBLIC_TO_EVERYONE' }),
    );
    expect(err.type).toBe('DataError');
    expect(err.message).toContain('privacy_level_option_mismatch');
    expect(w.sb.admin.posts(w.conn.uid)).toHaveLength(0);
  });

  test('the daily post cap → RuntimeError: this run fails, the scenario stays active', async () => {
    w = await world();
    w.sb.admin.script('video.init', [{ kind: 'error', status: 403, code: 'spam_risk_too_many_posts' }]);
    const err = await failure(() =>
      w.h.runModule('postVideo', w.conn, { videoUrl: w.media('sample.mp4'), privacyLevel: 'SELF_ONLY' }),
    );
    expect(err.type).toBe('RuntimeError');
    expect(err.message).toContain('spam_risk_too_many_posts');
    expect(engineOutcome(err)).toBe('stopped');
  });

  test('content failure after init → DataError with the fail_reason; a temporary one → ConnectionError (a re-run posts again: the first one definitely FAILED)', async () => {
    w = await world();
    w.sb.admin.script('video.init', [
      { kind: 'async_fail', failReason: 'file_format_check_failed' },
      { kind: 'async_fail', failReason: 'video_pull_failed' },
    ]);
    const content = await failure(() =>
      w.h.runModule('postVideo', w.conn, {
        videoUrl: w.media('sample.mp4'),
        privacyLevel: 'SELF_ONLY',
        waitForCompletion: true,
      }),
    );
    expect(content.type).toBe('DataError');
    expect(content.message).toContain('file_format_check_failed');
    const pull = await failure(() =>
      w.h.runModule('postVideo', w.conn, {
        videoUrl: w.media('sample.mp4'),
        privacyLevel: 'SELF_ONLY',
        waitForCompletion: true,
      }),
    );
    expect(pull.type).toBe('ConnectionError');
    expect(pull.message).toContain('video_pull_failed');
    expect(w.sb.admin.posts(w.conn.uid).map((p) => p.status)).toEqual(['FAILED', 'FAILED']);
  });
});

describe('expired and revoked tokens', () => {
  test('an access token about to expire is refreshed (rotated refresh token stored) before the call, which succeeds', async () => {
    w = await world();
    const firstRefresh = w.conn.data.refreshToken;
    w.clock.advance(24 * 3600_000 - 5 * 60_000); // 5 minutes before the 24 h access token expires
    const out = await w.h.runModule('getCreatorInfo', w.conn);
    expect(out).toMatchObject({ nickname: 'Sandbox Creator' });
    const refreshes = calls(w.sb, 'oauth.token').slice(1);
    expect(refreshes).toHaveLength(1);
    expect(w.conn.data.refreshToken).not.toBe(firstRefresh);
    // The old refresh token no longer works (strict rotation); the stored new one does, a day later.
    w.clock.advance(24 * 3600_000);
    await expect(w.h.runModule('getCreatorInfo', w.conn)).resolves.toMatchObject({ nickname: 'Sandbox Creator' });
    expect(calls(w.sb, 'oauth.token').slice(1)).toHaveLength(2);
  });

  test("past the refresh token's lifetime the connection is dead: InvalidAccessTokenError before any request", async () => {
    w = await world();
    const before = w.sb.admin.requests().length;
    w.clock.advance(366 * 24 * 3600_000);
    const err = await failure(() => w.h.runModule('getCreatorInfo', w.conn));
    expect(err.type).toBe('InvalidAccessTokenError');
    expect(err.message).toContain('reauthorize');
    expect(w.sb.admin.requests().length).toBe(before);
  });

  test('a fresh token is not refreshed', async () => {
    w = await world();
    await w.h.runModule('getCreatorInfo', w.conn);
    expect(calls(w.sb, 'oauth.token')).toHaveLength(1); // the first code exchange only
  });

  test('a revoked token → InvalidAccessTokenError (refresh cannot fix it): the scenario is deactivated', async () => {
    w = await world();
    w.sb.admin.script('creator_info', [{ kind: 'token_revoked' }]);
    const err = await failure(() => w.h.runModule('getCreatorInfo', w.conn));
    expect(err.type).toBe('InvalidAccessTokenError');
    expect(err.message).toContain('access_token_invalid');
    expect(err.message).toContain('reconnect');
    expect(engineOutcome(err)).toBe('deactivated');
  });

  test('a refresh token TikTok refuses → InvalidAccessTokenError naming invalid_grant', async () => {
    w = await world();
    w.conn.data.refreshToken = 'rft.not-a-real-token';
    w.clock.advance(24 * 3600_000);
    const err = await failure(() => w.h.runModule('getCreatorInfo', w.conn));
    expect(err.type).toBe('InvalidAccessTokenError');
    expect(err.message).toContain('invalid_grant');
    expect(calls(w.sb, 'creator_info')).toHaveLength(0);
  });
});

describe('status modules', () => {
  test('5xx on status → ConnectionError (a read: Make may retry it)', async () => {
    w = await world();
    const { publishId } = await w.h.runModule('postVideo', w.conn, {
      videoUrl: w.media('sample.mp4'),
      privacyLevel: 'SELF_ONLY',
      waitForCompletion: false,
    });
    w.sb.admin.script('status', [{ kind: 'server_error', status: 503, body: 'html' }]);
    const err = await failure(() => w.h.runModule('getPostStatus', w.conn, { publishId }));
    expect(err.type).toBe('ConnectionError');
    expect(engineOutcome(err)).toBe('retried');
  });

  test('Wait for Post reaches PUBLISH_COMPLETE; later Get Post Status shows the exact 19-digit post id', async () => {
    w = await world();
    const { publishId } = await w.h.runModule('postVideo', w.conn, {
      videoUrl: w.media('sample.mp4'),
      privacyLevel: 'PUBLIC_TO_EVERYONE',
      waitForCompletion: false,
    });
    const done = await w.h.runModule('waitForPost', w.conn, { publishId });
    expect(done).toMatchObject({ publishId, status: 'PUBLISH_COMPLETE', done: true, published: true });
    w.clock.advance(60_000); // moderation
    const status = await w.h.runModule('getPostStatus', w.conn, { publishId });
    const [post] = w.sb.admin.posts(w.conn.uid);
    expect(post!.publicPostIds).toHaveLength(1);
    expect(status.postIds).toEqual(post!.publicPostIds);
    expect(String((status.postIds as string[])[0])).toMatch(/^\d{19}$/);
  });

  test('Wait for Post on a draft stops at SEND_TO_USER_INBOX', async () => {
    w = await world();
    const { publishId } = await w.h.runModule('uploadVideoDraft', w.conn, {
      videoUrl: w.media('sample.mp4'),
      waitForCompletion: false,
    });
    expect(calls(w.sb, 'inbox.init')[0]!.body).toEqual({
      source_info: { source: 'PULL_FROM_URL', video_url: w.media('sample.mp4') },
    });
    await expect(w.h.runModule('waitForPost', w.conn, { publishId })).resolves.toMatchObject({
      status: 'SEND_TO_USER_INBOX',
    });
  });

  test('Wait for Post still processing after its polls → IncompleteDataError (Make re-runs the wait, never the post), within 30 status calls/min', async () => {
    w = await world({ config: { downloadDelayMs: 3_600_000 } });
    const { publishId } = await w.h.runModule('postVideo', w.conn, {
      videoUrl: w.media('sample.mp4'),
      privacyLevel: 'SELF_ONLY',
      waitForCompletion: false,
    });
    const err = await failure(() => w.h.runModule('waitForPost', w.conn, { publishId }));
    expect(err.type).toBe('IncompleteDataError');
    expect(err.message).toContain('PROCESSING_DOWNLOAD');
    expect(engineOutcome(err)).toBe('paused_then_rerun');
    expect(calls(w.sb, 'video.init')).toHaveLength(1);
    const statusCalls = calls(w.sb, 'status');
    expect(statusCalls.length).toBeGreaterThan(1);
    const spanMs = statusCalls.at(-1)!.time - statusCalls[0]!.time;
    expect(statusCalls.length - 1).toBeLessThanOrEqual(Math.floor(spanMs / 2_000));
  });

  test("the generated repeat fits Make's module time limit; a longer one would time out", async () => {
    w = await world({ config: { downloadDelayMs: 3_600_000 } });
    const { publishId } = await w.h.runModule('postVideo', w.conn, {
      videoUrl: w.media('sample.mp4'),
      privacyLevel: 'SELF_ONLY',
      waitForCompletion: true,
    });
    expect(w.clock.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MODULE_TIMEOUT_MS);
    const comm = component(w.h.app, 'module', 'waitForPost').code.communication as { repeat: { limit: number } };
    comm.repeat.limit = 10;
    const err = await failure(() => w.h.runModule('waitForPost', w.conn, { publishId }));
    expect(err.type).toBe('ModuleTimeoutError');
  });

  test('Wait for Post on a FAILED post with a temporary reason → RuntimeError (re-running a wait cannot fix it)', async () => {
    w = await world();
    w.sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'internal' }]);
    const { publishId } = await w.h.runModule('postVideo', w.conn, {
      videoUrl: w.media('sample.mp4'),
      privacyLevel: 'SELF_ONLY',
      waitForCompletion: false,
    });
    const err = await failure(() => w.h.runModule('waitForPost', w.conn, { publishId }));
    expect(err.type).toBe('RuntimeError');
    expect(err.message).toContain('internal');
    expect(err.message).toContain('Run the Post module again');
  });

  test('Get Post Status reports FAILED as data with what to do', async () => {
    w = await world();
    w.sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'duration_check_failed' }]);
    const { publishId } = await w.h.runModule('postVideo', w.conn, {
      videoUrl: w.media('sample.mp4'),
      privacyLevel: 'SELF_ONLY',
      waitForCompletion: false,
    });
    w.clock.advance(60_000);
    const out = await w.h.runModule('getPostStatus', w.conn, { publishId });
    expect(out).toMatchObject({ status: 'FAILED', failReason: 'duration_check_failed' });
    expect(out.failAction).toContain('max_video_post_duration_sec');
  });

  test('an unknown publish_id → DataError naming invalid_publish_id', async () => {
    w = await world();
    const err = await failure(() => w.h.runModule('getPostStatus', w.conn, { publishId: 'v_pub_url~v2.000' }));
    expect(err.type).toBe('DataError');
    expect(err.message).toContain('invalid_publish_id');
  });

  test('Cancel a Post cancels a download in progress', async () => {
    w = await world({ config: { downloadDelayMs: 600_000 } });
    const { publishId } = await w.h.runModule('postVideo', w.conn, {
      videoUrl: w.media('sample.mp4'),
      privacyLevel: 'SELF_ONLY',
      waitForCompletion: false,
    });
    await expect(w.h.runModule('cancelPost', w.conn, { publishId })).resolves.toEqual({ publishId, cancelled: true });
    expect(calls(w.sb, 'cancel')).toHaveLength(1);
    w.clock.advance(1_000);
    expect(w.sb.admin.posts(w.conn.uid)[0]).toMatchObject({ status: 'FAILED', failReason: 'publish_cancelled' });
  });
});

describe('Post Photos, creator info, privacy options', () => {
  test('direct photo post sends PHOTO/DIRECT_POST with the images and cover; a draft sends MEDIA_UPLOAD without privacy', async () => {
    w = await world();
    const photos = [w.media('photo-1.jpg'), w.media('photo-2.jpg')];
    await w.h.runModule('postPhotos', w.conn, {
      mode: 'direct',
      photoUrls: photos,
      coverIndex: 1,
      title: 'Two',
      privacyLevel: 'SELF_ONLY',
      autoAddMusic: true,
      waitForCompletion: false,
    });
    await w.h.runModule('postPhotos', w.conn, {
      mode: 'draft',
      photoUrls: photos,
      description: 'later',
      waitForCompletion: false,
    });
    const [direct, draft] = calls(w.sb, 'content.init').map((c) => c.body as Record<string, Record<string, unknown>>);
    expect(direct).toMatchObject({
      media_type: 'PHOTO',
      post_mode: 'DIRECT_POST',
      post_info: { title: 'Two', privacy_level: 'SELF_ONLY', auto_add_music: true },
      source_info: { source: 'PULL_FROM_URL', photo_images: photos, photo_cover_index: 1 },
    });
    expect(draft).toMatchObject({
      post_mode: 'MEDIA_UPLOAD',
      post_info: { description: 'later' },
      source_info: { photo_cover_index: 0 },
    });
    expect(draft!.post_info).not.toHaveProperty('privacy_level');
  });

  test('direct photo post without privacy, or with 36 photos, is refused by the form naming the field', async () => {
    w = await world();
    const err = await failure(() =>
      w.h.runModule('postPhotos', w.conn, { mode: 'direct', photoUrls: [w.media('photo-1.jpg')] }),
    );
    expect(err.type).toBe('BundleValidationError');
    expect(err.message).toContain('privacyLevel');
    const many = await failure(() =>
      w.h.runModule('postPhotos', w.conn, {
        mode: 'draft',
        photoUrls: Array.from({ length: 36 }, () => w.media('photo-1.jpg')),
      }),
    );
    expect(many.message).toContain('[photoUrls] must have at most 35 items');
    const longTitle = await failure(() =>
      w.h.runModule('postPhotos', w.conn, {
        mode: 'draft',
        photoUrls: [w.media('photo-1.jpg')],
        title: 'x'.repeat(91),
      }),
    );
    expect(longTitle.message).toContain('[title] must be at most 90 characters');
    expect(calls(w.sb, 'content.init')).toHaveLength(0);
  });

  test("Get Creator Info: a cap TikTok reports with HTTP 200 is still an error (TikTok's error.code is read whatever the status)", async () => {
    w = await world();
    w.sb.admin.script('creator_info', [{ kind: 'error', status: 200, code: 'reached_active_user_cap' }]);
    const err = await failure(() => w.h.runModule('getCreatorInfo', w.conn));
    expect(err.type).toBe('RuntimeError');
    expect(err.statusCode).toBe(200);
    expect(err.message).toContain('reached_active_user_cap');
  });

  test("the privacy RPC lists the creator's allowed levels with readable labels", async () => {
    w = await world({ username: 'sandbox_private' });
    const options = await w.h.runRpc('listPrivacyOptions', w.conn);
    expect(options).toEqual([
      { label: 'Followers', value: 'FOLLOWER_OF_CREATOR' },
      { label: 'Friends (mutual followers)', value: 'MUTUAL_FOLLOW_FRIENDS' },
      { label: 'Only me', value: 'SELF_ONLY' },
    ]);
  });
});
