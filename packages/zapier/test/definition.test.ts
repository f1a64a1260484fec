// The app definition: what Zapier's remote checks require (offline), fields generated from core's
// catalog, and the platform settings that do the cross-run work (throttle, lock).
import { fieldsFor } from '@tokpipe/core';
import zapier from 'zapier-platform-core';
import pkg from '../package.json';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const App = require('../src/index');

const groups = { creates: App.creates, searches: App.searches, triggers: App.triggers } as Record<
  string,
  Record<string, any>
>;
const actions = Object.entries(groups).flatMap(([group, items]) =>
  Object.entries(items).map(([key, action]) => [`${group}.${key}`, action] as const),
);

describe('definition', () => {
  it('has every create, search and trigger the issue names', () => {
    expect(Object.keys(App.creates).sort()).toEqual(['post_photos', 'post_video', 'upload_video_draft']);
    expect(Object.keys(App.searches).sort()).toEqual(['find_post_status', 'get_creator_info']);
    expect(Object.keys(App.triggers).sort()).toEqual([
      'new_published_video',
      'post_status_changed',
      'privacy_level_options',
    ]);
  });

  it.each(actions)('%s has a sample and output fields covering it', (_key, action) => {
    const { sample, outputFields } = action.operation;
    expect(sample).toEqual(expect.any(Object));
    expect(outputFields.length).toBeGreaterThan(0);
    for (const field of outputFields as Array<{ key: string }>)
      expect(Object.keys(sample)).toContain(field.key.replace('[]', ''));
  });

  it("validates with zapier-platform-core's own schema check", async () => {
    // createAppHandler is what the CLI calls; its .d.ts does not declare it.
    const handler = (
      zapier as unknown as { createAppHandler(app: unknown): (event: unknown) => Promise<{ results: unknown[] }> }
    ).createAppHandler(App);
    const results = (await handler({ command: 'validate', bundle: {} })).results;
    expect(results).toEqual([]);
  });

  it("creates queue at TikTok's 6 inits/min per connection and run one at a time per connection", () => {
    for (const create of Object.values(App.creates) as any[]) {
      expect(create.operation.throttle).toEqual({ window: 60, limit: 6, scope: ['auth'], retry: true });
      expect(create.operation.lock).toMatchObject({ scope: ['auth'] });
    }
  });

  it("Post Video's fields are the catalog's direct-post video fields; privacy is a live dropdown with no default", () => {
    const fields = App.creates.post_video.operation.inputFields as Array<Record<string, any>>;
    const expected = fieldsFor('post_video').filter(
      (f) => f.name !== 'mode' && f.name !== 'waitForCompletion' && (!f.modes || f.modes.includes('direct')),
    );
    expect(fields.map((f) => f.key)).toEqual(expected.map((f) => f.name));
    const privacy = fields.find((f) => f.key === 'privacyLevel')!;
    expect(privacy).toMatchObject({ required: true, dynamic: 'privacy_level_options.id.label' });
    expect(privacy.default).toBeUndefined();
    expect(fields.filter((f) => f.type === 'boolean').every((f) => f.default === undefined)).toBe(true);
  });

  it('Upload Video as Draft shows no direct-only fields', () => {
    const keys = (App.creates.upload_video_draft.operation.inputFields as Array<{ key: string }>).map((f) => f.key);
    expect(keys).toContain('videoUrl');
    expect(keys).not.toContain('privacyLevel');
    expect(keys).not.toContain('disableDuet');
  });

  it('Post Photos recomputes its fields from the chosen mode', () => {
    const [mode, rest] = App.creates.post_photos.operation.inputFields;
    expect(mode).toMatchObject({ key: 'mode', altersDynamicFields: true });
    const keysFor = (m: string) => (rest({}, { inputData: { mode: m } }) as Array<{ key: string }>).map((f) => f.key);
    expect(keysFor('direct')).toEqual(expect.arrayContaining(['photoUrls', 'privacyLevel', 'autoAddMusic']));
    expect(keysFor('draft')).not.toContain('privacyLevel');
    expect(keysFor('draft')).toContain('photoUrls');
  });

  it('OAuth2 refreshes on 401 (autoRefresh) and keeps open_id as a computed field', () => {
    expect(App.authentication.oauth2Config.autoRefresh).toBe(true);
    expect(App.authentication.fields).toEqual([expect.objectContaining({ key: 'open_id', computed: true })]);
    expect(App.version).toBe(pkg.version);
  });
});
