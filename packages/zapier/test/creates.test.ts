// Creates against the sandbox: what reached TikTok, how many times, and what the Zap user sees.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { planChunks } from '@tokpipe/core';
import { errorJson, startHarness, type Harness } from './harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const postVideo = () => h.App.creates.post_video.operation.perform;
const videoInput = (extra: Record<string, unknown> = {}) => ({
  videoUrl: h.mediaUrl(),
  title: 'Launch day #tokpipe',
  privacyLevel: 'SELF_ONLY',
  ...extra,
});

describe('Post Video', () => {
  it('posts once from a URL and returns publish_id, status and empty classification fields', async () => {
    const out = await h.run(postVideo(), videoInput());
    expect(out).toMatchObject({ status: 'ACCEPTED', reused: false, attempts: 1, code: null, category: null });
    expect(out.publish_id).toMatch(/\S/);
    expect(JSON.stringify(out)).not.toContain(h.auth.access_token);
    expect(h.count('video.init')).toBe(1);
    const posts = h.sb.admin.posts(h.auth.open_id);
    expect(posts.map((p) => [p.publishId, p.flow, p.source, p.title, p.privacy])).toEqual([
      [out.publish_id, 'direct', 'PULL_FROM_URL', 'Launch day #tokpipe', 'SELF_ONLY'],
    ]);
  });

  it('a replayed step answers from the ledger in z.cache and never posts twice', async () => {
    const first = await h.run(postVideo(), videoInput());
    const replay = await h.run(postVideo(), videoInput());
    expect(replay).toMatchObject({ publish_id: first.publish_id, reused: true });
    expect(h.count('video.init')).toBe(1);
    expect(h.sb.admin.posts(h.auth.open_id)).toHaveLength(1);
  });

  it('a caption is data, never a Zapier template: curly braces reach TikTok as written', async () => {
    const title = 'Win {{bundle.authData.access_token}} {{process.env.TIKTOK_CLIENT_SECRET}}';
    await h.run(postVideo(), videoInput({ title }));
    expect(h.sb.admin.posts(h.auth.open_id).map((p) => p.title)).toEqual([title]);
  });

  it("the same input from another connection is that account's own post", async () => {
    await h.run(postVideo(), videoInput());
    const other = await h.run(postVideo(), videoInput(), h.otherAuth);
    expect(other.reused).toBe(false);
    expect(h.sb.admin.posts(h.otherAuth.open_id)).toHaveLength(1);
  });

  it('a 5xx from TikTok is retried inside the step: one post, two init requests', async () => {
    h.sb.admin.script('video.init', [{ kind: 'server_error', status: 500, body: 'json' }]);
    const out = await h.run(postVideo(), videoInput());
    expect(out.status).toBe('ACCEPTED');
    expect(h.count('video.init')).toBe(2);
    expect(h.sb.admin.posts(h.auth.open_id)).toHaveLength(1);
  });

  it("a TikTok outage that outlasts the step's budget is handed to Zapier to reschedule; nothing was posted", async () => {
    h.sb.admin.script(
      'video.init',
      Array.from({ length: 20 }, () => ({ kind: 'server_error' as const, status: 500, body: 'json' as const })),
    );
    const started = h.clock.now();
    const err = await h.fail(postVideo(), videoInput());
    expect(err.name).toBe('ThrottledError');
    expect(errorJson(err).message).toContain('internal_error');
    const tries = h.count('video.init');
    expect(tries).toBeGreaterThan(2); // retried with backoff inside the step...
    expect(h.clock.now() - started).toBeLessThanOrEqual(25_000); // ...within its 25 s budget
    expect(h.sb.admin.posts(h.auth.open_id)).toHaveLength(0);
  });

  it('a 429 whose window outlasts the step becomes ThrottledError with the window as delay; the rescheduled run posts once', async () => {
    h.sb.admin.script('video.init', [{ kind: 'rate_limit' }]);
    const err = await h.fail(postVideo(), videoInput());
    expect(err.name).toBe('ThrottledError');
    expect(errorJson(err).delay).toBe(60);
    expect(errorJson(err).message).toContain('rate_limit_exceeded');
    expect(err.message).not.toContain(h.auth.access_token);
    expect(h.sb.admin.posts(h.auth.open_id)).toHaveLength(0);
    await h.clock.advance(60_000); // Zapier runs the step again after `delay`
    const out = await h.run(postVideo(), videoInput());
    expect(out.reused).toBe(false);
    expect(h.count('video.init')).toBe(2);
    expect(h.sb.admin.posts(h.auth.open_id)).toHaveLength(1);
  });

  it('a short 429 (Retry-After 5 s) is waited out inside the step', async () => {
    h.sb.admin.script('video.init', [{ kind: 'rate_limit', retryAfterSec: 5 }]);
    const out = await h.run(postVideo(), videoInput());
    expect(out.status).toBe('ACCEPTED');
    expect(h.count('video.init')).toBe(2);
    expect(h.sb.admin.posts(h.auth.open_id)).toHaveLength(1);
  });

  it('a gateway page on init (outcome unknown) halts, and a replay never posts blindly', async () => {
    h.sb.admin.script('video.init', [{ kind: 'server_error', status: 502, body: 'html' }]);
    const err = await h.fail(postVideo(), videoInput());
    expect(err.name).toBe('HaltedError');
    expect(err.message).toMatch(/may have created this post/);
    const again = await h.fail(postVideo(), videoInput());
    expect(again.name).toBe('HaltedError');
    expect(h.count('video.init')).toBe(1);
  });

  it('an expired access token: RefreshAuthError, then the refreshed connection posts once', async () => {
    await h.clock.advance(86_400_000 + 1_000); // the sandbox's access tokens live 24 h
    const err = await h.fail(postVideo(), videoInput());
    expect(err.name).toBe('RefreshAuthError');
    expect(err.message).toContain('access_token_invalid');
    expect(h.sb.admin.posts(h.auth.open_id)).toHaveLength(0);
    // What Zapier does next: refreshAccessToken, store the result, run the step again.
    const fresh = await h.run(h.App.authentication.oauth2Config.refreshAccessToken, {}, h.auth);
    expect(fresh.refresh_token).not.toBe(h.auth.refresh_token);
    const out = await h.run(postVideo(), videoInput(), { ...h.auth, ...fresh });
    expect(out.status).toBe('ACCEPTED');
    expect(h.sb.admin.posts(h.auth.open_id)).toHaveLength(1);
  });

  it('a token past its stored expires_at is refreshed before anything is sent', async () => {
    const expired = { ...h.auth, expires_at: h.clock.now() - 1 };
    const err = await h.fail(postVideo(), videoInput(), expired);
    expect(err.name).toBe('RefreshAuthError');
    expect(h.sb.admin.requests()).toHaveLength(0);
  });

  it('an unverified media domain is a clear error: TikTok code, what to do, log_id', async () => {
    const err = await h.fail(postVideo(), videoInput({ videoUrl: 'https://cdn.example.com/clip.mp4' }));
    expect(err.name).toBe('AppError');
    const body = errorJson(err);
    expect(body.code).toBe('url_ownership_unverified');
    expect(body.status).toBe(403);
    expect(body.message).toMatch(/Verify the media domain/);
    expect(body.message).toMatch(/log_id \S+/);
    for (const secret of [h.auth.access_token, h.auth.refresh_token, h.sb.admin.demo().clientSecret])
      expect(err.message).not.toContain(secret);
    expect(h.sb.admin.posts(h.auth.open_id)).toHaveLength(0);
  });

  it('bad input names the field and sends nothing', async () => {
    const err = await h.fail(postVideo(), videoInput({ privacyLevel: '' }));
    expect(err.name).toBe('AppError');
    expect(errorJson(err).message).toMatch(/privacyLevel/);
    const tooLong = await h.fail(postVideo(), videoInput({ title: 'x'.repeat(2201) }));
    expect(errorJson(tooLong).message).toMatch(/title/);
    expect(h.count('video.init')).toBe(0);
  });

  /** A file server on 127.0.0.1 for files from an earlier step: `bytes`, with or without Content-Length. */
  async function fileServer(bytes: Buffer, withLength: boolean): Promise<{ url: string; close(): Promise<void> }> {
    const server = createServer((_req, res) => {
      res.writeHead(200, {
        'content-type': 'video/mp4',
        ...(withLength ? { 'content-length': String(bytes.length) } : {}),
      });
      // In 1 MiB writes: without a length the body goes out chunked.
      for (let o = 0; o < bytes.length; o += 1 << 20) res.write(bytes.subarray(o, o + (1 << 20)));
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/files/clip.mp4`,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }
  const bigFile = (() => {
    const size = 23 * 1024 * 1024 + 321; // two 10 MB chunks, the last absorbing the rest
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 29 + (i >> 14)) & 0xff;
    bytes.write('\u0000\u0000\u0000\u0018ftypmp42', 0, 'latin1');
    return bytes;
  })();
  const chunkSha256 = (bytes: Buffer) =>
    planChunks(bytes.length).chunks.map((c) =>
      createHash('sha256')
        .update(bytes.subarray(c.first, c.last + 1))
        .digest('hex'),
    );

  it.each([
    ['with a Content-Length, streamed into the chunk uploader', true],
    ['without a Content-Length, read first, then uploaded', false],
  ])('a file from an earlier step arrives byte for byte (%s)', async (_name, withLength) => {
    const server = await fileServer(bigFile, withLength);
    try {
      const out = await h.run(postVideo(), { videoFile: server.url, title: 'From a file', privacyLevel: 'SELF_ONLY' });
      expect(out.status).toBe('ACCEPTED');
      const [post] = h.sb.admin.posts(h.auth.open_id);
      expect(post).toMatchObject({
        publishId: out.publish_id,
        source: 'FILE_UPLOAD',
        videoSize: bigFile.length,
        uploadedBytes: bigFile.length,
      });
      expect(post!.chunkSha256).toEqual(chunkSha256(bigFile));
      // A replayed step (same file URL) is answered from the ledger: no second download is posted.
      const replay = await h.run(postVideo(), {
        videoFile: server.url,
        title: 'From a file',
        privacyLevel: 'SELF_ONLY',
      });
      expect(replay).toMatchObject({ publish_id: out.publish_id, reused: true });
      expect(h.count('video.init')).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('a download that drops mid-file: Zapier runs the step again later, and the re-run resumes the upload (one init)', async () => {
    let served = 0;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(bigFile.length) });
      // The first download drops after 15 MiB (node-fetch then never ends the body); later ones are whole.
      if (served++ === 0) res.write(bigFile.subarray(0, 15 * 1024 * 1024), () => res.socket?.destroy());
      else res.end(bigFile);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const input = {
        videoFile: `http://127.0.0.1:${(server.address() as AddressInfo).port}/clip.mp4`,
        title: 'Cut off',
        privacyLevel: 'SELF_ONLY',
      };
      const err = await h.fail(postVideo(), input);
      expect(err.name).toBe('ThrottledError');
      expect(errorJson(err).message).toMatch(
        /^The video could not be read while it was being uploaded\. \(videoFile: stopped arriving: no data for 1 s .*\[upload_source_failed\] Nothing is published/,
      );
      expect(h.sb.admin.posts(h.auth.open_id)[0]).toMatchObject({
        status: 'PROCESSING_UPLOAD',
        uploadedBytes: 10_000_000,
      });

      const out = await h.run(postVideo(), input);
      expect(out).toMatchObject({ status: 'ACCEPTED', reused: true });
      expect(h.count('video.init')).toBe(1);
      const [post] = h.sb.admin.posts(h.auth.open_id);
      expect(post).toMatchObject({ publishId: out.publish_id, uploadedBytes: bigFile.length });
      expect(post!.chunkSha256).toEqual(chunkSha256(bigFile));
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('Upload Video as Draft', () => {
  it('sends the video to the inbox once, even when replayed', async () => {
    const perform = h.App.creates.upload_video_draft.operation.perform;
    const out = await h.run(perform, { videoUrl: h.mediaUrl() });
    await h.run(perform, { videoUrl: h.mediaUrl() });
    expect(out.status).toBe('ACCEPTED');
    expect(h.count('inbox.init')).toBe(1);
    expect(h.sb.admin.posts(h.auth.open_id).map((p) => p.flow)).toEqual(['inbox']);
  });

  it('a 429 becomes ThrottledError', async () => {
    h.sb.admin.script('inbox.init', [{ kind: 'rate_limit' }]);
    const err = await h.fail(h.App.creates.upload_video_draft.operation.perform, { videoUrl: h.mediaUrl() });
    expect([err.name, errorJson(err).delay]).toEqual(['ThrottledError', 60]);
  });
});

describe('Post Photos', () => {
  const photos = () => [h.mediaUrl('photo-1.jpg'), h.mediaUrl('photo-2.jpg')];

  it('posts a carousel directly', async () => {
    const out = await h.run(h.App.creates.post_photos.operation.perform, {
      mode: 'direct',
      photoUrls: photos(),
      title: 'Two',
      privacyLevel: 'SELF_ONLY',
      coverIndex: '1',
    });
    expect(out.status).toBe('ACCEPTED');
    const [post] = h.sb.admin.posts(h.auth.open_id);
    expect(post).toMatchObject({ publishId: out.publish_id, media: 'photo', flow: 'direct', urls: photos() });
  });

  it('as a draft, and a 5xx on init is retried', async () => {
    h.sb.admin.script('content.init', [{ kind: 'server_error', status: 503, body: 'json' }]);
    const out = await h.run(h.App.creates.post_photos.operation.perform, { mode: 'draft', photoUrls: photos() });
    expect(out.status).toBe('ACCEPTED');
    expect(h.count('content.init')).toBe(2);
    expect(h.sb.admin.posts(h.auth.open_id).map((p) => p.flow)).toEqual(['inbox']);
  });

  it('a cover index out of range names the field', async () => {
    const err = await h.fail(h.App.creates.post_photos.operation.perform, {
      mode: 'direct',
      photoUrls: photos(),
      privacyLevel: 'SELF_ONLY',
      coverIndex: '5',
    });
    expect(errorJson(err).message).toMatch(/cover/i);
    expect(h.count('content.init')).toBe(0);
  });
});
