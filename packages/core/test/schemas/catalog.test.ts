import { catalog, fields, fieldsFor, operations, toPostRequest } from '../../src/catalog';
import { buildInitCall } from '../../src/client/bodies';
import { TokpipeError } from '../../src/errors/classify';
import { validatePostRequest } from '../../src/schemas/post';

describe('catalog', () => {
  it('lists the operations adapters offer, each with its fields', () => {
    expect(operations.map((o) => o.id)).toEqual([
      'post_video',
      'post_photos',
      'get_status',
      'get_creator_info',
      'cancel_post',
      'list_videos',
    ]);
    expect(fieldsFor('post_video').map((f) => f.name)).toEqual(
      expect.arrayContaining(['mode', 'videoUrl', 'videoFile', 'title', 'privacyLevel', 'disableDuet', 'isAigc']),
    );
    expect(fieldsFor('post_photos').map((f) => f.name)).toEqual(
      expect.arrayContaining(['photoUrls', 'coverIndex', 'description', 'autoAddMusic']),
    );
    expect(fieldsFor('post_photos').map((f) => f.name)).not.toContain('disableDuet');
    expect(fieldsFor('get_status').map((f) => f.name)).toEqual(['publishId']);
  });

  it('has unique names, a label and a description for every field, and options for every options field', () => {
    expect(new Set(fields.map((f) => f.name)).size).toBe(fields.length);
    for (const f of fields) {
      expect(f.label).toBeTruthy();
      expect(f.description.length).toBeGreaterThan(10);
      if (f.type === 'options') expect(f.options!.length).toBeGreaterThan(1);
    }
  });

  it("carries TikTok's limits and rules, not copies adapters must keep in sync", () => {
    const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
    expect(byName.title!.limits).toMatchObject({ maxLength: 2200, lengthUnit: 'utf16' });
    expect(byName.description!.limits!.maxLength).toBe(4000);
    expect(byName.photoUrls!.limits!.maxItems).toBe(35);
    expect(byName.privacyLevel!.options!.map((o) => o.value)).toEqual([
      'PUBLIC_TO_EVERYONE',
      'MUTUAL_FOLLOW_FRIENDS',
      'FOLLOWER_OF_CREATOR',
      'SELF_ONLY',
    ]);
    expect(byName.privacyLevel!.default).toBeUndefined(); // TikTok's UX rules: no default privacy
    expect(byName.privacyLevel!.requiredInModes).toEqual(['direct']);
    expect(byName.disableDuet!.modes).toEqual(['direct']);
    expect(byName.autoAddMusic!.modes).toEqual(['direct']);
    expect(byName.title!.modes).toBeUndefined();
  });

  it('exposes the polling schedule: 10, 30, 60, 120 s then every 120 s, 5 minute budget', () => {
    expect(catalog.pollSchedule).toEqual({
      delaysMs: [10_000, 30_000, 60_000, 120_000],
      thenEveryMs: 120_000,
      budgetMs: 300_000,
    });
  });
});

describe('toPostRequest', () => {
  const uiDefaults = Object.fromEntries(fields.filter((f) => f.default !== undefined).map((f) => [f.name, f.default]));

  it('turns a direct video form (with every UI default) into a valid request', () => {
    const req = toPostRequest('post_video', {
      ...uiDefaults,
      videoUrl: ' https://media.example.com/a.mp4 ',
      title: 'Hi',
      privacyLevel: 'SELF_ONLY',
      disableDuet: true,
    });
    expect(req).toEqual({
      mode: 'direct',
      media: { type: 'video_url', url: 'https://media.example.com/a.mp4' },
      title: 'Hi',
      privacyLevel: 'SELF_ONLY',
      disableComment: false,
      disableDuet: true,
      disableStitch: false,
      brandContentToggle: false,
      brandOrganicToggle: false,
      isAigc: false,
    });
    expect(() => validatePostRequest(req)).not.toThrow();
  });

  it('drops untouched UI defaults that a draft video does not take, but keeps a real choice so validation names it', () => {
    const draft = toPostRequest('post_video', {
      ...uiDefaults,
      mode: 'draft',
      videoUrl: 'https://media.example.com/a.mp4',
      title: '',
    });
    expect(draft).toEqual({ mode: 'draft', media: { type: 'video_url', url: 'https://media.example.com/a.mp4' } });
    expect(buildInitCall(draft).body).toEqual({
      source_info: { source: 'PULL_FROM_URL', video_url: 'https://media.example.com/a.mp4' },
    });
    const withDuet = toPostRequest('post_video', {
      ...uiDefaults,
      mode: 'draft',
      videoUrl: 'https://media.example.com/a.mp4',
      disableDuet: true,
    });
    expect(() => validatePostRequest(withDuet)).toThrow(/^disableDuet: does not apply to draft/);
  });

  it('reads photo URLs from a list or from comma/newline separated text, and numbers from text', () => {
    const req = toPostRequest('post_photos', {
      ...uiDefaults,
      photoUrls: 'https://a.example/1.jpg,\nhttps://a.example/2.jpg',
      coverIndex: '1',
      privacyLevel: 'SELF_ONLY',
    });
    expect(req.media).toEqual({
      type: 'photo_urls',
      urls: ['https://a.example/1.jpg', 'https://a.example/2.jpg'],
      coverIndex: 1,
    });
    expect(() => validatePostRequest(req)).not.toThrow();
  });

  it('wants exactly one video source', () => {
    const file = { size: 10, read: async () => new Uint8Array(10) };
    expect(() => toPostRequest('post_video', { mode: 'direct' })).toThrow(TokpipeError);
    expect(() => toPostRequest('post_video', { videoUrl: 'https://a.example/x.mp4' }, file)).toThrow(
      /^videoUrl: give a video URL or a video file, not both/,
    );
    expect(toPostRequest('post_video', { mode: 'draft' }, file).media).toEqual({ type: 'video_file', file });
  });
});
