// Gaps found auditing issue 2 against the poster, each tested against the sandbox by what reached it:
// later status reads update the idempotency ledger, posters sharing a token share the rate limits,
// an interrupted FILE_UPLOAD resumes, the polling schedule, structural refusals, secrets in errors.
import { sampleMp4, solidJpeg } from '@tokpipe/sandbox';
import { inputError, TokpipeError } from '../../src/errors/classify';
import { Ledger } from '../../src/idempotency';
import { MemoryStore } from '../../src/memory-store';
import { streamByteSource } from '../../src/upload/stream-source';
import { createPoster } from '../../src/poster';
import type { ByteSource, PostRequest } from '../../src/types';
import { startHarness, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const urlPost = (h: Harness, title = 'audit'): PostRequest => ({
  mode: 'direct',
  media: { type: 'video_url', url: h.mediaUrl() },
  title,
  privacyLevel: 'SELF_ONLY',
});

/** A generated file of `size` bytes that starts like a real MP4 (the sandbox checks the first bytes). */
function generatedVideo(
  size: number,
  options: { hangFromByte?: number; cutAtByte?: number; failAtByte?: number } = {},
): ByteSource {
  const head = sampleMp4(360, 640, 30, [solidJpeg(360, 640, [1, 2, 3])]).subarray(0, 64);
  return {
    size,
    contentType: 'video/mp4',
    identity: async () => `generated-${size}`, // same content every time: same idempotency key
    read: async (offset, length) => {
      // A process killed mid-upload: this read never returns.
      if (options.hangFromByte !== undefined && offset >= options.hangFromByte)
        return new Promise<Uint8Array>(() => undefined);
      // A download that dropped: the source ends early (as streamByteSource reports it).
      if (options.cutAtByte !== undefined && offset + length > options.cutAtByte)
        throw inputError('media', `ended at byte ${options.cutAtByte} of ${size}`);
      // The disk or the download failing underneath (a plain Error with a network-like code).
      if (options.failAtByte !== undefined && offset + length > options.failAtByte)
        throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      const bytes = new Uint8Array(length);
      if (offset < head.length) bytes.set(head.subarray(offset, Math.min(head.length, offset + length)));
      return bytes;
    },
  };
}

describe('status reads update the idempotency ledger', () => {
  it('after status() sees PUBLISH_COMPLETE, a repeat of the post returns PUBLISH_COMPLETE with one init', async () => {
    h = await startHarness();
    const accepted = await h.poster.post(urlPost(h));
    expect(accepted.status).toBe('ACCEPTED');
    await h.clock.advance(10 * 60_000);
    const seen = await h.poster.status(accepted.publishId!);
    expect(seen).toMatchObject({ status: 'PUBLISH_COMPLETE', idempotencyKey: accepted.idempotencyKey });

    const repeat = await h.poster.post(urlPost(h));
    expect(repeat).toMatchObject({
      publishId: accepted.publishId,
      status: 'PUBLISH_COMPLETE',
      reused: true,
      error: null,
    });
    expect(h.count('video.init')).toBe(1);
    expect(await h.poster.ledger.unresolved()).toEqual([]);
  });

  it('an UNCONFIRMED post later completed through waitForCompletion() is PUBLISH_COMPLETE on repeat, no new polling', async () => {
    h = await startHarness({ config: { downloadDelayMs: 8 * 60_000 } });
    const first = await h.poster.post(urlPost(h), { wait: true });
    expect(first.status).toBe('UNCONFIRMED');
    expect((await h.poster.ledger.unresolved()).map((e) => e.key)).toEqual([first.idempotencyKey]);

    const done = await h.poster.waitForCompletion(first.publishId!);
    expect(done.status).toBe('PUBLISH_COMPLETE');
    const statusCalls = h.count('status');

    const repeat = await h.poster.post(urlPost(h), { wait: true });
    expect(repeat).toMatchObject({ publishId: first.publishId, status: 'PUBLISH_COMPLETE', reused: true, error: null });
    expect(h.count('status')).toBe(statusCalls);
    expect(h.count('video.init')).toBe(1);
    expect(await h.poster.ledger.unresolved()).toEqual([]);
  });

  it('a non-final status never overwrites a final one, and an unknown publish_id changes nothing', async () => {
    h = await startHarness({ config: { downloadDelayMs: 600_000 } });
    const accepted = await h.poster.post(urlPost(h));
    expect((await h.poster.status(accepted.publishId!)).status).toBe('PROCESSING_DOWNLOAD');
    expect(await h.poster.ledger.get(accepted.idempotencyKey)).toMatchObject({
      state: 'initiated',
      status: 'PROCESSING_DOWNLOAD',
    });
    const repeat = await h.poster.post(urlPost(h));
    expect(repeat).toMatchObject({ status: 'PROCESSING_DOWNLOAD', reused: true });
    await expect(h.poster.status('v_pub_url~not-ours')).rejects.toMatchObject({
      details: { code: 'invalid_publish_id' },
    });
    expect(h.count('video.init')).toBe(1);
  });
});

describe('rate limits are per token, not per poster', () => {
  it('two posters on one account (no limiter passed) never get rate_limit_exceeded: 8 inits, the 7th a minute after the 1st', async () => {
    h = await startHarness();
    const second = createPoster({
      baseUrl: h.sb.url,
      transport: h.transport,
      clock: h.clock,
      auth: h.auth,
      random: () => 0.5,
      requestTimeoutMs: 3_000,
    });
    const posters = [h.poster, second];
    for (let i = 0; i < 8; i++) expect((await posters[i % 2]!.post(urlPost(h, `post ${i}`))).status).toBe('ACCEPTED');
    const inits = h.sb.admin.requests({ endpoint: 'video.init' });
    expect(inits.map((r) => r.status)).toEqual(new Array(8).fill(200));
    expect(inits[6]!.time - inits[0]!.time).toBeGreaterThanOrEqual(60_000);
    // creator_info (20/min) was shared the same way: 8 calls, none refused.
    expect(h.sb.admin.requests({ endpoint: 'creator_info' }).every((r) => r.status === 200)).toBe(true);
  });

  it('concurrent posters on one account in a burst: no 429 on any endpoint', async () => {
    h = await startHarness();
    const posters = [0, 1, 2].map(() =>
      createPoster({
        baseUrl: h.sb.url,
        transport: h.transport,
        clock: h.clock,
        auth: h.auth,
        random: () => 0.5,
        requestTimeoutMs: 3_000,
      }),
    );
    const outcomes = await Promise.all(
      Array.from({ length: 9 }, (_, i) => posters[i % 3]!.post(urlPost(h, `burst ${i}`))),
    );
    expect(outcomes.map((o) => o.status)).toEqual(new Array(9).fill('ACCEPTED'));
    expect(h.sb.admin.requests().filter((r) => r.status === 429)).toEqual([]);
    expect(h.count('video.init')).toBe(9);
  });
});

/** What a restarted process finds: the same stored data, in a store object the dead process never touched. */
async function reopened(store: MemoryStore): Promise<MemoryStore> {
  const copy = new MemoryStore();
  for (const [key, value] of await store.list('')) await copy.set(key, value);
  return copy;
}

describe('an interrupted FILE_UPLOAD resumes', () => {
  const MB = 1_000_000;
  const size = 3 * 10 * MB + 123; // 3 chunks of 10 MB, the last absorbing 123 bytes

  it('a repeat while this process is still uploading does not upload in parallel', async () => {
    h = await startHarness();
    const store = new MemoryStore();
    const poster = createPoster({
      baseUrl: h.sb.url,
      transport: h.transport,
      clock: h.clock,
      auth: h.auth,
      store,
      random: () => 0.5,
      requestTimeoutMs: 3_000,
    });
    const request: PostRequest = {
      mode: 'direct',
      media: { type: 'video_file', file: generatedVideo(size, { hangFromByte: 10 * MB }) },
      title: 'busy',
      privacyLevel: 'SELF_ONLY',
    };
    void poster.post(request);
    for (let i = 0; i < 50 && h.count('upload') < 1; i++) await new Promise((r) => setTimeout(r, 10));
    const repeat = await poster.post({ ...request, media: { type: 'video_file', file: generatedVideo(size) } });
    expect(repeat).toMatchObject({ status: 'UNCONFIRMED', reused: true, error: { code: 'unconfirmed' } });
    expect(repeat.error!.message).toMatch(/still uploading/);
    expect(h.count('upload')).toBe(1);
    expect(h.count('video.init')).toBe(1);
  });

  it('a process killed after the first chunk: the restart sends only chunks 2 and 3 with the same upload_url, one init, one post', async () => {
    h = await startHarness();
    const store = new MemoryStore();
    const make = (store: MemoryStore) =>
      createPoster({
        baseUrl: h.sb.url,
        transport: h.transport,
        clock: h.clock,
        auth: h.auth,
        store,
        random: () => 0.5,
        requestTimeoutMs: 3_000,
      });
    const request = (file: ByteSource): PostRequest => ({
      mode: 'direct',
      media: { type: 'video_file', file },
      title: 'long file',
      privacyLevel: 'SELF_ONLY',
    });

    // First process: chunk 1 goes up, then reading chunk 2 never returns (killed).
    void make(store).post(request(generatedVideo(size, { hangFromByte: 10 * MB })));
    for (let i = 0; i < 50 && h.count('upload') < 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(h.sb.admin.requests({ endpoint: 'upload' }).map((r) => r.status)).toEqual([206]);

    // Second process, same ledger store, same file.
    const outcome = await make(await reopened(store)).post(request(generatedVideo(size)), { wait: true });
    expect(outcome).toMatchObject({ status: 'PUBLISH_COMPLETE', reused: true, error: null });
    expect(h.count('video.init')).toBe(1);
    const puts = h.sb.admin.requests({ endpoint: 'upload' });
    expect(puts.map((r) => r.contentRange)).toEqual([
      `bytes 0-${10 * MB - 1}/${size}`,
      `bytes ${10 * MB}-${20 * MB - 1}/${size}`,
      `bytes ${20 * MB}-${size - 1}/${size}`,
    ]);
    expect(puts.map((r) => r.status)).toEqual([206, 206, 201]);
    expect(new Set(puts.map((r) => JSON.stringify(r.query))).size).toBe(1);
    expect(h.sb.admin.posts(h.openId)).toHaveLength(1);
  });

  it('killed after the last chunk landed (reply lost): the restart sends nothing and reports what TikTok says, here FAILED', async () => {
    h = await startHarness();
    const store = new MemoryStore();
    h.sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'frame_rate_check_failed' }]);
    let puts = 0;
    // The last PUT reaches TikTok, then the process dies before reading the reply.
    const dying: typeof h.transport = (request) =>
      request.method === 'PUT' && ++puts === 3
        ? h.transport(request).then(() => new Promise(() => undefined))
        : h.transport(request);
    void createPoster({ baseUrl: h.sb.url, transport: dying, clock: h.clock, auth: h.auth, store }).post({
      mode: 'direct',
      media: { type: 'video_file', file: generatedVideo(size) },
      title: 'lost 201',
      privacyLevel: 'SELF_ONLY',
    });
    for (let i = 0; i < 100 && h.count('upload') < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(h.sb.admin.requests({ endpoint: 'upload' }).map((r) => r.status)).toEqual([206, 206, 201]);
    await h.clock.advance(60_000);

    const restarted = createPoster({
      baseUrl: h.sb.url,
      transport: h.transport,
      clock: h.clock,
      auth: h.auth,
      store: await reopened(store),
      requestTimeoutMs: 3_000,
    });
    const outcome = await restarted.post({
      mode: 'direct',
      media: { type: 'video_file', file: generatedVideo(size) },
      title: 'lost 201',
      privacyLevel: 'SELF_ONLY',
    });
    expect(outcome).toMatchObject({ status: 'FAILED', reused: true, error: { failReason: 'frame_rate_check_failed' } });
    expect(h.count('upload')).toBe(3);
    expect(h.count('video.init')).toBe(1);
  });

  it('if TikTok cannot be asked during the resume, the outcome is UNCONFIRMED and the next run still resumes', async () => {
    h = await startHarness();
    const store = new MemoryStore();
    const request = (file: ByteSource): PostRequest => ({
      mode: 'direct',
      media: { type: 'video_file', file },
      title: 'status down',
      privacyLevel: 'SELF_ONLY',
    });
    void createPoster({ baseUrl: h.sb.url, transport: h.transport, clock: h.clock, auth: h.auth, store }).post(
      request(generatedVideo(size, { hangFromByte: 10 * MB })),
    );
    for (let i = 0; i < 50 && h.count('upload') < 1; i++) await new Promise((r) => setTimeout(r, 10));
    const durable = await reopened(store);

    h.sb.admin.script('status', new Array(3).fill({ kind: 'server_error', status: 503, body: 'html' })); // every attempt of one status read
    const make = () =>
      createPoster({
        baseUrl: h.sb.url,
        transport: h.transport,
        clock: h.clock,
        auth: h.auth,
        store: durable,
        random: () => 0.5,
        requestTimeoutMs: 3_000,
        retry: { maxAttempts: 3 },
      });
    const down = await make().post(request(generatedVideo(size)));
    expect(down).toMatchObject({ status: 'UNCONFIRMED', reused: true });
    expect(h.count('upload')).toBe(1);
    expect(h.sb.admin.requests({ endpoint: 'status' }).map((r) => r.status)).toEqual([503, 503, 503]);

    const next = await make().post(request(generatedVideo(size)), { wait: true });
    expect(next).toMatchObject({ status: 'PUBLISH_COMPLETE', reused: true, error: null });
    expect(h.sb.admin.requests({ endpoint: 'upload' }).map((r) => r.status)).toEqual([206, 206, 201]);
    expect(h.count('video.init')).toBe(1);
  });

  it("chunk retries used up after the last chunk had landed: TikTok's FAILED is reported (was ACCEPTED)", async () => {
    h = await startHarness({ config: { processingDelayMs: 1_000 }, poster: { requestTimeoutMs: 300 } });
    h.sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'frame_rate_check_failed' }]);
    h.sb.admin.script('upload', [
      { kind: 'timeout', processed: true },
      ...new Array(3).fill({ kind: 'server_error', status: 503, body: 'json' }),
    ]);
    const outcome = await h.poster.post({
      mode: 'direct',
      media: { type: 'video_file', file: generatedVideo(1_000) },
      title: 'landed',
      privacyLevel: 'SELF_ONLY',
    });
    expect(h.sb.admin.requests({ endpoint: 'upload' }).map((r) => r.status)).toEqual([null, 503, 503, 503]);
    expect(outcome).toMatchObject({ status: 'FAILED', error: { failReason: 'frame_rate_check_failed' } });
    expect(h.count('video.init')).toBe(1);
  });

  it('an upload that failed while status was unreachable is UNCONFIRMED and resumable: the re-run finishes it, one init', async () => {
    h = await startHarness();
    const store = new MemoryStore();
    const make = () =>
      createPoster({
        baseUrl: h.sb.url,
        transport: h.transport,
        clock: h.clock,
        auth: h.auth,
        store,
        random: () => 0.5,
        requestTimeoutMs: 3_000,
        retry: { maxAttempts: 3 },
      });
    const request = (): PostRequest => ({
      mode: 'direct',
      media: { type: 'video_file', file: generatedVideo(size) },
      title: 'both down',
      privacyLevel: 'SELF_ONLY',
    });
    h.sb.admin.script('upload', [
      { kind: 'none' },
      ...new Array(4).fill({ kind: 'server_error', status: 503, body: 'json' }),
    ]);
    h.sb.admin.script('status', new Array(3).fill({ kind: 'server_error', status: 503, body: 'html' }));
    const first = await make().post(request());
    expect(first).toMatchObject({ status: 'UNCONFIRMED', reused: false });
    expect(h.sb.admin.requests({ endpoint: 'upload' }).map((r) => r.status)).toEqual([206, 503, 503, 503, 503]);

    const again = await make().post(request(), { wait: true });
    expect(again).toMatchObject({ status: 'PUBLISH_COMPLETE', reused: true, error: null });
    expect(h.sb.admin.requests({ endpoint: 'upload' }).map((r) => r.status)).toEqual([
      206, 503, 503, 503, 503, 206, 201,
    ]);
    expect(h.count('video.init')).toBe(1);
  });

  it('a video that stops being readable mid-upload: FAILED upload_source_failed, retryable and saying so; posting again resumes, one init', async () => {
    h = await startHarness();
    const store = new MemoryStore();
    const make = () =>
      createPoster({
        baseUrl: h.sb.url,
        transport: h.transport,
        clock: h.clock,
        auth: h.auth,
        store,
        random: () => 0.5,
        requestTimeoutMs: 3_000,
      });
    const request = (file: ByteSource): PostRequest => ({
      mode: 'direct',
      media: { type: 'video_file', file },
      title: 'dropped',
      privacyLevel: 'SELF_ONLY',
    });
    const cut = await make().post(request(generatedVideo(size, { cutAtByte: 15 * MB })));
    expect(cut).toMatchObject({
      status: 'FAILED',
      error: { code: 'upload_source_failed', layer: 'application', retryable: true },
    });
    expect(cut.error!.message).toBe(
      'The video could not be read while it was being uploaded. (media: ended at byte 15000000 of 30000123) [upload_source_failed] Nothing is published: TikTok drops an unfinished upload after an hour. Posting again resumes the upload where it stopped; if it fails again, check the file or its download link.',
    );
    // The problem alone, for adapters that show it apart from the code and the action.
    expect(cut.error!.problem).toBe(
      'The video could not be read while it was being uploaded. (media: ended at byte 15000000 of 30000123)',
    );
    expect(h.sb.admin.requests({ endpoint: 'upload' }).map((r) => r.status)).toEqual([206]);

    const again = await make().post(request(generatedVideo(size)), { wait: true });
    expect(again).toMatchObject({ status: 'PUBLISH_COMPLETE', reused: true, error: null });
    expect(h.sb.admin.requests({ endpoint: 'upload' }).map((r) => r.status)).toEqual([206, 206, 201]);
    expect(h.count('video.init')).toBe(1);
  });

  it("a source failing with a plain I/O error is the source's failure (upload_source_failed), not a TikTok connection reset", async () => {
    h = await startHarness();
    const outcome = await h.poster.post({
      mode: 'direct',
      media: { type: 'video_file', file: generatedVideo(size, { failAtByte: 15 * MB }) },
      title: 'eio',
      privacyLevel: 'SELF_ONLY',
    });
    expect(outcome).toMatchObject({ status: 'FAILED', error: { code: 'upload_source_failed', layer: 'application' } });
    expect(outcome.error!.message).toContain('(source: could not be read at byte 10000000: read ECONNRESET)');
    expect(h.sb.admin.requests({ endpoint: 'upload' }).map((r) => r.status)).toEqual([206]);
  });

  it('an upload_url past its hour is FAILED (nothing was published) and the key may post again', async () => {
    h = await startHarness();
    const store = new MemoryStore();
    const make = (store: MemoryStore) =>
      createPoster({
        baseUrl: h.sb.url,
        transport: h.transport,
        clock: h.clock,
        auth: h.auth,
        store,
        random: () => 0.5,
        requestTimeoutMs: 3_000,
      });
    const request = (file: ByteSource): PostRequest => ({
      mode: 'direct',
      media: { type: 'video_file', file },
      title: 'late',
      privacyLevel: 'SELF_ONLY',
    });
    void make(store).post(request(generatedVideo(size, { hangFromByte: 10 * MB })));
    for (let i = 0; i < 50 && h.count('upload') < 1; i++) await new Promise((r) => setTimeout(r, 10));
    await h.clock.advance(61 * 60_000);

    const restarted = make(await reopened(store));
    const outcome = await restarted.post(request(generatedVideo(size)));
    expect(outcome).toMatchObject({ status: 'FAILED', reused: true, error: { code: 'upload_url_expired' } });
    expect(h.sb.admin.requests({ endpoint: 'upload' }).map((r) => r.status)).toEqual([206, 403]);
    const again = await restarted.post(request(generatedVideo(size)));
    expect(again).toMatchObject({ status: 'ACCEPTED', reused: false });
    expect(h.count('video.init')).toBe(2);
  });
});

