// serverUpload: the server downloads the video itself and posts the file (FILE_UPLOAD), so a URL TikTok
// cannot pull (an unverified domain) or a file too big for a platform still posts. The same body is one
// download and one post; a URL that does not answer is refused before anything is queued.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { eventually, postBody, startRig, type Rig } from './helpers';

let rig: Rig;
let dir: string;
let key: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-pull-'));
  rig = await startRig({ server: { pull: { dir, allowLoopbackHttp: true } } });
  key = await rig.key('post');
});
afterAll(async () => {
  await rig?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const downloads = () => rig.h.sb.admin.requests({}).filter((r) => r.endpoint === 'media').length;

test('the server pulls the video and uploads it; the same body again is the same post, not a new download', async () => {
  const body = postBody(rig.h.sb.url, { serverUpload: true });
  const headers = { 'idempotency-key': 'pull-1' };
  const created = await rig.call('POST', '/v1/posts', { key, body, headers });
  expect(created.status).toBe(201);
  expect(downloads()).toBe(1);
  await rig.h.pipeline.drain();
  const [post] = rig.h.posts('brand');
  expect(post).toMatchObject({ source: 'FILE_UPLOAD', status: 'PUBLISH_COMPLETE' });
  expect(rig.h.pipeline.getJob(created.json.jobId)!.state).toBe('published');
  await eventually(async () => (await fs.readdir(dir)).length === 0, 'the copy removed once published');

  const again = await rig.call('POST', '/v1/posts', { key, body, headers });
  expect(again.status).toBe(200);
  expect(again.json).toMatchObject({ jobId: created.json.jobId, reused: true });
  const sameNoKey = await rig.call('POST', '/v1/posts', { key, body: { ...body, title: 'no key, twice' } });
  const repeat = await rig.call('POST', '/v1/posts', { key, body: { ...body, title: 'no key, twice' } });
  expect(repeat.json.jobId).toBe(sameNoKey.json.jobId);
  await rig.h.pipeline.drain();
  expect(downloads()).toBe(2);
  expect(rig.h.posts('brand')).toHaveLength(2);
});

test('refused before anything is queued: a URL that fails, not https, photos, a server without pulling', async () => {
  const jobs = rig.h.pipeline.listJobs().length;
  const missing = await rig.call('POST', '/v1/posts', {
    key,
    body: postBody(rig.h.sb.url, { serverUpload: true, videoUrl: `${rig.h.sb.url}/media/nothing-here.mp4` }),
  });
  expect(missing.status).toBe(422);
  expect(missing.json).toMatchObject({ code: 'media_unreachable', field: 'videoUrl' });
  const plain = await rig.call('POST', '/v1/posts', {
    key,
    body: postBody(rig.h.sb.url, { serverUpload: true, videoUrl: 'http://example.com/a.mp4' }),
  });
  expect(plain.json).toMatchObject({ status: 400, field: 'videoUrl' });
  const photos = await rig.call('POST', '/v1/posts', {
    key,
    body: { photoUrls: [`${rig.h.sb.url}/media/photo.jpg`], title: 't', privacyLevel: 'SELF_ONLY', serverUpload: true },
  });
  expect(photos.json).toMatchObject({ status: 400, field: 'serverUpload' });
  expect(rig.h.pipeline.listJobs().length).toBe(jobs);
  expect(await fs.readdir(dir)).toEqual([]);

  const other = await startRig();
  try {
    const refused = await other.call('POST', '/v1/posts', {
      key: await other.key('post'),
      body: postBody(other.h.sb.url, { serverUpload: true }),
    });
    expect(refused.json).toMatchObject({ status: 400, field: 'serverUpload' });
  } finally {
    await other.close();
  }
});
