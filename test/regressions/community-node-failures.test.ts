// The failures of the best community TikTok n8n node, replayed through core's public API against the
// sandbox: it "rounds post ids, never retries a 429 or a failed upload chunk, reports an async FAILED
// as a successful item, cannot refresh tokens (n8n sends client_id, TikTok wants client_key), refuses
// files over 64 MB, and shows errors as raw JSON". One test per failure; each asserts what reached
// the sandbox (admin.requests()) and what the user is shown.
import { classifyResponse, type ByteSource, type PostRequest } from '@tokpipe/core';
import { sampleMp4, solidJpeg } from '@tokpipe/sandbox';
import { HARNESS_START, startHarness, type Harness } from '../../packages/core/test/poster/harness';

// Core's own poster harness: the sandbox on 127.0.0.1 sharing a virtual clock with core, a real HTTP
// transport, and a token manager refreshing through the sandbox's OAuth endpoint.
type World = Harness & { sent(endpoint: string): ReturnType<Harness['sb']['admin']['requests']> };

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function start(options: Parameters<typeof startHarness>[0] = {}): Promise<World> {
  const h = await startHarness(options);
  world = { ...h, sent: (endpoint) => h.sb.admin.requests({ endpoint }) };
  return world;
}

const byUrl = (w: World, extra: Partial<PostRequest> = {}): PostRequest =>
  ({
    mode: 'direct',
    media: { type: 'video_url', url: `${w.sb.url}/media/sample.mp4` },
    title: 'regression',
    privacyLevel: 'SELF_ONLY',
    ...extra,
  }) as PostRequest;

const mp4Head = sampleMp4(360, 640, 30, [solidJpeg(360, 640, [4, 5, 6])]).subarray(0, 64);

/** A file of `size` bytes generated on read (nothing on disk): a real MP4 header, then zeros. */
function generatedFile(size: number): ByteSource & { reads: number } {
  const source = {
    size,
    contentType: 'video/mp4' as const,
    reads: 0,
    identity: async () => `generated:${size}`,
    read: async (offset: number, length: number) => {
      source.reads++;
      const bytes = new Uint8Array(length);
      if (offset < mp4Head.length) bytes.set(mp4Head.subarray(offset, Math.min(mp4Head.length, offset + length)));
      return bytes;
    },
  };
  return source;
}