describe('a crash during the creator_info pre-flight', () => {
  it('leaves no intent behind: the re-run posts once (the intent is recorded right before init)', async () => {
    h = await startHarness();
    const store = new MemoryStore();
    let hung = false;
    // The first process dies while its creator_info request is in flight.
    const dying: typeof h.transport = (request) => {
      if (!hung && request.url.includes('/creator_info/')) {
        hung = true;
        return new Promise(() => undefined);
      }
      return h.transport(request);
    };
    void createPoster({ baseUrl: h.sb.url, transport: dying, clock: h.clock, auth: h.auth, store }).post(
      urlPost(h, 'killed mid pre-flight'),
    );
    for (let i = 0; i < 50 && !hung; i++) await new Promise((r) => setTimeout(r, 10));
    expect(hung).toBe(true);
    // Nothing was sent, so nothing is left for reconciliation.
    expect(await new Ledger(store, h.clock).unresolved()).toEqual([]);

    const restarted = createPoster({
      baseUrl: h.sb.url,
      transport: h.transport,
      clock: h.clock,
      auth: h.auth,
      store: await reopened(store),
      requestTimeoutMs: 3_000,
    });
    const outcome = await restarted.post(urlPost(h, 'killed mid pre-flight'), { wait: true });
    expect(outcome).toMatchObject({ status: 'PUBLISH_COMPLETE', reused: false, error: null });
    expect(h.count('video.init')).toBe(1);
    expect(h.sb.admin.posts(h.openId)).toHaveLength(1);
  });

  it('a repeat of a known post is answered from the ledger without a new pre-flight', async () => {
    h = await startHarness();
    const first = await h.poster.post(urlPost(h), { wait: true });
    const preflights = h.count('creator_info');
    const again = await h.poster.post(urlPost(h), { wait: true });
    expect(again).toMatchObject({ publishId: first.publishId, reused: true, status: 'PUBLISH_COMPLETE' });
    expect(h.count('creator_info')).toBe(preflights);
  });
});

