// Video files: Start Video File Post/Draft (init, sealed Upload Handle) then Send Video File (progress
// check, one FILE_UPLOAD chunk, wait). Run by the local IML harness against the sandbox: the bytes TikTok
// stored, how many inits and posts, what the Make user reads, and what Make's engine does next, including
// the re-run after a lost reply.
import { createHash, randomBytes } from 'node:crypto';
import { CHUNK_RULES, lookupRow, planChunks, sourceInfoFor, TikTokClient, UploadChunkError } from '@tokpipe/core';
import { calls, failure, world, type World } from './helpers';
import { engineOutcome, MakeHarness } from '../harness';
import { component, loadApp } from '../harness/load-app';
import { customFunctionSource } from '../generator/functions';
import { compileFunction } from '../harness/custom-functions';
import { evaluate } from '../harness/iml/evaluate';
import { imlNamespace, makeEnv } from '../harness/iml/functions';
import { makeErrorType } from '../generator/spec/errors';
import { API_BASE } from '../generator/spec/connection';
import { MAX_FILE_BYTES } from '../generator/spec/file-modules';
import { FILE_UPLOAD_ALLOWANCE_MS, MODULE_WAIT_BUDGET_MS } from '../generator/spec/timing';
import { APP_DIR } from '../generator/write-app';

let w: World;
afterEach(async () => {
  await w?.close();
});

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** An MP4 (ftyp box first) of `size` bytes; the rest random, so a byte out of place changes the hash. */
function mp4(size: number, brand = 'isom'): Buffer {
  const b = randomBytes(size);
  Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from(`ftyp${brand}`)]).copy(b, 0);
  return b;
}

/** The upload_tokens TikTok (the sandbox) issued in this world, from the raw exchanges of the inits. */
function uploadTokens(w: World): string[] {
  return w.h.rawLogs
    .map((e) => (e.response?.body as { data?: { upload_url?: string } } | undefined)?.data?.upload_url)
    .filter((u): u is string => typeof u === 'string')
    .map((u) => new URL(u).searchParams.get('upload_token')!);
}

type Params = Record<string, unknown>;
const start = (params: Params, id = 'startVideoFilePost') =>
  w.h.runModule(id, w.conn, { fileName: 'clip.mp4', privacyLevel: 'SELF_ONLY', ...params });
const send = (uploadHandle: unknown, data: Buffer, extra: Params = {}) =>
  w.h.runModule('sendVideoFile', w.conn, {
    uploadHandle,
    fileName: 'clip.mp4',
    data,
    waitForCompletion: false,
    ...extra,
  });
/** Make's two modules in a row: Start with the file, Send with Start's handle and the same file. */
async function postFile(data: Buffer, params: Params = {}, extra: Params = {}) {
  const started = await start({ data, ...params });
  return send(started.uploadHandle, data, extra);
}

