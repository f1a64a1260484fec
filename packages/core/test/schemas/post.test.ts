import { TokpipeError } from '../../src/errors/classify';
import { buildInitCall, checkAgainstCreatorInfo } from '../../src/client/bodies';
import { validatePostRequest } from '../../src/schemas/post';
import { authorizeParamsSchema } from '../../src/schemas/options';
import { parseInput } from '../../src/schemas/format';
import type { ByteSource, PostRequest } from '../../src/types';

const video = (extra: Partial<PostRequest> = {}): PostRequest => ({
  mode: 'direct',
  media: { type: 'video_url', url: 'https://media.example.com/v/clip.mp4' },
  privacyLevel: 'SELF_ONLY',
  ...extra,
});
const photos = (n: number, extra: Partial<PostRequest> = {}): PostRequest => ({
  mode: 'direct',
  media: { type: 'photo_urls', urls: Array.from({ length: n }, (_, i) => `https://media.example.com/p/${i}.jpg`) },
  privacyLevel: 'PUBLIC_TO_EVERYONE',
  ...extra,
});
const file = (size: number): ByteSource => ({ size, read: async (_o, l) => new Uint8Array(l) });

function rejection(req: unknown, limits = {}): TokpipeError {
  try {
    validatePostRequest(req, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(TokpipeError);
    return error as TokpipeError;
  }
  throw new Error('expected validatePostRequest to throw');
}

describe('validatePostRequest', () => {
  it('accepts a valid direct video, draft video file, and photo carousel unchanged', () => {
    const source = file(1234);
    const draft: PostRequest = { mode: 'draft', media: { type: 'video_file', file: source } };
    expect(validatePostRequest(video({ title: 'hi #tag' }))).toEqual(video({ title: 'hi #tag' }));
    const checked = validatePostRequest(draft);
    expect((checked.media as { file: ByteSource }).file).toBe(source); // the same object, methods intact
    expect(validatePostRequest(photos(35, { title: 't', description: 'd', autoAddMusic: true }))).toBeTruthy();
  });

  it('counts the title in UTF-16 units: 2200 for video (configurable), 90 for photos', () => {
    const emoji = '😀'; // 2 UTF-16 units
    expect(() => validatePostRequest(video({ title: emoji.repeat(1100) }))).not.toThrow();
    const tooLong = rejection(video({ title: emoji.repeat(1100) + 'x' }));
    expect(tooLong.details).toMatchObject({ layer: 'input', field: 'title', disposition: 'fix_input' });
    expect(tooLong.message).toContain('2201');
    expect(rejection(video({ title: 'x'.repeat(151) }), { maxVideoTitleLength: 150 }).details.field).toBe('title');
    expect(rejection(photos(1, { title: 'x'.repeat(91) })).message).toMatch(/at most 90/);
  });

  it('limits the photo description to 4000 and refuses it on videos', () => {
    expect(rejection(photos(1, { description: 'x'.repeat(4001) })).details.field).toBe('description');
    expect(rejection(video({ description: 'd' })).message).toMatch(
      /^description: does not apply to direct video posts/,
    );
  });

  it('allows 1 to 35 photos and a cover index inside the list', () => {
    expect(rejection(photos(36)).details.field).toBe('media.urls');
    expect(rejection(photos(0)).details.field).toBe('media.urls');
    const badCover = photos(3);
    (badCover.media as { coverIndex?: number }).coverIndex = 3;
    const error = rejection(badCover);
    expect(error.details.field).toBe('media.coverIndex');
    expect(error.message).toMatch(/only 3 photos/);
  });

  it('requires https media URLs, naming the exact list entry', () => {
    expect(
      rejection(video({ media: { type: 'video_url', url: 'http://media.example.com/a.mp4' } })).details.field,
    ).toBe('media.url');
    const p = photos(3);
    (p.media as { urls: string[] }).urls[2] = 'ftp://x/y.jpg';
    expect(rejection(p).details.field).toBe('media.urls[2]');
    expect(rejection(video({ media: { type: 'video_url', url: 'not a url' } })).details.field).toBe('media.url');
    // The sandbox serves media on loopback http: allowed by default, refusable.
    const local = video({ media: { type: 'video_url', url: 'http://127.0.0.1:4010/media/a.mp4' } });
    expect(() => validatePostRequest(local)).not.toThrow();
    expect(rejection(local, { allowLoopbackHttp: false }).details.field).toBe('media.url');
  });

  it('requires a privacy level from the enum for direct posts, and none for drafts', () => {
    expect(rejection(video({ privacyLevel: undefined })).message).toMatch(
      /^privacyLevel: is required for direct video posts/,
    );
    expect(rejection(video({ privacyLevel: 'FRIENDS' as never })).details.field).toBe('privacyLevel');
    expect(
      rejection({
        mode: 'draft',
        media: { type: 'video_url', url: 'https://a.example/x.mp4' },
        privacyLevel: 'SELF_ONLY',
      }).message,
    ).toMatch(/^privacyLevel: does not apply to draft \(inbox\) videos/);
  });

  it('refuses post details on draft videos (the inbox upload takes no post_info)', () => {
    const error = rejection({
      mode: 'draft',
      media: { type: 'video_url', url: 'https://a.example/x.mp4' },
      title: 'caption',
    });
    expect(error.details.field).toBe('title');
    expect(error.message).toMatch(/creator adds them in the TikTok app/);
  });

  it('refuses fields of other post kinds (duet on photos, music on video) and unknown fields', () => {
    expect(rejection(photos(1, { disableDuet: true })).details.field).toBe('disableDuet');
    expect(rejection(video({ autoAddMusic: true })).details.field).toBe('autoAddMusic');
    expect(rejection({ ...video(), titel: 'typo' }).details.field).toBe('titel');
    expect(rejection({ ...video(), mode: 'later' }).details.field).toBe('mode');
  });

  it('checks files: positive size, at most 4 GB, a read function', () => {
    expect(rejection({ mode: 'draft', media: { type: 'video_file', file: file(0) } }).details.field).toBe(
      'media.file.size',
    );
    expect(
      rejection({ mode: 'draft', media: { type: 'video_file', file: file(4 * 1024 ** 3 + 1) } }).details.field,
    ).toBe('media.file.size');
    expect(rejection({ mode: 'draft', media: { type: 'video_file', file: { size: 10 } } }).details.field).toBe(
      'media.file.read',
    );
  });

  it('refuses what the API cannot do as structural, before field checks', () => {
    const cases: Array<[string, string]> = [
      ['soundUrl', 'sound_by_url'],
      ['soundId', 'sound_by_id'],
      ['location', 'location'],
      ['effects', 'effects'],
      ['overlays', 'overlays'],
    ];
    for (const [field, code] of cases) {
      const error = rejection({ ...video({ privacyLevel: undefined }), unsupported: { [field]: 'x' } });
      expect([error.details.layer, error.details.code, error.details.field]).toEqual([
        'structural',
        code,
        `unsupported.${field}`,
      ]);
    }
  });

  it('lists every field problem in one message', () => {
    const error = rejection({
      mode: 'direct',
      media: { type: 'photo_urls', urls: ['http://x.example/a.jpg'] },
      disableDuet: 'yes',
    });
    expect(error.details.field).toBe('media.urls[0]');
    expect(error.message).toMatch(/also: disableDuet must be true or false/);
  });
});

describe('buildInitCall', () => {
  it('direct URL video → video/init with post_info and PULL_FROM_URL', () => {
    const call = buildInitCall(video({ title: 'T', disableComment: true, isAigc: true }));
    expect(call).toEqual({
      endpoint: 'video_init',
      body: {
        post_info: { title: 'T', privacy_level: 'SELF_ONLY', disable_comment: true, is_aigc: true },
        source_info: { source: 'PULL_FROM_URL', video_url: 'https://media.example.com/v/clip.mp4' },
      },
    });
  });

  it('draft file video → inbox/video/init with source_info only and the chunk plan', () => {
    const call = buildInitCall({ mode: 'draft', media: { type: 'video_file', file: file(50_000_123) } });
    expect(call.endpoint).toBe('inbox_video_init');
    expect(call.body).toEqual({
      source_info: { source: 'FILE_UPLOAD', video_size: 50_000_123, chunk_size: 10_000_000, total_chunk_count: 5 },
    });
  });

  it('photos → content/init with post_mode, cover index and PULL_FROM_URL', () => {
    const direct = buildInitCall(photos(2, { title: 'P', autoAddMusic: true }));
    expect(direct.body).toEqual({
      media_type: 'PHOTO',
      post_mode: 'DIRECT_POST',
      post_info: { title: 'P', privacy_level: 'PUBLIC_TO_EVERYONE', auto_add_music: true },
      source_info: {
        source: 'PULL_FROM_URL',
        photo_images: ['https://media.example.com/p/0.jpg', 'https://media.example.com/p/1.jpg'],
        photo_cover_index: 0,
      },
    });
    const draft = buildInitCall({
      mode: 'draft',
      media: { type: 'photo_urls', urls: ['https://a.example/1.jpg'], coverIndex: 0 },
      description: 'D',
    });
    expect(draft.body).toMatchObject({ post_mode: 'MEDIA_UPLOAD', post_info: { description: 'D' } });
  });

  it('refuses a privacy level the creator does not offer', () => {
    expect(() =>
      checkAgainstCreatorInfo(video({ privacyLevel: 'PUBLIC_TO_EVERYONE' }), {
        privacyLevelOptions: ['FOLLOWER_OF_CREATOR', 'SELF_ONLY'],
      }),
    ).toThrow(/^privacyLevel: PUBLIC_TO_EVERYONE is not offered/);
    expect(() => checkAgainstCreatorInfo(video(), { privacyLevelOptions: ['SELF_ONLY'] })).not.toThrow();
  });
});

describe('OAuth input schemas', () => {
  it('names the wrong field', () => {
    expect(() =>
      parseInput(
        authorizeParamsSchema,
        { clientKey: 'ck', scopes: ['video.publish,video.upload'], redirectUri: 'https://a.example/cb', state: 's' },
        'authorize',
      ),
    ).toThrow(/^authorize\.scopes\[0\]: must be a scope name/);
    expect(() =>
      parseInput(
        authorizeParamsSchema,
        { clientKey: '', scopes: ['video.publish'], redirectUri: 'https://a.example/cb', state: 's' },
        'authorize',
      ),
    ).toThrow(/^authorize\.clientKey: must not be empty/);
  });
});
