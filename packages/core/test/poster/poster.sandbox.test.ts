import { sampleMp4, solidJpeg } from '@tokpipe/sandbox';
import { TokpipeError } from '../../src/errors/classify';
import { createPoster } from '../../src/poster';
import { TokenManager, memoryTokenStore } from '../../src/tokens';
import type { ByteSource, PostRequest } from '../../src/types';
import { startHarness, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const direct = (h: Harness, title = 'hello tokpipe'): PostRequest => ({
  mode: 'direct',
  media: { type: 'video_url', url: h.mediaUrl() },
  title,
  privacyLevel: 'SELF_ONLY',
});

function bytesSource(data: Uint8Array): ByteSource {
  return {
    size: data.length,
    read: async (offset, length) => data.subarray(offset, offset + length),
    contentType: 'video/mp4',
  };
}

describe('poster against the sandbox: the happy paths', () => {
  it('posts a video by URL and waits for PUBLISH_COMPLETE: one creator_info, one init', async () => {
    h = await startHarness();
    const outcome = await h.poster.post(direct(h), { wait: true });
    expect(outcome).toMatchObject({ status: 'PUBLISH_COMPLETE', attempts: 1, reused: false, error: null });
    expect(outcome.publishId).toEqual(expect.any(String));
    expect(h.count('creator_info')).toBe(1);
    expect(h.count('video.init')).toBe(1);
    const [init] = h.sb.admin.requests({ endpoint: 'video.init' });
    expect(init!.body).toMatchObject({
      post_info: { title: 'hello tokpipe', privacy_level: 'SELF_ONLY' },
      source_info: { source: 'PULL_FROM_URL', video_url: h.mediaUrl() },
    });
    const posts = h.sb.admin.posts(h.openId);
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ publishId: outcome.publishId, status: 'PUBLISH_COMPLETE' });
  });

  it('returns ACCEPTED without polling when wait is off', async () => {
    h = await startHarness();
    const outcome = await h.poster.post(direct(h));
    expect(outcome.status).toBe('ACCEPTED');
    expect(h.count('status')).toBe(0);
    const done = await h.poster.waitForCompletion(outcome.publishId!);
    expect(done.status).toBe('PUBLISH_COMPLETE');
  });

  it('waits through moderation for the public post id and keeps the 19 digits exact', async () => {
    h = await startHarness({ config: { moderationDelayMs: 45_000 } });
    const outcome = await h.poster.post({ ...direct(h), privacyLevel: 'PUBLIC_TO_EVERYONE' }, { wait: true });
    expect(outcome.status).toBe('PUBLISH_COMPLETE');
    const expected = h.sb.admin.posts(h.openId)[0]!.publicPostIds;
    expect(expected.length).toBeGreaterThan(0);
    expect(outcome.postIds).toEqual(expected);
    expect(outcome.postIds[0]).toMatch(/^\d{18,20}$/);
  });

  it('a public post whose moderation outlasts the budget is PUBLISH_COMPLETE without ids, not UNCONFIRMED', async () => {
    h = await startHarness({ config: { moderationDelayMs: 3_600_000 } });
    const outcome = await h.poster.post({ ...direct(h), privacyLevel: 'PUBLIC_TO_EVERYONE' }, { wait: true });
    expect(outcome).toMatchObject({ status: 'PUBLISH_COMPLETE', postIds: [], error: null });
    expect(h.count('status')).toBe(5);
  });

  it('uploads a file (FILE_UPLOAD) with the chunk PUTs and waits for completion', async () => {
    h = await startHarness();
    const video = sampleMp4(360, 640, 30, new Array(30).fill(solidJpeg(360, 640, [1, 2, 3])));
    const outcome = await h.poster.post(
      { ...direct(h), media: { type: 'video_file', file: bytesSource(video) } },
      { wait: true },
    );
    expect(outcome).toMatchObject({ status: 'PUBLISH_COMPLETE', error: null });
    const puts = h.sb.admin.requests({ endpoint: 'upload' });
    expect(puts).toHaveLength(1);
    expect(puts[0]!.bytes).toBe(video.length);
    expect(h.sb.admin.requests({ endpoint: 'video.init' })[0]!.body).toMatchObject({
      source_info: { source: 'FILE_UPLOAD', video_size: video.length, total_chunk_count: 1 },
    });
  });

  it('sends a draft to the inbox (SEND_TO_USER_INBOX), with no creator_info call', async () => {
    h = await startHarness();
    const outcome = await h.poster.post(
      { mode: 'draft', media: { type: 'video_url', url: h.mediaUrl() } },
      { wait: true },
    );
    expect(outcome.status).toBe('SEND_TO_USER_INBOX');
    expect(h.count('inbox.init')).toBe(1);
    expect(h.count('creator_info')).toBe(0);
  });

  it('posts photos through content init', async () => {
    h = await startHarness();
    const outcome = await h.poster.post(
      {
        mode: 'direct',
        media: { type: 'photo_urls', urls: [h.mediaUrl('photo-1.jpg'), h.mediaUrl('photo-2.jpg')], coverIndex: 1 },
        title: 'pics',
        privacyLevel: 'SELF_ONLY',
      },
      { wait: true },
    );
    expect(outcome.status).toBe('PUBLISH_COMPLETE');
    expect(h.sb.admin.requests({ endpoint: 'content.init' })[0]!.body).toMatchObject({
      post_mode: 'DIRECT_POST',
      source_info: { photo_cover_index: 1 },
    });
  });
});