describe('polling schedule through the poster', () => {
  it('status polls at +10, +40, +100, +220 s after init, a last one at the 5-minute budget, then UNCONFIRMED', async () => {
    h = await startHarness({ config: { downloadDelayMs: 3_600_000 } });
    const outcome = await h.poster.post(urlPost(h), { wait: true });
    expect(outcome).toMatchObject({
      status: 'UNCONFIRMED',
      error: { code: 'unconfirmed', disposition: 'unknown_outcome', retryable: false },
    });
    expect(outcome.error!.failReason).toBeUndefined();
    const [init] = h.sb.admin.requests({ endpoint: 'video.init' });
    const offsets = h.sb.admin.requests({ endpoint: 'status' }).map((r) => Math.round((r.time - init!.time) / 1000));
    expect(offsets).toEqual([10, 40, 100, 220, 300]);
  });
});

describe('structural refusals reach the user', () => {
  it.each([
    ['soundUrl', 'https://example.com/song.mp3', /cannot attach a sound from a URL/],
    ['soundId', '6705', /cannot attach a TikTok sound by ID/],
    ['location', 'Paris', /cannot tag a location/],
    ['effects', ['green screen'], /cannot apply effects/],
    ['overlays', ['hello'], /cannot add text or sticker overlays/],
  ])('%s: thrown before any request, naming the field and the limit', async (field, value, explanation) => {
    h = await startHarness();
    const error = await h.poster
      .post({ ...urlPost(h), unsupported: { [field]: value } } as PostRequest)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokpipeError);
    const details = (error as TokpipeError).details;
    expect(details).toMatchObject({ layer: 'structural', field: `unsupported.${field}`, retryable: false });
    expect(details.message).toMatch(explanation);
    expect(details.message).toContain(`unsupported.${field}`);
    expect(details.action.length).toBeGreaterThan(20);
    expect(h.sb.admin.requests().filter((r) => r.endpoint !== 'admin')).toEqual([]);
  });
});

