import { startSandbox } from '@tokpipe/sandbox';
import { createServer as createHttp } from 'node:http';
import { createServer } from 'node:net';
import { TikTokClient } from '../../src/client/client';
import { buildInitCall } from '../../src/client/bodies';
import { TokpipeError } from '../../src/errors/classify';
import { axiosTransport } from '../../src/node/transport';
import { rejectionOf, world, type World } from './helpers';

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.sb.close();
});

const apiRequests = (endpoint: string) => w.sb.admin.requests({ endpoint });

describe('TikTokClient against the sandbox', () => {
  it('reads creator info and sends one POST with no body', async () => {
    const info = await w.client.creatorInfo(w.token);
    expect(info.privacyLevelOptions).toEqual(expect.arrayContaining(['SELF_ONLY']));
    expect(info.nickname).toBe('Sandbox Creator');
    expect(typeof info.commentDisabled).toBe('boolean');
    const sent = apiRequests('creator_info');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'POST', body: null, status: 200 });
  });

  it('posts a URL video directly, exactly as built, and reads the 19-digit post id exactly', async () => {
    const call = buildInitCall({
      mode: 'direct',
      media: { type: 'video_url', url: w.media('sample.mp4') },
      title: 'Hello #tokpipe',
      privacyLevel: 'PUBLIC_TO_EVERYONE',
      disableDuet: true,
    });
    expect(call.endpoint).toBe('video_init');
    const init = await w.client.initDirectVideo(w.token, call.body as never);
    expect(init.publishId).toMatch(/^v_pub_url~/);
    expect(init.uploadUrl).toBeUndefined();
    const sent = apiRequests('video.init');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toEqual(call.body);

    w.clock.advance(10 * 60_000); // download, processing and moderation done
    const status = await w.client.fetchStatus(w.token, init.publishId);
    expect(status.status).toBe('PUBLISH_COMPLETE');
    const [post] = w.sb.admin.posts(w.openId);
    expect(post!.publicPostIds.length).toBeGreaterThan(0);
    expect(post!.publicPostIds[0]).toMatch(/^\d{19}$/);
    expect(status.postIds).toEqual(post!.publicPostIds); // exact, though the wire carried JSON numbers
    expect(status.logId).toBeTruthy();
  });

  it('posts photos and a draft, and reports SEND_TO_USER_INBOX for the draft', async () => {
    const photos = buildInitCall({
      mode: 'direct',
      media: { type: 'photo_urls', urls: [w.media('photo-1.jpg'), w.media('photo-2.jpg')], coverIndex: 1 },
      title: 'Two',
      privacyLevel: 'SELF_ONLY',
    });
    const photoInit = await w.client.initPhoto(w.token, photos.body as never);
    expect(photoInit.publishId).toMatch(/^p_pub_url~/);
    const draft = buildInitCall({ mode: 'draft', media: { type: 'video_url', url: w.media('sample.mp4') } });
    const draftInit = await w.client.initInboxVideo(w.token, draft.body as never);
    expect(draftInit.publishId).toMatch(/^v_inbox_url~/);
    w.clock.advance(10 * 60_000);
    expect((await w.client.fetchStatus(w.token, draftInit.publishId)).status).toBe('SEND_TO_USER_INBOX');
    expect(apiRequests('content.init')[0]!.body).toEqual(photos.body);
    expect(apiRequests('inbox.init')[0]!.body).toEqual({
      source_info: { source: 'PULL_FROM_URL', video_url: w.media('sample.mp4') },
    });
  });

  it('reports FAILED with the classified fail_reason instead of throwing', async () => {
    w.sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'video_pull_failed' }]);
    const init = await w.client.initDirectVideo(w.token, {
      post_info: { privacy_level: 'SELF_ONLY' },
      source_info: { source: 'PULL_FROM_URL', video_url: w.media('sample.mp4') },
    });
    w.clock.advance(10 * 60_000);
    const status = await w.client.fetchStatus(w.token, init.publishId);
    expect(status).toMatchObject({ status: 'FAILED', failReason: 'video_pull_failed', postIds: [] });
    expect(status.error).toMatchObject({
      layer: 'async',
      failReason: 'video_pull_failed',
      disposition: 'retry',
      retryable: true,
    });
  });

  it.each(['spam_risk_too_many_posts', 'spam_risk_user_banned_from_posting', 'reached_active_user_cap'])(
    'throws for creator_info cap %s that arrives with HTTP 200',
    async (code) => {
      w.sb.admin.script('creator_info', [{ kind: 'error', status: 200, code }]);
      const error = await rejectionOf(w.client.creatorInfo(w.token));
      expect(error).toBeInstanceOf(TokpipeError);
      expect(error.details).toMatchObject({ layer: 'application', code, httpStatus: 200, retryable: false });
      expect(error.details.logId).toBeTruthy();
    },
  );

  it('reads error.code with data {} and keeps the raw reply without secrets', async () => {
    w.sb.admin.script('video.init', [{ kind: 'error', status: 403, code: 'url_ownership_unverified' }]);
    const error = await rejectionOf(
      w.client.initDirectVideo(w.token, {
        post_info: { privacy_level: 'SELF_ONLY' },
        source_info: { source: 'PULL_FROM_URL', video_url: w.media('sample.mp4') },
      }),
    );
    expect(error.details).toMatchObject({
      code: 'url_ownership_unverified',
      disposition: 'needs_human',
      httpStatus: 403,
    });
    expect(error.details.raw).toMatchObject({ data: {}, error: { code: 'url_ownership_unverified' } });
    expect(JSON.stringify(error.details) + error.message).not.toContain(w.token);
  });

  it('classifies a real expired token as retry after refresh, and a revoked one likewise', async () => {
    w.sb.admin.removeAuthorization(w.openId);
    const error = await rejectionOf(w.client.creatorInfo(w.token));
    expect(error.details).toMatchObject({
      code: 'access_token_invalid',
      disposition: 'retry_after_refresh',
      httpStatus: 401,
    });
  });

  it('reports a missing scope as reauthorize', async () => {
    const limited = w.sb.admin.issueToken(w.openId, { scope: ['user.info.basic', 'video.upload'] });
    const error = await rejectionOf(
      w.client.initDirectVideo(limited.accessToken, {
        post_info: { privacy_level: 'SELF_ONLY' },
        source_info: { source: 'PULL_FROM_URL', video_url: w.media('sample.mp4') },
      }),
    );
    expect(error.details).toMatchObject({ code: 'scope_not_authorized', disposition: 'reauthorize' });
  });

  it('turns a 429 into wait_for_quota with the per-minute window, or the Retry-After the server sends', async () => {
    w.sb.admin.script('status', [{ kind: 'rate_limit' }, { kind: 'rate_limit', retryAfterSec: 12 }]);
    const first = await rejectionOf(w.client.fetchStatus(w.token, 'v_pub_url~v2.1'));
    expect(first.details).toMatchObject({
      code: 'rate_limit_exceeded',
      disposition: 'wait_for_quota',
      retryAfterMs: 60_000,
    });
    const second = await rejectionOf(w.client.fetchStatus(w.token, 'v_pub_url~v2.1'));
    expect(second.details.retryAfterMs).toBe(12_000);
  });

  it('marks an init whose reply is an HTML 502 page as unknown outcome; the same page on status is retryable', async () => {
    w.sb.admin.script('video.init', [{ kind: 'server_error', status: 502, body: 'html' }]);
    w.sb.admin.script('status', [{ kind: 'server_error', status: 502, body: 'html' }]);
    const init = await rejectionOf(
      w.client.initDirectVideo(w.token, {
        post_info: { privacy_level: 'SELF_ONLY' },
        source_info: { source: 'PULL_FROM_URL', video_url: w.media('sample.mp4') },
      }),
    );
    expect(init.details).toMatchObject({
      layer: 'transport',
      code: 'gateway_error',
      disposition: 'unknown_outcome',
      httpStatus: 502,
    });
    const status = await rejectionOf(w.client.fetchStatus(w.token, 'v_pub_url~v2.1'));
    expect(status.details).toMatchObject({ code: 'gateway_error', disposition: 'retry', retryable: true });
    // The client itself never repeats anything: one request each.
    expect(apiRequests('video.init')).toHaveLength(1);
    expect(apiRequests('status')).toHaveLength(1);
  });

  it('marks a reset after an init was processed as unknown outcome (the post exists)', async () => {
    w.sb.admin.script('video.init', [{ kind: 'reset', processed: true }]);
    const error = await rejectionOf(
      w.client.initDirectVideo(w.token, {
        post_info: { privacy_level: 'SELF_ONLY' },
        source_info: { source: 'PULL_FROM_URL', video_url: w.media('sample.mp4') },
      }),
    );
    expect(error.details).toMatchObject({
      layer: 'transport',
      code: 'reset',
      disposition: 'unknown_outcome',
      retryable: false,
    });
    expect(w.sb.admin.posts(w.openId)).toHaveLength(1); // why it must never be repeated blindly
  });

  it('times out after requestTimeoutMs: unknown outcome on init, retry on status', async () => {
    await w.sb.close();
    w = await world({ requestTimeoutMs: 300 });
    w.sb.admin.script('content.init', [{ kind: 'timeout', processed: true }]);
    w.sb.admin.script('status', [{ kind: 'timeout' }]);
    const body = {
      media_type: 'PHOTO' as const,
      post_mode: 'DIRECT_POST' as const,
      post_info: { privacy_level: 'SELF_ONLY' as const },
      source_info: { source: 'PULL_FROM_URL' as const, photo_images: [w.media('photo-1.jpg')], photo_cover_index: 0 },
    };
    const init = await rejectionOf(w.client.initPhoto(w.token, body));
    expect(init.details).toMatchObject({ code: 'timeout', disposition: 'unknown_outcome' });
    const status = await rejectionOf(w.client.fetchStatus(w.token, 'p_pub_url~v2.1'));
    expect(status.details).toMatchObject({ code: 'timeout', disposition: 'retry' });
  });

  it('a refused connection never reached TikTok: retry, even for an init', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const client = new TikTokClient({ baseUrl: `http://127.0.0.1:${port}`, transport: axiosTransport() });
    const error = await rejectionOf(
      client.initDirectVideo(w.token, {
        post_info: { privacy_level: 'SELF_ONLY' },
        source_info: { source: 'PULL_FROM_URL', video_url: w.media('sample.mp4') },
      }),
    );
    expect(error.details).toMatchObject({ layer: 'transport', code: 'refused', disposition: 'retry', retryable: true });
  });

  it('cancels a download, then refuses a second cancel as not cancellable', async () => {
    const init = await w.client.initDirectVideo(w.token, {
      post_info: { privacy_level: 'SELF_ONLY' },
      source_info: { source: 'PULL_FROM_URL', video_url: w.media('sample.mp4') },
    });
    await w.client.cancel(w.token, init.publishId);
    expect(apiRequests('cancel')[0]!.body).toEqual({ publish_id: init.publishId });
    w.clock.advance(60_000);
    const status = await w.client.fetchStatus(w.token, init.publishId);
    expect(status).toMatchObject({ status: 'FAILED', failReason: 'publish_cancelled' });
    const again = await rejectionOf(w.client.cancel(w.token, init.publishId));
    expect(again.details.code).toBe('publish_not_cancellable');
  });

  it('reads user info and lists videos with the fields requested', async () => {
    const user = await w.client.userInfo(w.token, ['open_id', 'display_name', 'username']);
    expect(user.openId).toBe(w.openId);
    expect(user.displayName).toBe('Sandbox Creator');
    expect(apiRequests('user.info')[0]).toMatchObject({ method: 'GET' });
    // The sandbox answers only the fields asked for: proof the comma-separated fields param arrived.
    expect(Object.keys(user.fields).sort()).toEqual(['display_name', 'open_id', 'username']);

    const init = await w.client.initDirectVideo(w.token, {
      post_info: { privacy_level: 'PUBLIC_TO_EVERYONE', title: 'listed' },
      source_info: { source: 'PULL_FROM_URL', video_url: w.media('sample.mp4') },
    });
    w.clock.advance(10 * 60_000);
    const { postIds } = await w.client.fetchStatus(w.token, init.publishId);
    const page = await w.client.listVideos(w.token, { maxCount: 5 });
    expect(apiRequests('video.list')[0]!.body).toEqual({ max_count: 5 });
    expect(page.videos.map((v) => String(v.id))).toContain(postIds[0]);
    expect(typeof page.hasMore).toBe('boolean');
  });

  it('refuses bad input before any request, naming the field', async () => {
    const before = w.sb.admin.requests().length;
    expect((await rejectionOf(w.client.creatorInfo(''))).details.field).toBe('accessToken');
    expect((await rejectionOf(w.client.fetchStatus(w.token, ''))).details.field).toBe('publishId');
    expect((await rejectionOf(w.client.listVideos(w.token, { maxCount: 21 }))).details.field).toBe('maxCount');
    expect(() => new TikTokClient({ transport: axiosTransport(), baseUrl: 'ftp://x' })).toThrow(/^options\.baseUrl/);
    expect(w.sb.admin.requests().length).toBe(before);
  });
});