describe('poster: nothing bad reaches TikTok', () => {
  it('bad input throws naming the field and sends nothing', async () => {
    h = await startHarness();
    const error = await h.poster
      .post({ ...direct(h), media: { type: 'video_url', url: 'ftp://x/y.mp4' } })
      .catch((e: TokpipeError) => e);
    expect(error).toBeInstanceOf(TokpipeError);
    expect((error as TokpipeError).details.layer).toBe('input');
    expect((error as TokpipeError).details.field).toMatch(/url/);
    expect(h.sb.admin.requests().filter((r) => r.endpoint !== 'admin')).toHaveLength(0);
  });

  it('a direct post without video.publish is refused before any request', async () => {
    h = await startHarness({ scope: 'user.info.basic,video.upload' });
    await expect(h.poster.post(direct(h))).rejects.toMatchObject({
      details: { code: 'missing_scope', disposition: 'reauthorize' },
    });
    expect(h.sb.admin.requests().filter((r) => r.endpoint !== 'admin' && r.endpoint !== 'media')).toHaveLength(0);
  });

  it('a privacy level the creator does not offer is refused after creator_info, before init', async () => {
    h = await startHarness();
    const options = (await h.poster.creatorInfo()).privacyLevelOptions;
    const notOffered = (['PUBLIC_TO_EVERYONE', 'FOLLOWER_OF_CREATOR'] as const).find((p) => !options.includes(p))!;
    await expect(h.poster.post({ ...direct(h), privacyLevel: notOffered })).rejects.toMatchObject({
      details: { field: 'privacyLevel' },
    });
    expect(h.count('video.init')).toBe(0);
  });
});

describe('poster: caps seen before init', () => {
  it('the daily Direct Post cap (HTTP 200 on creator_info) stops the post before init, for another account to take', async () => {
    h = await startHarness({ config: { directPostDailyCap: 2 } });
    for (const title of ['a', 'b']) expect((await h.poster.post(direct(h, title))).status).toBe('ACCEPTED');
    const capped = await h.poster.post(direct(h, 'c'));
    expect(capped).toMatchObject({
      status: 'FAILED',
      publishId: null,
      error: { code: 'spam_risk_too_many_posts', disposition: 'route_to_another_account', httpStatus: 200 },
    });
    expect(h.count('video.init')).toBe(2);
    expect(h.sb.admin.requests({ endpoint: 'creator_info' }).map((r) => r.status)).toEqual([200, 200, 200]);
  });
});

describe('poster: idempotency', () => {
  it('the same post twice reaches TikTok once and returns the existing post', async () => {
    h = await startHarness();
    const first = await h.poster.post(direct(h), { wait: true });
    const second = await h.poster.post(direct(h), { wait: true });
    expect(second).toMatchObject({
      publishId: first.publishId,
      status: 'PUBLISH_COMPLETE',
      reused: true,
      idempotencyKey: first.idempotencyKey,
    });
    expect(h.count('video.init')).toBe(1);
    expect(h.sb.admin.posts(h.openId)).toHaveLength(1);
  });

  it('concurrent duplicates still make one init', async () => {
    h = await startHarness();
    const outcomes = await Promise.all([h.poster.post(direct(h)), h.poster.post(direct(h)), h.poster.post(direct(h))]);
    expect(outcomes.filter((o) => !o.reused)).toHaveLength(1);
    expect(h.count('video.init')).toBe(1);
  });

  it('a different caption is a different post', async () => {
    h = await startHarness();
    await h.poster.post(direct(h, 'one'));
    await h.poster.post(direct(h, 'two'));
    expect(h.count('video.init')).toBe(2);
  });
});