describe('secrets never appear in what users see', () => {
  it('TikTok echoing the access and refresh tokens in its message: the outcome error (message and raw) shows neither', async () => {
    h = await startHarness();
    const token = h.tokens.current()!;
    h.sb.admin.script('video.init', [
      {
        kind: 'error',
        status: 400,
        code: 'invalid_param',
        message: `bad request for ${token.access_token} refresh=${token.refresh_token}`,
      },
    ]);
    const rejected = await h.poster.post(urlPost(h, 'echo'));
    expect(rejected).toMatchObject({ status: 'FAILED', error: { code: 'invalid_param', disposition: 'fix_input' } });
    expect(rejected.error!.message).toMatch(/bad request for \[REDACTED\]/);
    const shown = JSON.stringify(rejected);
    for (const secret of [token.access_token, token.refresh_token]) expect(shown).not.toContain(secret);
  });

  it('a refused refresh: invalid_grant to re-authorize, without the tokens or the client secret', async () => {
    h = await startHarness({
      token: { access_token: 'act.expired-token-value', refresh_token: 'rft.revoked-refresh-value' },
    });
    const outcome = await h.poster.post(urlPost(h, 'after revoke'));
    expect(outcome).toMatchObject({ status: 'FAILED', error: { code: 'invalid_grant', disposition: 'reauthorize' } });
    const shown = JSON.stringify(outcome);
    for (const secret of ['act.expired-token-value', 'rft.revoked-refresh-value', h.sb.admin.demo().clientSecret])
      expect(shown).not.toContain(secret);
  });
});

