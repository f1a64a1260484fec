// The server-mode app definition (src/server.ts): what Zapier's remote checks require (offline), its
// custom auth, the hook trigger's REST-hook members, and fields from core (catalog + server inputs).
import { PRIVACY_OPTIONS, SERVER_EVENT_OPTIONS } from '@tokpipe/core';
import zapier from 'zapier-platform-core';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ServerApp = require('../src/server');

const actions = [
  ...Object.entries(ServerApp.creates as Record<string, any>).map(([k, a]) => [`creates.${k}`, a] as const),
  ...Object.entries(ServerApp.triggers as Record<string, any>).map(([k, a]) => [`triggers.${k}`, a] as const),
];

it('has the three creates, one instant trigger and the hidden account list, nothing that needs a TikTok token', () => {
  expect(Object.keys(ServerApp.creates).sort()).toEqual(['post_photos', 'post_video', 'upload_video_draft']);
  expect(Object.keys(ServerApp.triggers)).toEqual(['server_event', 'server_accounts']);
  expect(ServerApp.triggers.server_accounts.display.hidden).toBe(true);
  expect(ServerApp.searches).toBeUndefined();
});

it.each(actions)('%s has a sample and output fields covering it', (_key, action) => {
  const { sample, outputFields } = action.operation;
  expect(outputFields.length).toBeGreaterThan(0);
  for (const field of outputFields as Array<{ key: string }>)
    expect(Object.keys(sample)).toContain(field.key.replace('[]', ''));
});

it("validates with zapier-platform-core's own schema check", async () => {
  const handler = (
    zapier as unknown as { createAppHandler(app: unknown): (event: unknown) => Promise<{ results: unknown[] }> }
  ).createAppHandler(ServerApp);
  expect((await handler({ command: 'validate', bundle: {} })).results).toEqual([]);
});

it('connects with a server URL and an API key (a password field), tested against the server', () => {
  const auth = ServerApp.authentication;
  expect(auth.type).toBe('custom');
  expect(auth.fields.map((f: any) => [f.key, f.type, f.required])).toEqual([
    ['serverUrl', 'string', true],
    ['apiKey', 'password', true],
  ]);
  expect(auth.test).toEqual(expect.any(Function));
});

it("the trigger is a REST hook over core's event list", () => {
  const op = ServerApp.triggers.server_event.operation;
  expect(op.type).toBe('hook');
  for (const member of ['performSubscribe', 'performUnsubscribe', 'perform', 'performList'])
    expect(op[member]).toEqual(expect.any(Function));
  expect(op.inputFields[0].choices.map((c: any) => c.value)).toEqual(SERVER_EVENT_OPTIONS.map((o) => o.value));
});

it("Post Video offers privacy from core's list (no live dropdown: no TikTok token), the account and serverUpload", () => {
  const fields = ServerApp.creates.post_video.operation.inputFields as Array<Record<string, any>>;
  const privacy = fields.find((f) => f.key === 'privacyLevel')!;
  expect(privacy.dynamic).toBeUndefined();
  expect(privacy.choices.map((c: any) => c.value)).toEqual(PRIVACY_OPTIONS.map((o) => o.value));
  expect(fields.map((f) => f.key)).toEqual(
    expect.arrayContaining(['videoUrl', 'videoFile', 'account', 'serverUpload']),
  );
  const [, rest] = ServerApp.creates.post_photos.operation.inputFields;
  const photoKeys = (rest({}, { inputData: { mode: 'draft' } }) as Array<{ key: string }>).map((f) => f.key);
  expect(photoKeys).toContain('account');
  expect(photoKeys).not.toContain('serverUpload');
  expect(photoKeys).not.toContain('privacyLevel');
});