describe('poster: unknown outcome is never re-inited', () => {
  it.each([
    ['a timeout after the init was processed', { kind: 'timeout', processed: true }, 1],
    ['a reset after the init was processed', { kind: 'reset', processed: true }, 1],
    ['an HTML 502 gateway page', { kind: 'server_error', status: 502, body: 'html' }, 0],
  ] as const)(
    '%s: 1 init request, UNCONFIRMED with unknown_outcome, and a repeat does not post',
    async (_name, fault, postsCreated) => {
      h = await startHarness({ poster: { requestTimeoutMs: 300 } }); // the hung reply is given up on after 300 real ms
      h.sb.admin.script('video.init', [fault]);
      const outcome = await h.poster.post(direct(h), { wait: true });
      expect(outcome).toMatchObject({
        publishId: null,
        status: 'UNCONFIRMED',
        error: { disposition: 'unknown_outcome' },
      });
      expect(h.count('video.init')).toBe(1);
      expect(h.sb.admin.posts(h.openId)).toHaveLength(postsCreated);

      const again = await h.poster.post(direct(h), { wait: true });
      expect(again).toMatchObject({ status: 'UNCONFIRMED', reused: true, error: { disposition: 'unknown_outcome' } });
      expect(h.count('video.init')).toBe(1);
      expect((await h.poster.ledger.unresolved()).map((e) => e.key)).toEqual([outcome.idempotencyKey]);
    },
  );

  it('a TikTok JSON internal_error on init is retried with backoff (TikTok said it did nothing)', async () => {
    h = await startHarness();
    h.sb.admin.script('video.init', [{ kind: 'server_error', status: 500, body: 'json' }]);
    const outcome = await h.poster.post(direct(h), { wait: true });
    expect(outcome.status).toBe('PUBLISH_COMPLETE');
    const inits = h.sb.admin.requests({ endpoint: 'video.init' });
    expect(inits.map((r) => r.status)).toEqual([500, 200]);
    expect(h.sb.admin.posts(h.openId)).toHaveLength(1);
  });
});