describe('base URL', () => {
  it('uses the configured base URL with or without a trailing slash', async () => {
    const sb = await startSandbox({ workIntervalMs: 0 });
    try {
      const client = new TikTokClient({ baseUrl: `${sb.url}/`, transport: axiosTransport() });
      await client.creatorInfo(sb.admin.demo().accounts[0]!.accessToken);
      expect(sb.admin.requests({ endpoint: 'creator_info' })[0]!.path).toBe('/v2/post/publish/creator_info/query/');
    } finally {
      await sb.close();
    }
  });
});

describe('"ok" replies missing their data (a local server: the sandbox never sends these)', () => {
  async function serve(body: string) {
    const server = createHttp((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return {
      url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
      close: () => new Promise((r) => server.close(r)),
    };
  }

  it('an init answered "ok" without publish_id is an unknown outcome; a status without status is retried', async () => {
    const server = await serve('{"data":{},"error":{"code":"ok","message":"","log_id":"L1"}}');
    try {
      const client = new TikTokClient({ baseUrl: server.url, transport: axiosTransport() });
      const init = await rejectionOf(
        client.initInboxVideo('act.token', {
          source_info: { source: 'PULL_FROM_URL', video_url: 'https://a.example/x.mp4' },
        }),
      );
      expect(init.details).toMatchObject({ code: 'malformed_reply', disposition: 'unknown_outcome', httpStatus: 200 });
      const status = await rejectionOf(client.fetchStatus('act.token', 'v_inbox_url~v2.1'));
      expect(status.details).toMatchObject({ code: 'malformed_reply', disposition: 'retry' });
    } finally {
      await server.close();
    }
  });
});