describe('Start Video File Post, then Send Video File', () => {
  test('one init sized from the buffer (one chunk), a sealed handle, one PUT: TikTok stored exactly these bytes', async () => {
    w = await world();
    const video = mp4(6_000_000); // above the 5 MB minimum chunk: one chunk of the whole file
    const started = await start({ data: video, title: 'From Drive #tokpipe' });
    expect(started).toMatchObject({
      publishId: expect.stringMatching(/^v_pub_file~/),
      size: video.length,
      uploadHandle: expect.stringMatching(/^tpu1\./),
    });
    for (const token of uploadTokens(w)) expect(JSON.stringify(started)).not.toContain(token);
    expect(calls(w.sb, 'upload')).toHaveLength(0); // nothing posted yet

    const out = await send(started.uploadHandle, video);
    expect(out).toMatchObject({ publishId: started.publishId, status: 'ACCEPTED', postIds: [] });
    const inits = calls(w.sb, 'video.init');
    expect(inits).toHaveLength(1);
    // The same source_info core's own chunk plan gives for a one-chunk upload.
    const plan = planChunks(video.length, { chunkSize: CHUNK_RULES.safe.maxChunk });
    expect(plan.totalChunkCount).toBe(1);
    expect(inits[0]!.body).toEqual({
      post_info: { title: 'From Drive #tokpipe', privacy_level: 'SELF_ONLY' },
      source_info: sourceInfoFor(plan),
    });
    const puts = calls(w.sb, 'upload');
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatchObject({
      method: 'PUT',
      bytes: video.length,
      contentRange: `bytes 0-${video.length - 1}/${video.length}`,
      status: 201,
    });
    const [post] = w.sb.admin.posts(w.conn.uid);
    expect(post).toMatchObject({
      publishId: started.publishId,
      videoSize: video.length,
      uploadedBytes: video.length,
      chunkSha256: [sha256(video)],
    });
    // The PUT carries the file's type and no access token (the upload_token in the URL authorizes it).
    const put = w.h.rawLogs.find((e) => e.request.method === 'PUT')!;
    expect(put.request.headers).toMatchObject({
      'Content-Type': 'video/mp4',
      'Content-Length': String(video.length),
      Authorization: '',
    });
    expect(JSON.stringify(put.request.headers)).not.toContain(String(w.conn.data.accessToken));
  });

  test('waits (every 10 s) until TikTok publishes the uploaded file', async () => {
    w = await world();
    const video = mp4(200_000);
    const out = await postFile(video, {}, { waitForCompletion: true });
    expect(out).toMatchObject({ status: 'PUBLISH_COMPLETE', done: true, published: true });
    expect(calls(w.sb, 'status').length).toBe(w.clock.sleeps.length + 2); // the progress check, then the polls
    expect(w.clock.sleeps.every((ms) => ms === 10_000)).toBe(true);
    expect(w.sb.admin.posts(w.conn.uid)).toEqual([
      expect.objectContaining({ status: 'PUBLISH_COMPLETE', chunkSha256: [sha256(video)] }),
    ]);
    expect(calls(w.sb, 'video.init')).toHaveLength(1);
  });

  test("still processing after its polls: returns the status, its waits leaving time for the upload within Make's module limit", async () => {
    w = await world({ config: { processingDelayMs: 3_600_000 } });
    const out = await postFile(mp4(10_000), {}, { waitForCompletion: true });
    expect(out).toMatchObject({ status: 'PROCESSING_UPLOAD', uploadedBytes: 10_000 });
    const waited = w.clock.sleeps.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThan(0);
    expect(waited).toBeLessThanOrEqual(MODULE_WAIT_BUDGET_MS - FILE_UPLOAD_ALLOWANCE_MS);
  });

  test('lost reply on the upload (TikTok got the whole file): Make re-runs Send Video File, which finds the file stored: one init, one PUT, one post', async () => {
    w = await world();
    const video = mp4(20_000);
    const started = await start({ data: video });
    w.sb.admin.script('upload', [{ kind: 'reset', processed: true }]);
    const err = await failure(() => send(started.uploadHandle, video, { waitForCompletion: true }));
    expect(err.type).toBe('ConnectionError'); // the engine's own error: no reply, no directive ran
    expect(engineOutcome(err)).toBe('retried');
    for (const token of uploadTokens(w)) expect(err.message).not.toContain(token);
    // Make's retry: the same module with the same bundle (the same handle and file).
    const out = await send(started.uploadHandle, video, { waitForCompletion: true });
    expect(out).toMatchObject({ publishId: started.publishId, status: 'PUBLISH_COMPLETE' });
    expect(calls(w.sb, 'video.init')).toHaveLength(1);
    expect(calls(w.sb, 'upload')).toHaveLength(1);
    const posts = w.sb.admin.posts(w.conn.uid);
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ status: 'PUBLISH_COMPLETE', chunkSha256: [sha256(video)] });
  });

  test('lost reply on the upload (the file did not arrive): the re-run resumes with the stored upload URL, no new init: one post', async () => {
    w = await world();
    const video = mp4(20_000);
    const started = await start({ data: video });
    w.sb.admin.script('upload', [{ kind: 'reset', processed: false }]);
    expect((await failure(() => send(started.uploadHandle, video))).type).toBe('ConnectionError');
    await send(started.uploadHandle, video);
    expect(calls(w.sb, 'video.init')).toHaveLength(1);
    expect(calls(w.sb, 'upload').map((c) => c.status)).toEqual([null, 201]); // the reset one got no status
    expect(w.sb.admin.posts(w.conn.uid)).toEqual([
      expect.objectContaining({
        publishId: started.publishId,
        uploadedBytes: video.length,
        chunkSha256: [sha256(video)],
      }),
    ]);
  });

  test('lost reply on the init: Make re-runs Start, and only the upload Send makes is ever posted', async () => {
    w = await world();
    const video = mp4(20_000);
    w.sb.admin.script('video.init', [{ kind: 'reset', processed: true }]);
    const err = await failure(() => start({ data: video }));
    expect(engineOutcome(err)).toBe('retried');
    const started = await start({ data: video });
    await send(started.uploadHandle, video, { waitForCompletion: true });
    w.clock.advance(2 * 3_600_000); // the first publish never gets its file: TikTok drops it
    const posts = w.sb.admin.posts(w.conn.uid);
    expect(calls(w.sb, 'video.init')).toHaveLength(2);
    expect(posts.filter((p) => p.status === 'PUBLISH_COMPLETE')).toEqual([
      expect.objectContaining({ publishId: started.publishId }),
    ]);
    expect(posts.filter((p) => p.uploadedBytes > 0)).toHaveLength(1);
  });

  test("a 5xx on the PUT: ConnectionError naming the publish_id, and Make's re-run uploads once: one post", async () => {
    w = await world();
    const video = mp4(50_000);
    const started = await start({ data: video });
    w.sb.admin.script('upload', [{ kind: 'server_error', status: 503, body: 'html' }]);
    const err = await failure(() => send(started.uploadHandle, video));
    expect(err).toMatchObject({ type: 'ConnectionError', statusCode: 503 });
    expect(engineOutcome(err)).toBe('retried');
    expect(err.message).toContain(`publish_id ${started.publishId}: [503]`);
    expect(err.message).toContain('upload_server_error: <html>'); // the gateway page, as text
    expect(err.message).not.toContain('[object');
    for (const token of uploadTokens(w)) expect(err.message).not.toContain(token);
    await send(started.uploadHandle, video);
    expect(calls(w.sb, 'video.init')).toHaveLength(1);
    expect(w.sb.admin.posts(w.conn.uid)).toEqual([
      expect.objectContaining({ uploadedBytes: video.length, chunkSha256: [sha256(video)] }),
    ]);
  });

  test(`a file over ${MAX_FILE_BYTES} bytes is refused as a DataError naming the field, before any request`, async () => {
    w = await world();
    const before = w.sb.admin.requests().length;
    const err = await failure(() => start({ fileName: 'big.mp4', data: mp4(MAX_FILE_BYTES + 1) }));
    expect(err.type).toBe('DataError');
    expect(err.message).toContain(`[data] is ${MAX_FILE_BYTES + 1} bytes`);
    expect(err.message).toContain('Nothing was sent to TikTok');
    expect(engineOutcome(err)).toBe('stopped');
    expect(w.sb.admin.requests().length).toBe(before);
  });

  test('a file that is not a video, a missing file and a missing privacy level are refused before any request', async () => {
    w = await world();
    const before = w.sb.admin.requests().length;
    const pdf = await failure(() => start({ fileName: 'brief.pdf', data: Buffer.from('%PDF-1.7 ...') }));
    expect(pdf).toMatchObject({ type: 'DataError' });
    expect(pdf.message).toContain("[fileName] 'brief.pdf' is not an MP4, MOV or WebM video");
    const missing = await failure(() => start({}));
    expect(missing.type).toBe('BundleValidationError');
    expect(missing.message).toContain('[data]');
    const noPrivacy = await failure(() =>
      w.h.runModule('startVideoFilePost', w.conn, { fileName: 'clip.mp4', data: mp4(1000) }),
    );
    expect(noPrivacy.message).toContain('privacyLevel');
    expect(w.sb.admin.requests().length).toBe(before);
  });

  test('Send refuses another file than the handle was made for, and a handle from another app, before any request', async () => {
    w = await world();
    const started = await start({ data: mp4(10_000) });
    const before = w.sb.admin.requests().length;
    const other = await failure(() => send(started.uploadHandle, mp4(10_001)));
    expect(other).toMatchObject({ type: 'DataError' });
    expect(other.message).toContain('[data] is 10001 bytes, but the Upload Handle is for a file of 10000 bytes');
    const foreign = new MakeHarness({
      app: w.h.app,
      hosts: { [API_BASE]: w.sb.url },
      clock: w.clock,
      common: { clientKey: 'k', clientSecret: 'another-apps-secret' },
    });
    const err = await failure(() =>
      foreign.runModule('sendVideoFile', w.conn, {
        uploadHandle: started.uploadHandle,
        fileName: 'clip.mp4',
        data: mp4(10_000),
      }),
    );
    expect(err).toMatchObject({ type: 'DataError' });
    expect(err.message).toContain('[uploadHandle] was not made by this app');
    expect(w.sb.admin.requests().length).toBe(before);
  });

  test.each([
    [400, 'upload_bad_request'],
    [403, 'upload_url_expired'],
    [404, 'upload_not_found'],
    [416, 'upload_range_mismatch'],
    [500, 'upload_server_error'],
    [429, 'upload_unexpected_status'],
  ])("HTTP %i on the PUT → %s, typed as core's row, with the publish_id and TikTok's text", async (status, code) => {
    w = await world();
    const video = mp4(10_000);
    const started = await start({ data: video });
    w.sb.admin.script('upload', [{ kind: 'error', status, code: 'injected', message: 'Injected upload failure.' }]);
    const err = await failure(() => send(started.uploadHandle, video));
    expect(err).toMatchObject({ type: makeErrorType(lookupRow('application', code)!), statusCode: status });
    expect(err.message).toContain(
      `publish_id ${started.publishId}: [${status}] the video upload failed, code ${code}: Injected upload failure. (log_id `,
    );
    expect(calls(w.sb, 'video.init')).toHaveLength(1);
  });

  test("neither the upload_token nor the connection's tokens appear in any output, message or Make's sanitized log", async () => {
    w = await world();
    const video = mp4(10_000);
    const started = await start({ data: video });
    w.sb.admin.script('upload', [{ kind: 'server_error', status: 500, body: 'json' }]);
    const err = await failure(() => send(started.uploadHandle, video));
    const tokens = uploadTokens(w);
    expect(tokens).toHaveLength(1);
    const secrets = [...tokens, String(w.conn.data.accessToken), String(w.conn.data.refreshToken)];
    const logged = JSON.stringify(w.h.logs);
    for (const secret of secrets) {
      expect(JSON.stringify(started)).not.toContain(secret);
      expect(err.message).not.toContain(secret);
      expect(logged).not.toContain(secret);
    }
    // The raw exchange did carry them (so the check above can fail).
    expect(JSON.stringify(w.h.rawLogs)).toContain(tokens[0]!);
  });
});

