// One post, three platforms, one Idempotency-Key: a CRM row posted from Zapier, from Make and from n8n (each
// through its own "via tokpipe server" mode, run the way its platform runs it) reaches TikTok once. Every
// platform gets the same post back; the sandbox holds one post and saw one init.
import zapier from 'zapier-platform-core';
import { APP_DIR } from '../../packages/make/generator/write-app';
import { SERVER_CONNECTION } from '../../packages/make/generator/spec/server-mode';
import { MakeHarness } from '../../packages/make/harness';
import { loadApp } from '../../packages/make/harness/load-app';
import { startRig, type Rig } from '../../packages/server/test/helpers';
import { overrideRuntime } from '../../packages/zapier/src/lib/common/runtime';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ZapierServerApp = require('../../packages/zapier/src/server');

let rig: Rig;
let restore: () => void;
beforeAll(async () => {
  rig = await startRig();
  restore = overrideRuntime({ clock: rig.h.clock, wrapTransport: (t) => rig.h.clock.trackTransport(t) });
});
afterAll(async () => {
  restore?.();
  await rig?.close();
});

test('the same row through Zapier, Make and n8n with one Idempotency-Key: one TikTok post', async () => {
  const key = await rig.key('post');
  const row = {
    videoUrl: `${rig.h.sb.url}/media/sample.mp4`,
    title: 'Spring drop, row 42 #tokpipe',
    privacyLevel: 'SELF_ONLY',
    idempotencyKey: 'crm-row-42',
  };

  const zap = zapier.createAppTester(ZapierServerApp);
  const fromZapier: Record<string, unknown> = await zap(ZapierServerApp.creates.post_video.operation.perform, {
    authData: { serverUrl: rig.url, apiKey: key },
    // Zapier hands booleans over as words, and its form sends the switches the user left alone.
    inputData: { ...row, disableComment: 'false', disableDuet: 'false' },
  } as never);

  const make = new MakeHarness({ app: loadApp(APP_DIR), hosts: {}, clock: rig.h.clock, common: {} });
  const conn = await rig.h.clock.track(make.connectBasic(SERVER_CONNECTION, { serverUrl: rig.url, apiKey: key }));
  const fromMake = (await rig.h.clock.track(
    make.runModule('postVideoViaServer', conn, { mode: 'direct', ...row }),
  )) as Record<string, unknown>;

  await rig.h.pipeline.drain();
  expect(fromMake.jobId).toBe(fromZapier.job_id);
  expect(fromMake.reused).toBe(true);
  expect(rig.h.inits('brand')).toBe(1);
  expect(rig.h.posts('brand')).toHaveLength(1);
  expect((await rig.call('GET', '/v1/posts', { key })).json.posts).toHaveLength(1);
});