describe('poster: limits, tokens and async failures', () => {
  it('eight direct posts in a row never hit rate_limit_exceeded: the 7th init waits for the window', async () => {
    h = await startHarness();
    const started = h.clock.now();
    for (let i = 0; i < 8; i++) {
      const outcome = await h.poster.post(direct(h, `post ${i}`));
      expect(outcome.status).toBe('ACCEPTED');
    }
    const inits = h.sb.admin.requests({ endpoint: 'video.init' });
    expect(inits).toHaveLength(8);
    expect(inits.filter((r) => r.status === 429)).toHaveLength(0);
    expect(inits[6]!.time - inits[0]!.time).toBeGreaterThanOrEqual(60_000);
    expect(h.clock.now() - started).toBeLessThan(5 * 60_000);
  });

  it('a stray 429 pauses the endpoint for the window, then the init goes through: 2 init requests', async () => {
    h = await startHarness();
    h.sb.admin.script('video.init', [{ kind: 'rate_limit' }]);
    const outcome = await h.poster.post(direct(h));
    expect(outcome.status).toBe('ACCEPTED');
    const inits = h.sb.admin.requests({ endpoint: 'video.init' });
    expect(inits.map((r) => r.status)).toEqual([429, 200]);
    expect(inits[1]!.time - inits[0]!.time).toBeGreaterThanOrEqual(60_000);
  });

  it('access_token_invalid: one refresh (rotated refresh token saved), then the call succeeds', async () => {
    h = await startHarness({ token: { access_token: 'act.not-a-real-token' } });
    const before = h.tokens.current()!.refresh_token;
    const outcome = await h.poster.post(direct(h));
    expect(outcome.status).toBe('ACCEPTED');
    expect(h.count('oauth.token')).toBe(1);
    expect(h.sb.admin.requests({ endpoint: 'creator_info' }).map((r) => r.status)).toEqual([401, 200]);
    expect(h.tokens.current()!.refresh_token).not.toBe(before);
  });

  it('refreshes ahead of expiry once for concurrent callers, against the real OAuth endpoint', async () => {
    h = await startHarness({ token: { expires_at: Date.UTC(2026, 0, 5, 9) + 60_000 } });
    const tokens = await Promise.all(Array.from({ length: 5 }, () => h.auth.getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(h.count('oauth.token')).toBe(1);
    expect((await h.poster.creatorInfo()).privacyLevelOptions.length).toBeGreaterThan(0);
  });

  it('a revoked refresh token becomes a re-authorize error in the outcome', async () => {
    h = await startHarness({ token: { access_token: 'act.bad', refresh_token: 'rft.bad' } });
    const outcome = await h.poster.post(direct(h));
    expect(outcome).toMatchObject({
      status: 'FAILED',
      publishId: null,
      error: { code: 'invalid_grant', disposition: 'reauthorize' },
    });
    expect(h.count('video.init')).toBe(0);
  });

  it('no stored token is a re-authorize outcome, not a crash, and nothing is sent', async () => {
    h = await startHarness();
    const auth = new TokenManager({
      store: memoryTokenStore(),
      clock: h.clock,
      refresh: async () => Promise.reject(new Error('not called')),
    });
    const poster = createPoster({ baseUrl: h.sb.url, transport: h.transport, clock: h.clock, auth });
    const outcome = await poster.post(direct(h));
    expect(outcome).toMatchObject({ status: 'FAILED', publishId: null, error: { disposition: 'reauthorize' } });
    expect(h.sb.admin.requests().filter((r) => r.endpoint !== 'admin')).toHaveLength(0);
  });

  it('FAILED with video_pull_failed is posted again with the same asset: 2 inits, then PUBLISH_COMPLETE', async () => {
    h = await startHarness();
    h.sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'video_pull_failed' }]);
    const outcome = await h.poster.post(direct(h), { wait: true });
    expect(outcome).toMatchObject({ status: 'PUBLISH_COMPLETE', attempts: 2, error: null });
    const inits = h.sb.admin.requests({ endpoint: 'video.init' });
    expect(inits).toHaveLength(2);
    expect(inits[1]!.body).toEqual(inits[0]!.body);
  });

  it('a retryable FAILED is retried at most 3 attempts in all', async () => {
    h = await startHarness();
    h.sb.admin.script(
      'video.init',
      [1, 2, 3, 4].map(() => ({ kind: 'async_fail' as const, failReason: 'internal' })),
    );
    const outcome = await h.poster.post(direct(h), { wait: true });
    expect(outcome).toMatchObject({ status: 'FAILED', attempts: 3, error: { failReason: 'internal' } });
    expect(h.count('video.init')).toBe(3);
  });

  it('a content failure (spam_risk_text) is never re-posted', async () => {
    h = await startHarness();
    h.sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'spam_risk_text' }]);
    const outcome = await h.poster.post(direct(h), { wait: true });
    expect(outcome).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      error: { failReason: 'spam_risk_text', retryable: false },
    });
    expect(h.count('video.init')).toBe(1);
  });

  it('no terminal state within 5 min is UNCONFIRMED (not failed), after 5 status polls', async () => {
    h = await startHarness({ config: { downloadDelayMs: 3_600_000 } });
    const outcome = await h.poster.post(direct(h), { wait: true });
    expect(outcome).toMatchObject({
      status: 'UNCONFIRMED',
      error: { code: 'unconfirmed', disposition: 'unknown_outcome' },
    });
    expect(outcome.publishId).toEqual(expect.any(String));
    expect(h.count('status')).toBe(5);
  });

  it('a budget (Zapier-style) stops waiting early', async () => {
    h = await startHarness({ config: { downloadDelayMs: 3_600_000 }, poster: { budgetMs: 25_000 } });
    const started = h.clock.now();
    const outcome = await h.poster.post(direct(h), { wait: true });
    expect(outcome.status).toBe('UNCONFIRMED');
    expect(h.clock.now() - started).toBeLessThanOrEqual(25_000);
  });
});