describe('the community node failures, through core against the sandbox', () => {
  it('rounds post ids: the 19-digit publicaly_available_post_id (a raw JSON number) comes back exact, as a string', async () => {
    const w = await start({ config: { postIdsAs: 'number', moderationDelayMs: 45_000 } });
    const outcome = await w.poster.post(byUrl(w, { privacyLevel: 'PUBLIC_TO_EVERYONE' }), { wait: true });

    const [post] = w.sb.admin.posts(w.openId);
    expect(post!.publicPostIds).toHaveLength(1);
    const exact = String(post!.publicPostIds[0]);
    expect(exact).toMatch(/^\d{19}$/);
    // What a JSON.parse-based node shows: the nearest double, not the post.
    expect(BigInt(Math.trunc(Number(exact))).toString()).not.toBe(exact);
    expect(outcome).toMatchObject({ status: 'PUBLISH_COMPLETE', postIds: [exact], error: null });
    // On the wire the id is an unquoted JSON number, exactly what a JSON.parse-based node rounds.
    const wire = await w.transport({
      method: 'POST',
      url: `${w.sb.url}/v2/post/publish/status/fetch/`,
      headers: {
        Authorization: `Bearer ${w.tokens.current()!.access_token}`,
        'Content-Type': 'application/json; charset=UTF-8',
      },
      body: JSON.stringify({ publish_id: outcome.publishId }),
    });
    expect(wire.body).toContain(`"publicaly_available_post_id":[${exact}]`);
  });

  it('never retries a 429: core waits out the window and posts once (429 then 200, a minute apart)', async () => {
    const w = await start();
    w.sb.admin.script('video.init', [{ kind: 'rate_limit' }]);
    const outcome = await w.poster.post(byUrl(w), { wait: true });

    expect(outcome).toMatchObject({ status: 'PUBLISH_COMPLETE', error: null });
    const inits = w.sent('video.init');
    expect(inits.map((r) => r.status)).toEqual([429, 200]);
    expect(inits[1]!.time - inits[0]!.time).toBeGreaterThanOrEqual(60_000);
    expect(w.sb.admin.posts(w.openId)).toHaveLength(1);
  });

  it('never retries a failed upload chunk: a 5xx chunk is sent again (same range), the rest follow, one post', async () => {
    const w = await start();
    const file = generatedFile(2 * 10_000_000 + 777);
    w.sb.admin.script('upload', [{ kind: 'none' }, { kind: 'server_error', status: 503, body: 'html' }]);
    const outcome = await w.poster.post({ ...byUrl(w), media: { type: 'video_file', file } }, { wait: true });

    expect(outcome).toMatchObject({ status: 'PUBLISH_COMPLETE', error: null });
    const puts = w.sent('upload');
    expect(puts.map((r) => [r.contentRange, r.status])).toEqual([
      [`bytes 0-9999999/${file.size}`, 206],
      [`bytes 10000000-${file.size - 1}/${file.size}`, 503],
      [`bytes 10000000-${file.size - 1}/${file.size}`, 201],
    ]);
    expect(w.sent('video.init')).toHaveLength(1);
    expect(w.sb.admin.posts(w.openId)).toHaveLength(1);
  });

  it('reports an async FAILED as a successful item: core reports FAILED with the fail_reason and what to do', async () => {
    const w = await start();
    w.sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'frame_rate_check_failed' }]);
    const outcome = await w.poster.post(byUrl(w), { wait: true });

    expect(outcome).toMatchObject({
      status: 'FAILED',
      postIds: [],
      error: { layer: 'async', failReason: 'frame_rate_check_failed', retryable: false, disposition: 'fix_input' },
    });
    expect(outcome.error!.message).toMatch(/frame rate/i);
    expect(outcome.error!.action).toMatch(/Re-encode/);
    // A content failure is final: not re-posted, and TikTok says FAILED too.
    expect(w.sent('video.init')).toHaveLength(1);
    expect(w.sb.admin.posts(w.openId)[0]).toMatchObject({ status: 'FAILED' });
  });

  it('cannot refresh tokens: client_id is refused by TikTok (invalid_client); core refreshes with client_key and posts', async () => {
    const w = await start({ token: { expires_at: HARNESS_START + 30_000 } }); // expires in 30 s: refresh ahead
    const demo = w.sb.admin.demo();
    const before = w.tokens.current()!;

    // The community node's refresh: OAuth2 form with client_id.
    const n8nStyle = await w.transport({
      method: 'POST',
      url: `${w.sb.url}/v2/oauth/token/`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: demo.clientKey,
        client_secret: demo.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: before.refresh_token,
      }).toString(),
    });
    expect(classifyResponse(n8nStyle)).toMatchObject({ layer: 'oauth', code: 'invalid_client' });

    const outcome = await w.poster.post(byUrl(w), { wait: true });
    expect(outcome).toMatchObject({ status: 'PUBLISH_COMPLETE', error: null });
    const refreshes = w.sent('oauth.token');
    expect(refreshes.map((r) => r.errorCode)).toEqual(['invalid_client', null]);
    const coreRefresh = refreshes[1]!;
    expect(coreRefresh.status).toBe(200);
    expect(coreRefresh.body).toMatchObject({ client_key: demo.clientKey, grant_type: 'refresh_token' });
    expect(coreRefresh.body).not.toHaveProperty('client_id');
    // TikTok rotates the refresh token: the new one is what core stored.
    expect(w.tokens.current()!.refresh_token).not.toBe(before.refresh_token);
    expect(w.tokens.current()!.access_token).not.toBe(before.access_token);
  });

  it('refuses files over 64 MB: a 70 MB file goes up in 10 MB chunks (floor count, last absorbs the rest), one init, one post', async () => {
    const w = await start();
    const size = 70_000_123;
    const file = generatedFile(size);
    const outcome = await w.poster.post({ ...byUrl(w), media: { type: 'video_file', file } }, { wait: true });

    expect(outcome).toMatchObject({ status: 'PUBLISH_COMPLETE', error: null });
    const [init] = w.sent('video.init');
    expect(init!.body).toMatchObject({
      source_info: { source: 'FILE_UPLOAD', video_size: size, chunk_size: 10_000_000, total_chunk_count: 7 },
    });
    const puts = w.sent('upload');
    expect(puts.map((r) => r.bytes)).toEqual([...new Array(6).fill(10_000_000), 10_000_123]);
    expect(puts.map((r) => r.status)).toEqual([...new Array(6).fill(206), 201]);
    expect(puts[6]!.contentRange).toBe(`bytes 60000000-70000122/${size}`);
    expect(w.sb.admin.posts(w.openId)).toHaveLength(1);
  });

  it('shows errors as raw JSON: core shows a sentence with the code and what to do; the reply is kept apart, redacted', async () => {
    const w = await start();
    w.sb.admin.script('video.init', [
      { kind: 'error', status: 403, code: 'spam_risk_too_many_posts', message: 'Daily post cap reached.' },
    ]);
    const outcome = await w.poster.post(byUrl(w), { wait: true });

    expect(outcome).toMatchObject({
      status: 'FAILED',
      publishId: null,
      error: { code: 'spam_risk_too_many_posts', disposition: 'route_to_another_account', httpStatus: 403 },
    });
    const { message, action, raw } = outcome.error!;
    expect(message.trim().startsWith('{')).toBe(false);
    expect(() => JSON.parse(message)).toThrow();
    expect(message).toMatch(/daily Direct Post cap/);
    expect(message).toContain('spam_risk_too_many_posts, HTTP 403');
    expect(message).toContain(action);
    expect(action).toMatch(/another account/);
    expect(raw).toMatchObject({ error: { code: 'spam_risk_too_many_posts' } });
    expect(w.sent('video.init').map((r) => r.status)).toEqual([403]);
  });
});
