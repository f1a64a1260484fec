// What happens when things break half-way: uploads, crashes between intent and init, flaky status.
import { sampleMp4, solidJpeg } from '@tokpipe/sandbox';
import { Ledger, postIdempotencyKey } from '../../src/idempotency';
import { MemoryStore } from '../../src/memory-store';
import { createPoster } from '../../src/poster';
import type { ByteSource, PostRequest } from '../../src/types';
import { startHarness, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const video = sampleMp4(360, 640, 30, new Array(30).fill(solidJpeg(360, 640, [9, 9, 9])));
const fileSource = (): ByteSource => ({
  size: video.length,
  read: async (o, l) => video.subarray(o, o + l),
  contentType: 'video/mp4',
});
const filePost = (): PostRequest => ({
  mode: 'direct',
  media: { type: 'video_file', file: fileSource() },
  title: 'from disk',
  privacyLevel: 'SELF_ONLY',
});
const urlPost = (h: Harness): PostRequest => ({
  mode: 'direct',
  media: { type: 'video_url', url: h.mediaUrl() },
  title: 'x',
  privacyLevel: 'SELF_ONLY',
});

describe('poster recovery', () => {
  it('an upload that keeps failing with 5xx ends FAILED after bounded chunk retries; the key may post again', async () => {
    h = await startHarness();
    h.sb.admin.script(
      'upload',
      [1, 2, 3, 4].map(() => ({ kind: 'server_error' as const, status: 503, body: 'json' as const })),
    );
    const outcome = await h.poster.post(filePost(), { wait: true });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toMatchObject({ retryable: true });
    expect(h.count('video.init')).toBe(1);
    expect(h.count('upload')).toBe(4);
    // Nothing was published, so a later run of the same post is allowed to try again.
    const again = await h.poster.post(filePost(), { wait: true });
    expect(again).toMatchObject({ status: 'PUBLISH_COMPLETE', reused: false });
    expect(h.count('video.init')).toBe(2);
    expect(h.sb.admin.posts(h.openId).filter((p) => p.status === 'PUBLISH_COMPLETE')).toHaveLength(1);
  });

  it('a lost reply to the last chunk does not lose or duplicate the post', async () => {
    h = await startHarness({ poster: { requestTimeoutMs: 300 } });
    h.sb.admin.script('upload', [{ kind: 'timeout', processed: true }]);
    const outcome = await h.poster.post(filePost(), { wait: true });
    expect(outcome.status).toBe('PUBLISH_COMPLETE');
    expect(h.count('video.init')).toBe(1);
    expect(h.sb.admin.posts(h.openId)).toHaveLength(1);
  });

  it('a crash between recording the intent and getting a publish_id is reported, never re-inited', async () => {
    h = await startHarness();
    const store = new MemoryStore();
    const request = urlPost(h);
    // The previous process wrote its intent and died before init answered.
    const key = await postIdempotencyKey(request, h.openId);
    const ledger = new Ledger(store, h.clock);
    await ledger.begin(key, { mode: 'direct', openId: h.openId });
    await ledger.markSending(key);

    const restarted = createPoster({
      baseUrl: h.sb.url,
      transport: h.transport,
      clock: h.clock,
      auth: h.auth,
      store,
      requestTimeoutMs: 3_000,
    });
    const outcome = await restarted.post(request, { wait: true });
    expect(outcome).toMatchObject({
      publishId: null,
      status: 'UNCONFIRMED',
      reused: true,
      error: { code: 'interrupted_init', disposition: 'unknown_outcome' },
    });
    expect(h.count('video.init')).toBe(0);
  });

  it('a crash after reserving the key but before init left (pre-flight, rate-limit wait) posts once on the re-run', async () => {
    h = await startHarness();
    const store = new MemoryStore();
    const request = urlPost(h);
    const key = await postIdempotencyKey(request, h.openId);
    await new Ledger(store, h.clock).begin(key, { mode: 'direct', openId: h.openId }); // died here: nothing sent

    const restarted = createPoster({
      baseUrl: h.sb.url,
      transport: h.transport,
      clock: h.clock,
      auth: h.auth,
      store,
      requestTimeoutMs: 3_000,
    });
    const outcome = await restarted.post(request, { wait: true });
    expect(outcome).toMatchObject({ status: 'PUBLISH_COMPLETE', reused: false, error: null });
    expect(h.count('video.init')).toBe(1);
    const again = await restarted.post(request);
    expect(again).toMatchObject({ publishId: outcome.publishId, reused: true });
    expect(h.count('video.init')).toBe(1);
  });

  it('after a restart with the same store, a post that got its publish_id is resumed by polling, not re-inited', async () => {
    h = await startHarness();
    const store = new MemoryStore();
    const first = createPoster({
      baseUrl: h.sb.url,
      transport: h.transport,
      clock: h.clock,
      auth: h.auth,
      store,
      requestTimeoutMs: 3_000,
    });
    const accepted = await first.post(urlPost(h));
    expect(accepted.status).toBe('ACCEPTED');

    const restarted = createPoster({
      baseUrl: h.sb.url,
      transport: h.transport,
      clock: h.clock,
      auth: h.auth,
      store,
      requestTimeoutMs: 3_000,
    });
    const outcome = await restarted.post(urlPost(h), { wait: true });
    expect(outcome).toMatchObject({ publishId: accepted.publishId, status: 'PUBLISH_COMPLETE', reused: true });
    expect(h.count('video.init')).toBe(1);
  });

  it('status polls that hit 5xx JSON or an HTML gateway page keep polling', async () => {
    h = await startHarness();
    h.sb.admin.script('status', [
      { kind: 'server_error', status: 500, body: 'json' },
      { kind: 'server_error', status: 503, body: 'html' },
    ]);
    const outcome = await h.poster.post(urlPost(h), { wait: true });
    expect(outcome.status).toBe('PUBLISH_COMPLETE');
    expect(
      h.sb.admin
        .requests({ endpoint: 'status' })
        .map((r) => r.status)
        .slice(0, 2),
    ).toEqual([500, 503]);
  });

  it('status() and cancel() go through the same token, limiter and classification', async () => {
    h = await startHarness({ config: { downloadDelayMs: 600_000 } });
    const accepted = await h.poster.post(urlPost(h));
    expect((await h.poster.status(accepted.publishId!)).status).toBe('PROCESSING_DOWNLOAD');
    await h.poster.cancel(accepted.publishId!);
    expect(h.count('cancel')).toBe(1);
    await expect(h.poster.status('v_pub_url~does-not-exist')).rejects.toMatchObject({
      details: { code: 'invalid_publish_id' },
    });
  });

  it('listVideos() shows a published video through the same call path', async () => {
    h = await startHarness();
    const outcome = await h.poster.post({ ...urlPost(h), privacyLevel: 'PUBLIC_TO_EVERYONE' }, { wait: true });
    expect(outcome.status).toBe('PUBLISH_COMPLETE');
    const page = await h.poster.listVideos({ maxCount: 10 });
    expect(page.videos.map((v) => String(v.id))).toEqual(expect.arrayContaining(outcome.postIds));
    expect(h.count('video.list')).toBe(1);
  });

  it('if the ledger cannot record the publish_id, the outcome still carries it (never lost, never called failed)', async () => {
    h = await startHarness();
    const store = new MemoryStore();
    const failingStore = Object.assign(Object.create(store) as MemoryStore, {
      set: async (key: string, value: string) => {
        if (value.includes('"publishId"')) throw new Error('disk full');
        return store.set(key, value);
      },
    });
    const poster = createPoster({
      baseUrl: h.sb.url,
      transport: h.transport,
      clock: h.clock,
      auth: h.auth,
      store: failingStore,
      requestTimeoutMs: 3_000,
    });
    const outcome = await poster.post(urlPost(h), { wait: true });
    const [post] = h.sb.admin.posts(h.openId);
    expect(outcome).toMatchObject({
      publishId: post!.publishId,
      status: 'UNCONFIRMED',
      error: { disposition: 'unknown_outcome' },
    });
    expect(h.count('video.init')).toBe(1);
  });
});