describe('token lifetimes of 2 h and 24 h both work against the sandbox', () => {
  it.each([
    ['2 h / 180 d', 7_200, 15_552_000],
    ['24 h / 365 d', 86_400, 31_536_000],
  ])(
    '%s: three lifetimes of calls every 30 min: refreshed ahead of each expiry, never a 401, rotation kept',
    async (_name, accessTtlSec, refreshTtlSec) => {
      h = await startHarness({
        config: { accessTokenTtlSec: accessTtlSec, refreshTokenTtlSec: refreshTtlSec },
        token: { expires_at: Date.UTC(2026, 0, 5, 9) + accessTtlSec * 1000 },
      });
      // The demo token was issued when the sandbox started, with this lifetime.
      const refreshTokens = new Set([h.tokens.current()!.refresh_token]);
      for (let t = 0; t < 3 * accessTtlSec * 1000; t += 30 * 60_000) {
        expect((await h.poster.creatorInfo()).privacyLevelOptions.length).toBeGreaterThan(0);
        refreshTokens.add(h.tokens.current()!.refresh_token);
        await h.clock.advance(30 * 60_000);
      }
      expect(h.sb.admin.requests().filter((r) => r.status === 401)).toEqual([]);
      expect(h.sb.admin.requests({ endpoint: 'oauth.token' }).map((r) => r.status)).toEqual([200, 200]);
      expect(refreshTokens.size).toBe(3);
    },
  );
});

