import { fileInit, get, PATHS, post, start, urlInit, type Harness } from './helpers';

describe('creator_info and the init endpoints', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await start();
  });
  afterEach(() => h.sb.close());

  test('demo credentials: app, two accounts with the four posting scopes, 127.0.0.1 URL', () => {
    const demo = h.sb.admin.demo();
    expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(demo.accounts).toHaveLength(2);
    for (const a of demo.accounts) {
      expect(a.accessToken).toMatch(/^act\./);
      expect(a.refreshToken).toMatch(/^rft\./);
      for (const s of ['video.publish', 'video.upload', 'user.info.basic', 'video.list'])
        expect(a.scope.split(',')).toContain(s);
    }
  });

  test('creator_info answers the creator fields in the envelope', async () => {
    const r = await post(h.sb, PATHS.creatorInfo, h.token);
    expect(r.status).toBe(200);
    expect(r.json.error).toEqual({ code: 'ok', message: '', log_id: expect.stringMatching(/^\d{14}[0-9A-F]{20}$/) });
    expect(r.json.data).toMatchObject({
      creator_username: 'sandbox_creator',
      creator_nickname: 'Sandbox Creator',
      privacy_level_options: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
      comment_disabled: false,
      duet_disabled: false,
      stitch_disabled: false,
      max_video_post_duration_sec: 600,
    });
    const priv = await post(h.sb, PATHS.creatorInfo, h.token2);
    expect(priv.json.data.privacy_level_options).toEqual(['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY']);
    expect(priv.json.data.duet_disabled).toBe(true);
  });

  test('missing, unknown and expired tokens get 401 access_token_invalid', async () => {
    expect((await post(h.sb, PATHS.creatorInfo, null)).json.error.code).toBe('access_token_invalid');
    const bad = await post(h.sb, PATHS.creatorInfo, 'act.nope');
    expect(bad.status).toBe(401);
    expect(bad.json.error.code).toBe('access_token_invalid');
    const short = h.sb.admin.issueToken(h.openId, { expiresIn: 60 });
    expect((await post(h.sb, PATHS.creatorInfo, short.accessToken)).status).toBe(200);
    h.clock.advance(60_000);
    const expired = await post(h.sb, PATHS.creatorInfo, short.accessToken);
    expect([expired.status, expired.json.error.code]).toEqual([401, 'access_token_invalid']);
  });

  test('scope_not_authorized (401) per endpoint scope', async () => {
    const uploadOnly = h.sb.admin.issueToken(h.openId, { scope: 'user.info.basic,video.upload' }).accessToken;
    for (const path of [PATHS.creatorInfo, PATHS.videoInit]) {
      const r = await post(h.sb, path, uploadOnly, urlInit(h.sb));
      expect([r.status, r.json.error.code]).toEqual([401, 'scope_not_authorized']);
    }
    const publishOnly = h.sb.admin.issueToken(h.openId, { scope: 'video.publish' }).accessToken;
    const inbox = await post(h.sb, PATHS.inboxInit, publishOnly, { source_info: urlInit(h.sb).source_info });
    expect([inbox.status, inbox.json.error.code]).toEqual([401, 'scope_not_authorized']);
    const photo = await post(h.sb, PATHS.contentInit, publishOnly, {
      media_type: 'PHOTO',
      post_mode: 'MEDIA_UPLOAD',
      post_info: {},
      source_info: { source: 'PULL_FROM_URL', photo_images: [`${h.sb.url}/media/photo-1.jpg`], photo_cover_index: 0 },
    });
    expect([photo.status, photo.json.error.code]).toEqual([401, 'scope_not_authorized']);
    // nothing was created by refused requests
    expect(h.sb.admin.posts()).toHaveLength(0);
  });

  test('direct video init by URL and by file returns TikTok-shaped ids and an upload_url', async () => {
    const byUrl = await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb));
    expect(byUrl.status).toBe(200);
    expect(byUrl.json.data.publish_id).toMatch(/^v_pub_url~v2\.\d+$/);
    expect(byUrl.json.data.upload_url).toBeUndefined();
    const byFile = await post(h.sb, PATHS.videoInit, h.token, fileInit(1000));
    expect(byFile.json.data.publish_id).toMatch(/^v_pub_file~v2-1\.\d+$/);
    expect(byFile.json.data.upload_url).toMatch(
      new RegExp(`^${h.sb.url}/upload/video/\\?upload_id=\\d+&upload_token=\\w+$`),
    );
    const posts = h.sb.admin.posts(h.openId);
    expect(posts.map((p) => [p.flow, p.source, p.title, p.privacy])).toEqual([
      ['direct', 'PULL_FROM_URL', 'hello #sandbox', 'PUBLIC_TO_EVERYONE'],
      ['direct', 'FILE_UPLOAD', 'file post', 'SELF_ONLY'],
    ]);
  });

  test('invalid bodies get 400 invalid_param naming the field, and create nothing', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ source_info: urlInit(h.sb).source_info }, /post_info/],
      [
        { post_info: { privacy_level: 'EVERYONE' }, source_info: urlInit(h.sb).source_info },
        /post_info\.privacy_level/,
      ],
      [
        { post_info: { privacy_level: 'SELF_ONLY', title: 'x'.repeat(2201) }, source_info: urlInit(h.sb).source_info },
        /post_info\.title/,
      ],
      [
        { post_info: { privacy_level: 'SELF_ONLY', disable_duet: 'yes' }, source_info: urlInit(h.sb).source_info },
        /post_info\.disable_duet/,
      ],
      [{ post_info: { privacy_level: 'SELF_ONLY' }, source_info: { source: 'FTP' } }, /source_info\.source/],
      [
        { post_info: { privacy_level: 'SELF_ONLY' }, source_info: { source: 'PULL_FROM_URL' } },
        /source_info\.video_url/,
      ],
      [fileInit(1000, 500, 2), /chunk_size/],
      [fileInit(50_000_123, 10_000_000, 4), /total_chunk_count/],
      [fileInit(200_000_000, 100_000_000, 2), /chunk_size/],
      [
        {
          post_info: { privacy_level: 'SELF_ONLY' },
          source_info: { source: 'FILE_UPLOAD', chunk_size: 5, total_chunk_count: 1 },
        },
        /video_size/,
      ],
    ];
    for (const [body, field] of cases) {
      h.clock.advance(10_000); // stay inside 6 inits/min
      const r = await post(h.sb, PATHS.videoInit, h.token, body);
      expect([r.status, r.json.error.code]).toEqual([400, 'invalid_param']);
      expect(r.json.error.message).toMatch(field);
    }
    h.clock.advance(10_000);
    const notJson = await fetch(h.sb.url + PATHS.videoInit, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(notJson.status).toBe(400);
    expect(h.sb.admin.posts()).toHaveLength(0);
  });

  test('the documented 50,000,123-byte plan (chunk 10,000,000 x 5) is accepted', async () => {
    const r = await post(h.sb, PATHS.videoInit, h.token, fileInit(50_000_123, 10_000_000, 5));
    expect(r.status).toBe(200);
  });

  test('privacy_level missing or not among the creator options: 403 privacy_level_option_mismatch', async () => {
    const missing = await post(h.sb, PATHS.videoInit, h.token, {
      post_info: {},
      source_info: urlInit(h.sb).source_info,
    });
    expect([missing.status, missing.json.error.code]).toEqual([403, 'privacy_level_option_mismatch']);
    const privateAccountPublicPost = await post(h.sb, PATHS.videoInit, h.token2, urlInit(h.sb, 'PUBLIC_TO_EVERYONE'));
    expect([privateAccountPublicPost.status, privateAccountPublicPost.json.error.code]).toEqual([
      403,
      'privacy_level_option_mismatch',
    ]);
    expect((await post(h.sb, PATHS.videoInit, h.token2, urlInit(h.sb, 'FOLLOWER_OF_CREATOR'))).status).toBe(200);
  });

  test('inbox video init: v_inbox ids, post_info accepted by default or rejected by config', async () => {
    const r = await post(h.sb, PATHS.inboxInit, h.token, {
      source_info: { source: 'FILE_UPLOAD', video_size: 10, chunk_size: 10, total_chunk_count: 1 },
    });
    expect(r.json.data.publish_id).toMatch(/^v_inbox_file~v2\.\d+$/);
    expect(r.json.data.upload_url).toContain('/upload/video/');
    const withTitle = await post(h.sb, PATHS.inboxInit, h.token, {
      post_info: { title: 'draft' },
      source_info: urlInit(h.sb).source_info,
    });
    expect(withTitle.json.data.publish_id).toMatch(/^v_inbox_url~v2\.\d+$/);
    h.sb.admin.setConfig({ inboxPostInfo: 'reject' });
    const rejected = await post(h.sb, PATHS.inboxInit, h.token, {
      post_info: { title: 'draft' },
      source_info: urlInit(h.sb).source_info,
    });
    expect([rejected.status, rejected.json.error.code]).toEqual([400, 'invalid_param']);
  });

  test('photo content init: direct and media upload, field checks, app version', async () => {
    const photos = [`${h.sb.url}/media/photo-1.jpg`, `${h.sb.url}/media/photo-2.jpg`];
    const body = (mode: string, extra: object = {}) => ({
      media_type: 'PHOTO',
      post_mode: mode,
      post_info: { title: 'photos', description: 'two', privacy_level: 'PUBLIC_TO_EVERYONE', ...extra },
      source_info: { source: 'PULL_FROM_URL', photo_images: photos, photo_cover_index: 1 },
    });
    const direct = await post(h.sb, PATHS.contentInit, h.token, body('DIRECT_POST'));
    expect(direct.json.data.publish_id).toMatch(/^p_pub_url~v2\.\d+$/);
    const upload = await post(h.sb, PATHS.contentInit, h.token, body('MEDIA_UPLOAD'));
    expect(upload.json.data.publish_id).toMatch(/^p_inbox_url~v2\.\d+$/);
    const longTitle = await post(h.sb, PATHS.contentInit, h.token, body('DIRECT_POST', { title: 'x'.repeat(91) }));
    expect([longTitle.status, longTitle.json.error.message]).toEqual([400, expect.stringMatching(/post_info\.title/)]);
    const video = await post(h.sb, PATHS.contentInit, h.token, { ...body('DIRECT_POST'), media_type: 'VIDEO' });
    expect(video.json.error.message).toMatch(/media_type/);
    h.clock.advance(60_000);
    const fileSource = await post(h.sb, PATHS.contentInit, h.token, {
      ...body('DIRECT_POST'),
      source_info: { source: 'FILE_UPLOAD' },
    });
    expect(fileSource.json.error.message).toMatch(/source_info\.source/);
    const tooMany = await post(h.sb, PATHS.contentInit, h.token, {
      ...body('DIRECT_POST'),
      source_info: { source: 'PULL_FROM_URL', photo_images: new Array(36).fill(photos[0]), photo_cover_index: 0 },
    });
    expect(tooMany.json.error.message).toMatch(/photo_images/);
    const badCover = await post(h.sb, PATHS.contentInit, h.token, {
      ...body('DIRECT_POST'),
      source_info: { source: 'PULL_FROM_URL', photo_images: photos, photo_cover_index: 2 },
    });
    expect(badCover.json.error.message).toMatch(/photo_cover_index/);
    h.clock.advance(60_000);
    h.sb.admin.updateUser(h.openId, { appVersion: '31.7' });
    const old = await post(h.sb, PATHS.contentInit, h.token, body('MEDIA_UPLOAD'));
    expect([old.status, old.json.error.code]).toEqual([400, 'app_version_check_failed']);
    expect(h.sb.admin.posts()).toHaveLength(2);
  });

  test('unknown path 404, wrong method 405', async () => {
    expect((await get(h.sb, '/v2/nope/')).status).toBe(404);
    expect((await get(h.sb, PATHS.videoInit, h.token)).status).toBe(405);
  });
});