describe('Start Video File Draft, then Send Video File', () => {
  test('a QuickTime file goes to the inbox (no post_info) with its type; the wait stops at SEND_TO_USER_INBOX', async () => {
    w = await world();
    const video = mp4(120_000, 'qt  ');
    const started = await start({ fileName: 'IMG_0042.MOV', data: video }, 'startVideoFileDraft');
    expect(started.publishId).toMatch(/^v_inbox_file~/);
    const out = await send(started.uploadHandle, video, { fileName: 'IMG_0042.MOV', waitForCompletion: true });
    expect(out).toMatchObject({ status: 'SEND_TO_USER_INBOX', done: true, published: false });
    expect(calls(w.sb, 'inbox.init').map((c) => c.body)).toEqual([
      {
        source_info: {
          source: 'FILE_UPLOAD',
          video_size: video.length,
          chunk_size: video.length,
          total_chunk_count: 1,
        },
      },
    ]);
    const put = w.h.rawLogs.find((e) => e.request.method === 'PUT')!;
    expect(put.request.headers['Content-Type']).toBe('video/quicktime');
    expect(w.sb.admin.posts(w.conn.uid)[0]).toMatchObject({
      chunkSha256: [sha256(video)],
      uploadedBytes: video.length,
    });
  });

  test('a WebM file refused by the upload host (404): RuntimeError with the publish_id, one init', async () => {
    w = await world();
    const video = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), randomBytes(5000)]);
    const started = await start({ fileName: 'a.webm', data: video }, 'startVideoFileDraft');
    w.sb.admin.script('upload', [{ kind: 'error', status: 404, code: 'injected' }]);
    const err = await failure(() => send(started.uploadHandle, video, { fileName: 'a.webm' }));
    expect(err.type).toBe('RuntimeError');
    expect(err.message).toContain(`publish_id ${started.publishId}`);
    expect(err.message).toContain('upload_not_found');
    expect(calls(w.sb, 'inbox.init')).toHaveLength(1);
  });
});

