import { fileInit, PATHS, post, put, start, type Harness } from './helpers';

const MiB = 1024 * 1024;

describe('upload PUT with Content-Range sequencing', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await start();
  });
  afterEach(() => h.sb.close());

  async function init(size: number, chunk = size, count = 1): Promise<{ publishId: string; uploadUrl: string }> {
    h.clock.advance(10_000);
    const r = await post(h.sb, PATHS.videoInit, h.token, fileInit(size, chunk, count));
    expect(r.status).toBe(200);
    return { publishId: r.json.data.publish_id, uploadUrl: r.json.data.upload_url };
  }

  test('small file in one PUT: 201 with Content-Range, then PROCESSING_UPLOAD shows uploaded_bytes', async () => {
    const bytes = Buffer.alloc(4096, 7);
    const { publishId, uploadUrl } = await init(bytes.length);
    const r = await put(uploadUrl, bytes, `bytes 0-4095/4096`);
    expect(r.status).toBe(201);
    expect(r.headers.get('content-range')).toBe('bytes 0-4096/4096');
    const s = await post(h.sb, PATHS.status, h.token, { publish_id: publishId });
    expect(s.json.data).toEqual({ status: 'PROCESSING_UPLOAD', publicaly_available_post_id: [], uploaded_bytes: 4096 });
    const log = h.sb.admin.requests({ endpoint: 'upload' });
    expect(log.map((x) => [x.status, x.bytes, x.contentRange])).toEqual([[201, 4096, 'bytes 0-4095/4096']]);
    expect(log[0].query).toEqual({ upload_id: expect.any(String), upload_token: '[redacted]' });
  });

  test('multi-chunk: 206 per chunk, 201 on the last (which absorbs the remainder); 416 on gaps and overlaps', async () => {
    const size = 12 * MiB + 123; // chunk 5 MiB -> 2 chunks, the last 7 MiB + 123
    const chunk = 5 * MiB;
    const { uploadUrl } = await init(size, chunk, 2);
    const data = Buffer.alloc(size, 1);
    const gap = await put(uploadUrl, data.subarray(chunk, size), `bytes ${chunk}-${size - 1}/${size}`);
    expect(gap.status).toBe(416);
    expect(gap.headers.get('content-range')).toBe(`bytes 0-0/${size}`);
    const first = await put(uploadUrl, data.subarray(0, chunk), `bytes 0-${chunk - 1}/${size}`);
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-${chunk}/${size}`);
    const overlap = await put(uploadUrl, data.subarray(0, chunk), `bytes 0-${chunk - 1}/${size}`);
    expect(overlap.status).toBe(416);
    const last = await put(uploadUrl, data.subarray(chunk), `bytes ${chunk}-${size - 1}/${size}`);
    expect(last.status).toBe(201);
    const after = await put(uploadUrl, data.subarray(chunk), `bytes ${chunk}-${size - 1}/${size}`);
    expect(after.status).toBe(416);
    expect(h.sb.admin.posts()[0].uploadedBytes).toBe(size);
  });

  test('400 on malformed headers or a body that does not match the range; nothing is counted', async () => {
    const { uploadUrl } = await init(100);
    const body = Buffer.alloc(100);
    expect((await put(uploadUrl, body, 'bytes=0-99/100')).status).toBe(400);
    expect((await put(uploadUrl, body, 'bytes 0-99/101')).status).toBe(400);
    expect((await put(uploadUrl, body.subarray(0, 50), 'bytes 0-99/100')).status).toBe(400);
    expect((await put(uploadUrl, body, 'bytes 0-99/100', 'application/octet-stream')).status).toBe(400);
    expect(h.sb.admin.posts()[0].uploadedBytes).toBe(0);
    expect((await put(uploadUrl, body, 'bytes 0-99/100', 'video/quicktime')).status).toBe(201);
  });

  test('404 for an unknown upload task or wrong upload_token, 403 once the upload_url expired (1 h)', async () => {
    const { uploadUrl } = await init(100);
    const body = Buffer.alloc(100);
    expect(
      (await put(uploadUrl.replace(/upload_token=\w+/, 'upload_token=forged'), body, 'bytes 0-99/100')).status,
    ).toBe(404);
    expect((await put(`${h.sb.url}/upload/video/?upload_id=1&upload_token=x`, body, 'bytes 0-99/100')).status).toBe(
      404,
    );
    h.clock.advance(3_600_000);
    const expired = await put(uploadUrl, body, 'bytes 0-99/100');
    expect(expired.status).toBe(403);
    expect(expired.headers.get('content-range')).toBe('bytes 0-0/100');
  });

  test('uploadRangeReply "last-index" writes the inclusive last byte', async () => {
    h.sb.admin.setConfig({ uploadRangeReply: 'last-index' });
    const { uploadUrl } = await init(100);
    const r = await put(uploadUrl, Buffer.alloc(100), 'bytes 0-99/100');
    expect(r.headers.get('content-range')).toBe('bytes 0-99/100');
  });

  test('checkMediaFormat: non-video bytes end FAILED file_format_check_failed; the sample MP4 passes', async () => {
    h.sb.admin.setConfig({ checkMediaFormat: true });
    const junk = await init(100);
    await put(junk.uploadUrl, Buffer.alloc(100), 'bytes 0-99/100');
    const mp4 = Buffer.from(await (await fetch(`${h.sb.url}/media/sample.mp4`)).arrayBuffer());
    const good = await init(mp4.length);
    expect((await put(good.uploadUrl, mp4, `bytes 0-${mp4.length - 1}/${mp4.length}`)).status).toBe(201);
    h.clock.advance(60_000);
    const [a, b] = [junk, good].map((x) => h.sb.admin.posts().find((p) => p.publishId === x.publishId));
    expect([a?.status, a?.failReason]).toEqual(['FAILED', 'file_format_check_failed']);
    expect(b?.status).toBe('PUBLISH_COMPLETE');
  });

  test('strict MB unit: a 64 MiB chunk is over the 64 MB maximum; binary accepts it', async () => {
    const body = fileInit(128 * MiB, 64 * MiB, 2);
    const strict = await post(h.sb, PATHS.videoInit, h.token, body);
    expect(strict.json.error.message).toMatch(/chunk_size must be between/);
    h.sb.admin.setConfig({ mbUnit: 'binary' });
    expect((await post(h.sb, PATHS.videoInit, h.token, body)).status).toBe(200);
  });

  test('faults on the upload keep the progress header; a chunk applied before a reset is resumed from the 416 header', async () => {
    const size = 10 * MiB + 5;
    const chunk = 5 * MiB;
    const { uploadUrl } = await init(size, chunk, 2);
    const data = Buffer.alloc(size, 3);
    h.sb.admin.script('upload', [
      { kind: 'server_error', status: 502, body: 'html' },
      { kind: 'reset', processed: true },
    ]);
    const bad = await put(uploadUrl, data.subarray(0, chunk), `bytes 0-${chunk - 1}/${size}`);
    expect([bad.status, bad.headers.get('content-range')]).toEqual([502, `bytes 0-0/${size}`]);
    await expect(put(uploadUrl, data.subarray(0, chunk), `bytes 0-${chunk - 1}/${size}`)).rejects.toThrow();
    // the retry of the same chunk is refused, and the header says where to continue
    const retry = await put(uploadUrl, data.subarray(0, chunk), `bytes 0-${chunk - 1}/${size}`);
    expect([retry.status, retry.headers.get('content-range')]).toEqual([416, `bytes 0-${chunk}/${size}`]);
    expect((await put(uploadUrl, data.subarray(chunk), `bytes ${chunk}-${size - 1}/${size}`)).status).toBe(201);
    expect(h.sb.admin.requests({ endpoint: 'upload' }).map((r) => [r.status, r.fault])).toEqual([
      [502, 'server_error'],
      [null, 'reset'],
      [416, null],
      [201, null],
    ]);
  });
});
