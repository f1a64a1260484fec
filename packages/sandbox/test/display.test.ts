import * as jpeg from 'jpeg-js';
import { get, PATHS, post, start, urlInit, type Harness } from './helpers';

describe('user info, video list, sample media', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await start({ config: { downloadDelayMs: 1_000, processingDelayMs: 1_000, moderationDelayMs: 1_000 } });
  });
  afterEach(() => h.sb.close());

  test('user info: data.user with the requested fields; scope rules', async () => {
    const r = await get(
      h.sb,
      `${PATHS.userInfo}?fields=open_id,union_id,display_name,avatar_url,username,follower_count`,
      h.token,
    );
    expect(r.status).toBe(200);
    expect(r.json.data.user).toEqual({
      open_id: h.openId,
      union_id: expect.any(String),
      display_name: 'Sandbox Creator',
      avatar_url: `${h.sb.url}/media/avatar.jpg`,
      username: 'sandbox_creator',
      follower_count: 0,
    });
    const basicOnly = h.sb.admin.issueToken(h.openId, { scope: 'user.info.basic' }).accessToken;
    const missed = await get(h.sb, `${PATHS.userInfo}?fields=open_id,bio_description`, basicOnly);
    expect([missed.status, missed.json.error.code]).toEqual([400, 'scope_permission_missed']);
    const noBasic = h.sb.admin.issueToken(h.openId, { scope: 'video.publish' }).accessToken;
    const denied = await get(h.sb, `${PATHS.userInfo}?fields=open_id`, noBasic);
    expect([denied.status, denied.json.error.code]).toEqual([401, 'scope_not_authorized']);
    const noFields = await get(h.sb, PATHS.userInfo, h.token);
    expect([noFields.status, noFields.json.error.code]).toEqual([400, 'invalid_params']);
    const unknown = await get(h.sb, `${PATHS.userInfo}?fields=open_id,shoe_size`, h.token);
    expect(unknown.json.error.message).toMatch(/shoe_size/);
  });

  test('video list: public moderated videos only, newest first, cursor/has_more, ids as raw 19-digit numbers', async () => {
    for (let i = 0; i < 3; i++) {
      await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb, 'PUBLIC_TO_EVERYONE', `video ${i}`));
      h.clock.advance(1_000);
    }
    await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb, 'SELF_ONLY', 'private one'));
    h.clock.advance(10_000);
    const page1 = await post(h.sb, `${PATHS.videoList}?fields=id,title,create_time`, h.token, { max_count: 2 });
    expect(page1.status).toBe(200);
    expect(page1.json.data.videos.map((v: { title: string }) => v.title)).toEqual(['video 2', 'video 1']);
    expect(page1.json.data.has_more).toBe(true);
    const ids = h.sb.admin.posts().map((p) => p.postIds[0]);
    expect(page1.text).toContain(`"id":${ids[2]}`);
    const page2 = await post(h.sb, `${PATHS.videoList}?fields=id,title`, h.token, {
      max_count: 2,
      cursor: page1.json.data.cursor,
    });
    expect(page2.json.data.videos.map((v: { title: string }) => v.title)).toEqual(['video 0']);
    expect(page2.json.data.has_more).toBe(false);
    const other = await post(h.sb, `${PATHS.videoList}?fields=id`, h.token2, {});
    expect(other.json.data.videos).toEqual([]);
    const bad = await post(h.sb, `${PATHS.videoList}?fields=id`, h.token, { max_count: 21 });
    expect([bad.status, bad.json.error.code]).toEqual([400, 'invalid_params']);
    const noScope = h.sb.admin.issueToken(h.openId, { scope: 'video.publish' }).accessToken;
    expect((await post(h.sb, `${PATHS.videoList}?fields=id`, noScope, {})).json.error.code).toBe(
      'scope_not_authorized',
    );
  });

  test('/media/ serves JPEGs that an independent decoder reads, and a well-formed MP4', async () => {
    for (const [name, w, hgt] of [
      ['photo-1.jpg', 1080, 1352],
      ['photo-3.jpg', 1080, 1080],
    ] as const) {
      const res = await fetch(`${h.sb.url}/media/${name}`);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      const img = jpeg.decode(Buffer.from(await res.arrayBuffer()), { useTArray: true });
      expect([img.width, img.height]).toEqual([w, hgt]);
    }
    const red = jpeg.decode(Buffer.from(await (await fetch(`${h.sb.url}/media/photo-2.jpg`)).arrayBuffer()), {
      useTArray: true,
    });
    const [r, g, b] = [red.data[0], red.data[1], red.data[2]];
    expect(Math.abs(r - 254) + Math.abs(g - 44) + Math.abs(b - 85)).toBeLessThan(12);

    const mp4 = Buffer.from(await (await fetch(`${h.sb.url}/media/sample.mp4`)).arrayBuffer());
    // top-level boxes tile the file exactly
    const top: string[] = [];
    for (let off = 0; off < mp4.length; off += mp4.readUInt32BE(off))
      top.push(mp4.toString('latin1', off + 4, off + 8));
    expect(top).toEqual(['ftyp', 'moov', 'mdat']);
    // the sample table points at real JPEG frames inside mdat
    const stco = mp4.indexOf('stco', 0, 'latin1');
    const firstFrame = mp4.readUInt32BE(stco + 12);
    const stsz = mp4.indexOf('stsz', 0, 'latin1');
    const frameCount = mp4.readUInt32BE(stsz + 12);
    const frameSize = mp4.readUInt32BE(stsz + 16);
    expect(frameCount).toBe(30);
    const frame = mp4.subarray(firstFrame, firstFrame + frameSize);
    expect(jpeg.decode(frame, { useTArray: true }).width).toBe(360);
    expect(firstFrame + frameCount * frameSize).toBe(mp4.length);
    expect((await fetch(`${h.sb.url}/media/missing.mp4`)).status).toBe(404);
  });

  test('media takes faults like any endpoint, and answers HEAD with the size', async () => {
    h.sb.admin.script('media', [{ kind: 'server_error', status: 503, body: 'html' }]);
    expect((await fetch(`${h.sb.url}/media/photo-1.jpg`)).status).toBe(503);
    const head = await fetch(`${h.sb.url}/media/photo-1.jpg`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(1000);
    expect(h.sb.admin.requests({ endpoint: 'media' }).map((r) => [r.method, r.status, r.fault])).toEqual([
      ['GET', 503, 'server_error'],
      ['HEAD', 200, null],
    ]);
  });
});
