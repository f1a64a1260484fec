import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokpipeError } from '../../src/errors/classify';
import { fileByteSource } from '../../src/node/byte-source';
import { axiosTransport } from '../../src/node/transport';
import { TikTokClient } from '../../src/client/client';
import { planChunks, sourceInfoFor, type ChunkPlan } from '../../src/upload/plan';
import { uploadChunks } from '../../src/upload/uploader';
import { streamByteSource } from '../../src/upload/stream-source';
import type { ByteSource } from '../../src/types';
import { expectedChunkSha256, memorySource, rejectionOf, world, type World } from '../client/helpers';

const MiB = 1024 * 1024;
let w: World;
afterEach(async () => {
  await w?.sb.close();
});

async function start(config?: Record<string, unknown>) {
  w = await world({ config });
}

/** A FILE_UPLOAD direct post initialised in the sandbox for `size` bytes. */
async function initFileUpload(size: number, chunkSize = 5 * MiB) {
  const plan = planChunks(size, { chunkSize });
  const init = await w.client.initDirectVideo(w.token, {
    post_info: { privacy_level: 'SELF_ONLY' },
    source_info: sourceInfoFor(plan),
  });
  expect(init.uploadUrl).toBeTruthy();
  return { plan, uploadUrl: init.uploadUrl!, publishId: init.publishId };
}

const puts = () => w.sb.admin.requests({ endpoint: 'upload' });
/** What the sandbox received, chunk by chunk (sha256 of each accepted PUT body). */
const received = (publishId: string) => w.sb.admin.posts().find((p) => p.publishId === publishId)!.chunkSha256;
const upload = (plan: ChunkPlan, uploadUrl: string, source: ByteSource, extra = {}) =>
  uploadChunks({ client: w.client, uploadUrl, source, plan, clock: w.clock, random: () => 0.5, ...extra });