describe('the upload spec, checked against core', () => {
  const app = loadApp(APP_DIR);
  const env = makeEnv({ now: () => Date.UTC(2026, 10, 25), uuid: () => 'u' });
  for (const id of ['redactSecrets', 'videoUpload'] as const) {
    const fn = compileFunction(id, customFunctionSource(id).code, imlNamespace(env));
    env.functions[id] = (_e, ...args) => fn(...args);
  }
  const put = (
    component(app, 'module', 'sendVideoFile').code.communication as Array<
      Record<string, { temp: unknown; error: { message: string } }>
    >
  )[1]!;

  test("every 4xx/5xx on the PUT gets the code core's client gives it, and the Make type of core's row", async () => {
    const statuses = [400, 401, 403, 404, 408, 413, 416, 429, 500, 502, 503, 504];
    for (const status of statuses) {
      const client = new TikTokClient({ transport: async () => ({ status, headers: {}, body: '' }) });
      const coreCode = await client
        .uploadChunk('http://127.0.0.1:1/upload/?upload_token=t', new Uint8Array(10), { first: 0, last: 9, total: 10 })
        .then(
          () => 'success',
          (e: unknown) => (e instanceof UploadChunkError ? e.details.code : `not an upload error: ${String(e)}`),
        );
      const decided = (
        evaluate(put.response!.temp, { statusCode: status, body: '' }, env) as {
          uploadError: { type: string; code: string };
        }
      ).uploadError;
      expect([status, decided.code, decided.type]).toEqual([
        status,
        coreCode,
        makeErrorType(lookupRow('application', coreCode)!),
      ]);
    }
  });

  test('an upload reply quoting the upload URL or its token shows neither', () => {
    const uploadUrl = 'https://open-upload.tiktokapis.com/video/?upload_id=7301&upload_token=Zx9secretUploadToken42';
    const scope = {
      statusCode: 400,
      body: `bad Content-Range for ${uploadUrl} (token Zx9secretUploadToken42)`,
      temp: { publishId: 'v_pub_file~v2-1.1', uploadUrl },
      connection: { accessToken: 'act.aaaaaaaaaaaa', refreshToken: 'rft.bbbbbbbbbbbb' },
    };
    const message = String(
      evaluate(
        put.response!.error.message,
        { ...scope, temp: { ...scope.temp, ...(evaluate(put.response!.temp, scope, env) as object) } },
        env,
      ),
    );
    expect(message).toContain(
      'publish_id v_pub_file~v2-1.1: [400] the video upload failed, code upload_bad_request: bad Content-Range for [REDACTED] (token [REDACTED])',
    );
    expect(message).not.toContain('Zx9secretUploadToken42');
  });

  test(`videoUpload takes a file of exactly ${MAX_FILE_BYTES} bytes (core's one-chunk maximum) and refuses one byte more, as core's plan does`, () => {
    const videoUpload = env.functions.videoUpload!;
    const max = Buffer.alloc(MAX_FILE_BYTES);
    Buffer.from('\0\0\0\x18ftypisom', 'latin1').copy(max);
    expect(videoUpload(env, max, 'max.mp4', MAX_FILE_BYTES)).toEqual({
      size: MAX_FILE_BYTES,
      contentRange: `bytes 0-${MAX_FILE_BYTES - 1}/${MAX_FILE_BYTES}`,
      contentType: 'video/mp4',
    });
    expect(planChunks(MAX_FILE_BYTES, { chunkSize: MAX_FILE_BYTES })).toMatchObject({
      chunkSize: MAX_FILE_BYTES,
      totalChunkCount: 1,
    });
    expect(() => planChunks(MAX_FILE_BYTES + 1, { chunkSize: MAX_FILE_BYTES + 1 })).toThrow(/chunk_size/);
    expect(() => videoUpload(env, Buffer.concat([max, Buffer.alloc(1)]), 'big.mp4', MAX_FILE_BYTES)).toThrow(
      /\[data\] is 64000001 bytes/,
    );
    expect(MAX_FILE_BYTES).toBe(CHUNK_RULES.safe.maxChunk);
  });
});
