// One post, three platforms, one Idempotency-Key: a CRM row posted from Zapier (appTester), from Make (the IML
// harness) and from n8n (n8n-core's WorkflowExecute), each through its own "via tokpipe server" mode, reaches
// TikTok once. Every platform gets the same post back; the sandbox holds one post and saw one init.
import zapier from 'zapier-platform-core';
import { APP_DIR } from '../../packages/make/generator/write-app';
import { SERVER_CONNECTION } from '../../packages/make/generator/spec/server-mode';
import { MakeHarness } from '../../packages/make/harness';
import { loadApp } from '../../packages/make/harness/load-app';
import {
  CredentialsHost,
  executeWorkflow,
  makeWorkflow,
  PACKAGE,
  shutdownN8n,
} from '../../packages/n8n/test/workflow/n8n-host';
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
  shutdownN8n();
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

  const credentials = new CredentialsHost({ srv: { serverUrl: rig.url, apiKey: key } });
  const workflow = makeWorkflow([
    {
      id: 'n1',
      name: 'Post via server',
      type: `${PACKAGE}.tikTok`,
      typeVersion: 1,
      position: [0, 0],
      credentials: { tokpipeServerApi: { id: 'srv', name: 'tokpipe server' } },
      parameters: {
        authentication: 'tokpipeServer',
        resource: 'video',
        operation: 'post',
        source: 'url',
        videoUrl: row.videoUrl,
        title: row.title,
        privacyLevel: row.privacyLevel,
        additionalFields: { idempotencyKey: row.idempotencyKey },
      },
    },
  ]);
  const { run } = await rig.h.clock.track(executeWorkflow(workflow, 'Post via server', credentials));
  expect(run.data.resultData.error).toBeUndefined();
  const fromN8n = run.data.resultData.runData['Post via server']![0]!.data!.main[0]![0]!.json;

  await rig.h.pipeline.drain();
  expect(fromMake.jobId).toBe(fromZapier.job_id);
  expect(fromN8n.jobId).toBe(fromZapier.job_id);
  expect([fromZapier.reused, fromMake.reused, fromN8n.reused]).toEqual([false, true, true]);
  expect(rig.h.inits('brand')).toBe(1);
  expect(rig.h.posts('brand')).toHaveLength(1);
  expect((await rig.call('GET', '/v1/posts', { key })).json.posts).toHaveLength(1);
});
