import { fileInit, PATHS, post, put, start, urlInit, type Harness } from './helpers';

describe('status fetch state machines, post ids, cancel', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await start({ config: { downloadDelayMs: 3_000, processingDelayMs: 5_000, moderationDelayMs: 30_000 } });
  });
  afterEach(() => h.sb.close());

  const status = async (publishId: string, token = h.token) =>
    post(h.sb, PATHS.status, token, { publish_id: publishId });

  test('direct URL post: PROCESSING_DOWNLOAD -> PUBLISH_COMPLETE -> public id after moderation, as a raw 19-digit JSON number', async () => {
    const id = (await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb))).json.data.publish_id;
    const s1 = await status(id);
    expect(s1.json.data).toEqual({
      status: 'PROCESSING_DOWNLOAD',
      publicaly_available_post_id: [],
      downloaded_bytes: 0,
    });
    h.clock.advance(7_999);
    expect((await status(id)).json.data.status).toBe('PROCESSING_DOWNLOAD');
    h.clock.advance(1);
    const done = await status(id);
    expect(done.json.data).toEqual({
      status: 'PUBLISH_COMPLETE',
      publicaly_available_post_id: [],
      downloaded_bytes: 2_000_000,
    });
    h.clock.advance(30_000);
    const pub = await status(id);
    const postId = h.sb.admin.posts()[0].postIds[0];
    expect(postId).toMatch(/^7\d{18}$/);
    // the wire carries the id as a bare number: JSON.parse would lose precision
    expect(pub.text).toContain(`"publicaly_available_post_id":[${postId}]`);
    expect(String(pub.json.data.publicaly_available_post_id[0])).not.toBe(postId);
    h.sb.admin.setConfig({ postIdsAs: 'string' });
    expect((await status(id)).json.data.publicaly_available_post_id).toEqual([postId]);
  });

  test('non-public direct posts complete without a public post id', async () => {
    const id = (await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb, 'SELF_ONLY'))).json.data.publish_id;
    h.clock.advance(3_600_000);
    expect((await status(id)).json.data).toMatchObject({ status: 'PUBLISH_COMPLETE', publicaly_available_post_id: [] });
  });

  test('file post: PROCESSING_UPLOAD until the last chunk, then processing, then PUBLISH_COMPLETE', async () => {
    const init = await post(h.sb, PATHS.videoInit, h.token, fileInit(100, 100, 1, 'PUBLIC_TO_EVERYONE'));
    const id = init.json.data.publish_id;
    h.clock.advance(600_000);
    expect((await status(id)).json.data.status).toBe('PROCESSING_UPLOAD');
    await put(init.json.data.upload_url, Buffer.alloc(100), 'bytes 0-99/100');
    h.clock.advance(4_999);
    expect((await status(id)).json.data).toEqual({
      status: 'PROCESSING_UPLOAD',
      publicaly_available_post_id: [],
      uploaded_bytes: 100,
    });
    h.clock.advance(1);
    expect((await status(id)).json.data.status).toBe('PUBLISH_COMPLETE');
  });

  test('inbox post: SEND_TO_USER_INBOX until the user publishes the draft (possibly as several posts)', async () => {
    const id = (await post(h.sb, PATHS.inboxInit, h.token, { source_info: urlInit(h.sb).source_info })).json.data
      .publish_id;
    expect(() => h.sb.admin.publishDraft(id)).toThrow(/not SEND_TO_USER_INBOX/);
    h.clock.advance(8_000);
    expect((await status(id)).json.data).toMatchObject({
      status: 'SEND_TO_USER_INBOX',
      publicaly_available_post_id: [],
    });
    h.sb.admin.publishDraft(id, { count: 2 });
    expect((await status(id)).json.data.status).toBe('PUBLISH_COMPLETE');
    h.clock.advance(30_000);
    const ids = h.sb.admin.posts()[0].postIds;
    expect(ids).toHaveLength(2);
    expect((await status(id)).text).toContain(`[${ids[0]},${ids[1]}]`);
  });

  test('inbox file upload: PROCESSING_UPLOAD, then SEND_TO_USER_INBOX after the last chunk and processing', async () => {
    const init = await post(h.sb, PATHS.inboxInit, h.token, {
      source_info: { source: 'FILE_UPLOAD', video_size: 50, chunk_size: 50, total_chunk_count: 1 },
    });
    const id = init.json.data.publish_id;
    expect((await status(id)).json.data).toEqual({
      status: 'PROCESSING_UPLOAD',
      publicaly_available_post_id: [],
      uploaded_bytes: 0,
    });
    await put(init.json.data.upload_url, Buffer.alloc(50), 'bytes 0-49/50');
    h.clock.advance(5_000);
    expect((await status(id)).json.data).toEqual({
      status: 'SEND_TO_USER_INBOX',
      publicaly_available_post_id: [],
      uploaded_bytes: 50,
    });
  });

  test('videoTitleMax knob (older doc: 150)', async () => {
    h.sb.admin.setConfig({ videoTitleMax: 150 });
    const r = await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb, 'SELF_ONLY', 'x'.repeat(151)));
    expect([r.status, r.json.error.message]).toEqual([
      400,
      expect.stringMatching(/post_info\.title is longer than 150/),
    ]);
  });

  test('photo direct post ends PUBLISH_COMPLETE; a missing own-media URL fails with photo_pull_failed', async () => {
    const body = (images: string[]) => ({
      media_type: 'PHOTO',
      post_mode: 'DIRECT_POST',
      post_info: { privacy_level: 'SELF_ONLY' },
      source_info: { source: 'PULL_FROM_URL', photo_images: images, photo_cover_index: 0 },
    });
    const ok = (await post(h.sb, PATHS.contentInit, h.token, body([`${h.sb.url}/media/photo-1.jpg`]))).json.data
      .publish_id;
    const missing = (await post(h.sb, PATHS.contentInit, h.token, body([`${h.sb.url}/media/nope.jpg`]))).json.data
      .publish_id;
    h.clock.advance(10_000);
    expect((await status(ok)).json.data.status).toBe('PUBLISH_COMPLETE');
    expect((await status(missing)).json.data).toMatchObject({ status: 'FAILED', fail_reason: 'photo_pull_failed' });
  });

  test('invalid_publish_id and token_not_authorized_for_specified_publish_id (400)', async () => {
    const id = (await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb))).json.data.publish_id;
    const unknown = await status('v_pub_url~v2.1');
    expect([unknown.status, unknown.json.error.code]).toEqual([400, 'invalid_publish_id']);
    const other = await status(id, h.token2);
    expect([other.status, other.json.error.code]).toEqual([400, 'token_not_authorized_for_specified_publish_id']);
    const missing = await post(h.sb, PATHS.status, h.token, {});
    expect([missing.status, missing.json.error.code]).toEqual([400, 'invalid_param']);
    // extra body fields that look like a reply are just ignored
    const extra = await post(h.sb, PATHS.status, h.token, { publish_id: id, status: 500, errorCode: 'x' });
    expect([extra.status, extra.json.data.status]).toEqual([200, 'PROCESSING_DOWNLOAD']);
  });

  test('cancel works only while a URL download runs, then the post is FAILED publish_cancelled', async () => {
    const id = (await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb))).json.data.publish_id;
    h.clock.advance(1_000);
    const c = await post(h.sb, PATHS.cancel, h.token, { publish_id: id });
    expect(c.status).toBe(200);
    expect(c.json).toEqual({ error: { code: 'ok', message: '', log_id: expect.any(String) } });
    expect((await status(id)).json.data).toMatchObject({ status: 'FAILED', fail_reason: 'publish_cancelled' });
    const again = await post(h.sb, PATHS.cancel, h.token, { publish_id: id });
    expect([again.status, again.json.error.code]).toEqual([400, 'publish_not_cancellable']);

    const late = (await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb))).json.data.publish_id;
    h.clock.advance(3_000); // download finished, now processing
    expect((await post(h.sb, PATHS.cancel, h.token, { publish_id: late })).json.error.code).toBe(
      'publish_not_cancellable',
    );
    const file = (await post(h.sb, PATHS.videoInit, h.token, fileInit(10))).json.data.publish_id;
    expect((await post(h.sb, PATHS.cancel, h.token, { publish_id: file })).json.error.code).toBe(
      'publish_not_cancellable',
    );
    expect((await post(h.sb, PATHS.cancel, h.token2, { publish_id: late })).json.error.code).toBe(
      'token_not_authorized_for_specified_publish_id',
    );
  });

  test('URL verification: own /media/ prefix is verified; other hosts get url_ownership_unverified unless configured', async () => {
    const foreign = {
      post_info: { privacy_level: 'SELF_ONLY' },
      source_info: { source: 'PULL_FROM_URL', video_url: 'https://cdn.example.com/v/a.mp4' },
    };
    const r = await post(h.sb, PATHS.videoInit, h.token, foreign);
    expect([r.status, r.json.error.code]).toEqual([403, 'url_ownership_unverified']);
    const inbox = await post(h.sb, PATHS.inboxInit, h.token, { source_info: foreign.source_info });
    expect([inbox.status, inbox.json.error.code]).toEqual([403, 'url_ownership_unverified']);
    h.sb.admin.setConfig({ verifiedDomains: ['example.com'] });
    expect((await post(h.sb, PATHS.videoInit, h.token, foreign)).status).toBe(200);
    h.sb.admin.setConfig({ verifiedDomains: [], verifiedUrlPrefixes: ['https://cdn.example.com/v/'] });
    expect((await post(h.sb, PATHS.videoInit, h.token, foreign)).status).toBe(200);
    h.clock.advance(60_000);
    h.sb.admin.setConfig({
      verifiedUrlPrefixes: ['https://cdn.example.com/other/'],
      urlOwnershipUnverifiedStatus: 200,
    });
    const as200 = await post(h.sb, PATHS.videoInit, h.token, foreign);
    expect([as200.status, as200.json.error.code]).toEqual([200, 'url_ownership_unverified']);
    expect(h.sb.admin.posts()).toHaveLength(2);
  });
});