describe('secrets never appear in log lines', () => {
  it('a post through a refresh, a 429, a 5xx and an unknown-outcome timeout logs no token, secret or upload_token', async () => {
    const lines: string[] = [];
    h = await startHarness({
      token: { access_token: 'act.stale-access-token-value' },
      poster: {
        logger: (level, message, fields) => lines.push(JSON.stringify({ level, message, fields })),
        requestTimeoutMs: 300,
      },
    });
    h.sb.admin.script('creator_info', [{ kind: 'rate_limit' }, { kind: 'server_error', status: 502, body: 'html' }]);
    h.sb.admin.script('upload', [{ kind: 'server_error', status: 500, body: 'json' }]);
    const file = generatedVideo(1_000);
    const outcome = await h.poster.post(
      { mode: 'direct', media: { type: 'video_file', file }, title: 'logged', privacyLevel: 'SELF_ONLY' },
      { wait: true },
    );
    expect(outcome.status).toBe('PUBLISH_COMPLETE');
    h.sb.admin.script('video.init', [{ kind: 'timeout', processed: true }]);
    expect((await h.poster.post(urlPost(h, 'lost reply'))).status).toBe('UNCONFIRMED');

    expect(lines.length).toBeGreaterThan(3);
    const logged = lines.join('\n');
    const current = h.tokens.current()!;
    for (const secret of [
      'act.stale-access-token-value',
      current.access_token,
      current.refresh_token,
      h.sb.admin.demo().clientSecret,
    ])
      expect(logged).not.toContain(secret);
    expect(logged).not.toMatch(/upload_token=(?!\[REDACTED\])/);
  });
});

