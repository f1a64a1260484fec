// Every module that calls TikTok, under the same faults: 429 → RateLimitError, 5xx → ConnectionError
// (or, for a gateway page on a post-creating call, RuntimeError: the outcome is unknown).
import { calls, failure, world, type World } from './helpers';
import { engineOutcome } from '../harness';

let w: World;
afterEach(async () => {
  await w?.close();
});

type Run = (w: World) => Promise<unknown>;
const video = (w: World) => w.media('sample.mp4');
const FILE = Buffer.from('\0\0\0\x18ftypisom-sample-bytes', 'latin1');

/** module, the sandbox endpoint it calls first, does it create a post, how to run it. */
const MODULES: Array<[string, string, boolean, Run]> = [
  [
    'postVideo',
    'video.init',
    true,
    (w) =>
      w.h.runModule('postVideo', w.conn, { videoUrl: video(w), privacyLevel: 'SELF_ONLY', waitForCompletion: false }),
  ],
  [
    'uploadVideoDraft',
    'inbox.init',
    true,
    (w) => w.h.runModule('uploadVideoDraft', w.conn, { videoUrl: video(w), waitForCompletion: false }),
  ],
  [
    'startVideoFilePost',
    'video.init',
    true,
    (w) => w.h.runModule('startVideoFilePost', w.conn, { fileName: 'clip.mp4', data: FILE, privacyLevel: 'SELF_ONLY' }),
  ],
  [
    'startVideoFileDraft',
    'inbox.init',
    true,
    (w) => w.h.runModule('startVideoFileDraft', w.conn, { fileName: 'clip.mp4', data: FILE }),
  ],
  [
    'sendVideoFile',
    'status',
    false,
    async (w) => {
      const { uploadHandle } = await w.h.runModule('startVideoFileDraft', w.conn, { fileName: 'clip.mp4', data: FILE });
      return w.h.runModule('sendVideoFile', w.conn, {
        uploadHandle,
        fileName: 'clip.mp4',
        data: FILE,
        waitForCompletion: false,
      });
    },
  ],
  [
    'postPhotos',
    'content.init',
    true,
    (w) =>
      w.h.runModule('postPhotos', w.conn, {
        mode: 'draft',
        photoUrls: [w.media('photo-1.jpg')],
        waitForCompletion: false,
      }),
  ],
  ['getPostStatus', 'status', false, (w) => w.h.runModule('getPostStatus', w.conn, { publishId: 'v_pub_url~v2.1' })],
  ['waitForPost', 'status', false, (w) => w.h.runModule('waitForPost', w.conn, { publishId: 'v_pub_url~v2.1' })],
  ['getCreatorInfo', 'creator_info', false, (w) => w.h.runModule('getCreatorInfo', w.conn)],
  ['cancelPost', 'cancel', false, (w) => w.h.runModule('cancelPost', w.conn, { publishId: 'v_pub_url~v2.1' })],
  ['watchNewVideos', 'video.list', false, (w) => w.h.pollTrigger('watchNewVideos', w.conn, { limit: 10 }, {})],
  ['listPrivacyOptions (RPC)', 'creator_info', false, (w) => w.h.runRpc('listPrivacyOptions', w.conn)],
];

describe.each(MODULES)('%s', (_name, endpoint, createsPost, run) => {
  test('429 → RateLimitError, retried by Make', async () => {
    w = await world();
    w.sb.admin.script(endpoint, [{ kind: 'rate_limit' }]);
    const err = await failure(() => run(w));
    expect(err).toMatchObject({ type: 'RateLimitError', statusCode: 429 });
    expect(err.message).toContain('rate_limit_exceeded');
    expect(engineOutcome(err)).toBe('retried');
    expect(calls(w.sb, endpoint)).toHaveLength(1);
    expect(calls(w.sb, 'upload')).toHaveLength(0); // a failed init never reaches the upload
  });

  test('5xx internal_error → ConnectionError, retried by Make', async () => {
    w = await world();
    w.sb.admin.script(endpoint, [{ kind: 'server_error', status: 500, body: 'json' }]);
    const err = await failure(() => run(w));
    expect(err).toMatchObject({ type: 'ConnectionError', statusCode: 500 });
    expect(err.message).toContain('internal_error');
  });

  test(`a 503 gateway page → ${createsPost ? 'RuntimeError (unknown outcome, not retried)' : 'ConnectionError'}`, async () => {
    w = await world();
    w.sb.admin.script(endpoint, [{ kind: 'server_error', status: 503, body: 'html' }]);
    const err = await failure(() => run(w));
    expect(err.type).toBe(createsPost ? 'RuntimeError' : 'ConnectionError');
    expect(engineOutcome(err)).toBe(createsPost ? 'stopped' : 'retried');
    expect(calls(w.sb, 'upload')).toHaveLength(0);
  });
});