describe('uploadChunks against the sandbox', () => {
  it('uploads 3 chunks in order, one PUT each, reading each chunk once', async () => {
    await start();
    const { plan, uploadUrl, publishId } = await initFileUpload(16_000_000);
    const { source, reads } = memorySource(16_000_000);
    const report = await upload(plan, uploadUrl, source);
    expect(report).toEqual({ chunksAccepted: 3, resumes: 0 });
    expect(puts().map((r) => [r.contentRange, r.status])).toEqual([
      ['bytes 0-5242879/16000000', 206],
      ['bytes 5242880-10485759/16000000', 206],
      ['bytes 10485760-15999999/16000000', 201],
    ]);
    expect(reads).toEqual(plan.chunks.map((c) => [c.first, c.last - c.first + 1]));
    const status = await w.client.fetchStatus(w.token, publishId);
    expect(status.uploadedBytes).toBe(16_000_000);
    expect(received(publishId)).toEqual(expectedChunkSha256(plan.chunks));
  });

  it('with readInto, fills two reused buffers; a chunk re-sent after a 5xx is intact although the next was read meanwhile', async () => {
    await start();
    // 4 chunks; the last (5 271 360 bytes) is longer than the others, so its buffer grows once.
    const { plan, uploadUrl, publishId } = await initFileUpload(21_000_000);
    const { source, targets, reads } = memorySource(21_000_000, { readInto: true });
    w.sb.admin.script('upload', [{ kind: 'none' }, { kind: 'server_error', status: 503, body: 'html' }]);
    const report = await upload(plan, uploadUrl, source);
    expect(report.chunksAccepted).toBe(4);
    expect(puts().map((r) => r.status)).toEqual([206, 503, 206, 206, 201]);
    expect(received(publishId)).toEqual(expectedChunkSha256(plan.chunks));
    // Each chunk read once, in order; no fresh buffer per chunk.
    expect(reads).toEqual(plan.chunks.map((c) => [c.first, c.last - c.first + 1]));
    expect(new Set(targets.map((t) => t.buffer)).size).toBe(3);
  });

  it('re-sends only the chunk that got a 5xx, after a backoff on the injected clock', async () => {
    await start();
    const { plan, uploadUrl } = await initFileUpload(16_000_000);
    w.sb.admin.script('upload', [{ kind: 'none' }, { kind: 'server_error', status: 503, body: 'html' }]);
    const report = await upload(plan, uploadUrl, memorySource(16_000_000).source);
    expect(report.chunksAccepted).toBe(3);
    expect(puts().map((r) => [r.contentRange, r.status])).toEqual([
      ['bytes 0-5242879/16000000', 206],
      ['bytes 5242880-10485759/16000000', 503],
      ['bytes 5242880-10485759/16000000', 206],
      ['bytes 10485760-15999999/16000000', 201],
    ]);
    expect(w.clock.sleeps).toHaveLength(1);
  });

  it('gives up on a chunk after the bounded retries, reporting the attempts', async () => {
    await start();
    const { plan, uploadUrl } = await initFileUpload(16_000_000);
    w.sb.admin.script(
      'upload',
      Array.from({ length: 5 }, () => ({ kind: 'server_error', status: 500, body: 'json' })),
    );
    const error = await rejectionOf(
      upload(plan, uploadUrl, memorySource(16_000_000).source, { chunkRetry: { maxAttempts: 3 } }),
    );
    expect(error).toBeInstanceOf(TokpipeError);
    expect(error.details).toMatchObject({ code: 'upload_server_error', attempts: 3, httpStatus: 500 });
    expect(puts()).toHaveLength(3);
    expect(error.message).not.toContain('upload_token=');
  });

  it.each(['byte-count', 'last-index'])(
    "resumes from the server's Content-Range (%s style) when a chunk reply was lost",
    async (style) => {
      await start({ uploadRangeReply: style });
      const { plan, uploadUrl, publishId } = await initFileUpload(16_000_000);
      // Chunk 2 is stored but its reply is lost; the re-send gets 416 with TikTok's progress.
      w.sb.admin.script('upload', [{ kind: 'none' }, { kind: 'reset', processed: true }]);
      const report = await upload(plan, uploadUrl, memorySource(16_000_000).source);
      expect(report).toEqual({ chunksAccepted: 2, resumes: 1 });
      expect(puts().map((r) => r.status)).toEqual([206, null, 416, 201]);
      expect((await w.client.fetchStatus(w.token, publishId)).uploadedBytes).toBe(16_000_000);
      expect(received(publishId)).toEqual(expectedChunkSha256(plan.chunks));
    },
  );

  it('when TikTok reports progress past the chunk read ahead, sends the chunk it asks for, intact', async () => {
    // No sandbox fault skips chunks, so this client stands in for a server that, answering chunk 1,
    // reports chunks 0-3 held (as after an earlier, forgotten attempt). The uploader must drop the
    // chunk 2 it read ahead and send chunk 4 with the right bytes.
    const plan = planChunks(26_214_400, { chunkSize: 5 * MiB }); // 5 chunks of 5 MiB
    const sent: Array<[string, string]> = [];
    const client = {
      async uploadChunk(_url: string, bytes: Uint8Array, range: { first: number; last: number; total: number }) {
        sent.push([`${range.first}-${range.last}`, createHash('sha256').update(bytes).digest('hex')]);
        const held = range.first === 5 * MiB ? 4 * 5 * MiB : range.last + 1;
        return {
          complete: held === range.total,
          httpStatus: held === range.total ? 201 : 206,
          contentRange: `bytes 0-${held}/${range.total}`,
        };
      },
    };
    const { source, reads } = memorySource(26_214_400, { readInto: true });
    const report = await uploadChunks({
      client,
      uploadUrl: 'http://127.0.0.1:1/upload',
      source,
      plan,
      clock: { now: () => 0, sleep: async () => {} },
    });
    expect(report).toEqual({ chunksAccepted: 3, resumes: 1 });
    const expected = expectedChunkSha256(plan.chunks);
    expect(sent).toEqual([0, 1, 4].map((i) => [`${plan.chunks[i]!.first}-${plan.chunks[i]!.last}`, expected[i]]));
    expect(reads.map(([offset]) => offset / (5 * MiB))).toEqual([0, 1, 2, 4]);
  });

  it('treats a lost final 201 as complete once TikTok reports every byte', async () => {
    await start();
    const { plan, uploadUrl } = await initFileUpload(16_000_000);
    w.sb.admin.script('upload', [{ kind: 'none' }, { kind: 'none' }, { kind: 'reset', processed: true }]);
    const report = await upload(plan, uploadUrl, memorySource(16_000_000).source);
    expect(report.resumes).toBe(1);
    expect(puts().map((r) => r.status)).toEqual([206, 206, null, 416]);
  });

  it('resumes an interrupted upload from uploaded_bytes without re-sending what TikTok has', async () => {
    await start();
    const { plan, uploadUrl, publishId } = await initFileUpload(16_000_000);
    const { source } = memorySource(16_000_000);
    const first = plan.chunks[0]!;
    await w.client.uploadChunk(uploadUrl, await source.read(first.first, first.last + 1), first);
    const { uploadedBytes } = await w.client.fetchStatus(w.token, publishId);
    expect(uploadedBytes).toBe(5 * MiB);
    const report = await upload(plan, uploadUrl, source, { startAt: uploadedBytes });
    expect(report.chunksAccepted).toBe(2);
    expect(puts().map((r) => r.contentRange)).toEqual(plan.chunks.map((c) => `bytes ${c.first}-${c.last}/16000000`));
  });

  it('does not retry an expired upload URL', async () => {
    await start();
    const { plan, uploadUrl } = await initFileUpload(16_000_000);
    w.clock.advance(61 * 60_000);
    const error = await rejectionOf(upload(plan, uploadUrl, memorySource(16_000_000).source));
    expect(error.details).toMatchObject({ code: 'upload_url_expired', httpStatus: 403, retryable: false });
    expect(puts()).toHaveLength(1);
  });

  it('sends a small real file whole from disk, and identifies it by its sha256', async () => {
    await start();
    const dir = mkdtempSync(join(tmpdir(), 'tokpipe-upload-'));
    try {
      const bytes = Buffer.alloc(3 * MiB + 17);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) % 256;
      const path = join(dir, 'clip.mp4');
      writeFileSync(path, bytes);
      const source = await fileByteSource(path);
      expect(source.size).toBe(bytes.length);
      expect(source.contentType).toBe('video/mp4');
      expect(await source.identity!()).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(Buffer.from(await source.read(1000, 10))).toEqual(bytes.subarray(1000, 1010));

      const { plan, uploadUrl } = await initFileUpload(bytes.length);
      expect(plan.totalChunkCount).toBe(1);
      await upload(plan, uploadUrl, source);
      expect(puts().map((r) => [r.contentRange, r.bytes, r.status])).toEqual([
        [`bytes 0-${bytes.length - 1}/${bytes.length}`, bytes.length, 201],
      ]);
      await expect(source.read(bytes.length - 5, 10)).rejects.toThrow(/outside/);
      const missing = await rejectionOf(fileByteSource(join(dir, 'nope.mp4')));
      expect(missing.details).toMatchObject({ layer: 'input', field: 'videoFile' });
      expect(missing.message).toMatch(/nope\.mp4 does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([0, 1, 2 * MiB, 2 * MiB + 1])(
    'hashes a %i-byte file exactly as sha256 does, and reads ranges into a caller buffer',
    async (size) => {
      const dir = mkdtempSync(join(tmpdir(), 'tokpipe-hash-'));
      try {
        const bytes = Buffer.alloc(size);
        for (let i = 0; i < size; i++) bytes[i] = (i * 13 + (i >> 16)) % 256;
        writeFileSync(join(dir, 'v.mp4'), bytes);
        const source = await fileByteSource(join(dir, 'v.mp4'));
        expect(await source.identity!()).toBe(createHash('sha256').update(bytes).digest('hex'));
        if (size > 10) {
          const target = new Uint8Array(7);
          expect(await source.readInto!(target, size - 7)).toBe(7);
          expect(Buffer.from(target)).toEqual(bytes.subarray(size - 7));
          await expect(source.readInto!(new Uint8Array(8), size - 7)).rejects.toThrow(/outside/);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('gives a chunk PUT a timeout sized for the chunk, not the 30 s API timeout', async () => {
    await start();
    const { plan, uploadUrl } = await initFileUpload(16_000_000);
    const timeouts: Array<number | undefined> = [];
    const real = axiosTransport();
    const client = new TikTokClient({
      baseUrl: w.sb.url,
      transport: (req) => (timeouts.push(req.timeoutMs), real(req)),
      requestTimeoutMs: 30_000,
    });
    await uploadChunks({ client, uploadUrl, source: memorySource(16_000_000).source, plan, clock: w.clock });
    // 5 MiB at 128 KiB/s = 40 s; the 5,514,240-byte last chunk gets 42.07 s.
    expect(timeouts).toEqual([40_000, 40_000, 42_071]);
  });

  it('refuses a source that does not match the plan before sending anything', async () => {
    await start();
    const { plan, uploadUrl } = await initFileUpload(16_000_000);
    const error = await rejectionOf(upload(plan, uploadUrl, memorySource(15_000_000).source));
    expect(error.details.field).toBe('source.size');
    expect(puts()).toHaveLength(0);
  });
});

describe('streamByteSource', () => {
  it('uploads from a one-pass stream in uneven pieces, and re-sends a failed chunk from memory', async () => {
    await start();
    const { plan, uploadUrl, publishId } = await initFileUpload(16_000_000);
    const expected = memorySource(16_000_000);
    async function* pieces() {
      for (let offset = 0; offset < 16_000_000; offset += 777_777) {
        yield expected.source.read(offset, Math.min(777_777, 16_000_000 - offset));
      }
    }
    w.sb.admin.script('upload', [{ kind: 'server_error', status: 500, body: 'json' }]);
    const report = await upload(plan, uploadUrl, streamByteSource({ size: 16_000_000, stream: pieces() }));
    expect(report.chunksAccepted).toBe(3);
    expect(puts().map((r) => r.status)).toEqual([500, 206, 206, 201]);
    expect((await w.client.fetchStatus(w.token, publishId)).uploadedBytes).toBe(16_000_000);
    expect(received(publishId)).toEqual(expectedChunkSha256(plan.chunks));
  });

  it('refuses a stream longer than its declared size before the last chunk goes up', async () => {
    await start();
    const { plan, uploadUrl } = await initFileUpload(16_000_000);
    const { source: bytes } = memorySource(16_000_001);
    async function* pieces() {
      yield bytes.read(0, 16_000_001);
      yield new Uint8Array(0);
    }
    const error = await rejectionOf(upload(plan, uploadUrl, streamByteSource({ size: 16_000_000, stream: pieces() })));
    expect(error.details).toMatchObject({ layer: 'input', field: 'size' });
    expect(error.message).toMatch(/more than the 16000000 bytes declared/);
    // The first two chunks went up; the last never did, so TikTok never completes a cut-short file.
    expect(puts().map((r) => r.status)).toEqual([206, 206]);
  });

  it('accepts a stream that ends exactly at its size, empty pieces included', async () => {
    async function* pieces() {
      yield new Uint8Array([1, 2, 3]);
      yield new Uint8Array(0);
    }
    const source = streamByteSource({ size: 3, stream: pieces() });
    expect(Array.from(await source.read(0, 3))).toEqual([1, 2, 3]);
  });

  it('skips forward but refuses to go back', async () => {
    async function* pieces() {
      yield new Uint8Array([0, 1, 2, 3]);
      yield new Uint8Array([4, 5, 6, 7, 8, 9]);
    }
    const source = streamByteSource({ size: 10, stream: pieces() });
    expect(Array.from(await source.read(2, 3))).toEqual([2, 3, 4]);
    expect(Array.from(await source.read(7, 3))).toEqual([7, 8, 9]);
    await expect(source.read(0, 1)).rejects.toThrow(/cannot go back/);
  });
});