describe('one-pass streams through the poster', () => {
  const size = 22_000_000; // 2 chunks: 10 MB, then 12 MB (the last absorbs the rest)
  async function* pieces(): AsyncIterable<Uint8Array> {
    const source = generatedVideo(size);
    for (let offset = 0; offset < size; offset += 1_000_003)
      yield source.read(offset, Math.min(1_000_003, size - offset));
  }
  const streamed = (extra: Partial<Parameters<typeof streamByteSource>[0]> = {}) =>
    streamByteSource({ size, stream: pieces(), contentType: 'video/mp4', ...extra });

  it('without an identity or idempotencyKey: refused naming media.file.identity, nothing sent (hashing would eat the stream)', async () => {
    h = await startHarness();
    const error = await h.poster
      .post({ mode: 'draft', media: { type: 'video_file', file: streamed() } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokpipeError);
    expect((error as TokpipeError).details).toMatchObject({ layer: 'input', field: 'media.file.identity' });
    expect(h.sb.admin.requests().filter((r) => r.endpoint !== 'admin')).toEqual([]);
  });

  it('with an identity: uploaded in one pass (2 chunks), and a repeat with a fresh stream is the same post', async () => {
    h = await startHarness();
    const identity = async () => 'sha256-from-the-platform';
    const outcome = await h.poster.post(
      { mode: 'draft', media: { type: 'video_file', file: streamed({ identity }) } },
      { wait: true },
    );
    expect(outcome).toMatchObject({ status: 'SEND_TO_USER_INBOX', error: null });
    expect(h.sb.admin.requests({ endpoint: 'upload' }).map((r) => r.status)).toEqual([206, 201]);
    const repeat = await h.poster.post({ mode: 'draft', media: { type: 'video_file', file: streamed({ identity }) } });
    expect(repeat).toMatchObject({ publishId: outcome.publishId, reused: true });
    expect(h.count('inbox.init')).toBe(1);
  });

  it('a retryable FAILED is not re-posted from a stream that cannot be re-read: reported FAILED (retryable), one init', async () => {
    h = await startHarness();
    h.sb.admin.script('inbox.init', [{ kind: 'async_fail', failReason: 'internal' }]);
    const outcome = await h.poster.post(
      { mode: 'draft', media: { type: 'video_file', file: streamed() }, idempotencyKey: 'stream-1' },
      { wait: true },
    );
    expect(outcome).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      error: { failReason: 'internal', retryable: true },
    });
    expect(h.count('inbox.init')).toBe(1);
  });
});
