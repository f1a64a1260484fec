// The posting service MCP and the console use on `tokpipe serve` (core's pipelineService) reads and posts
// through the server's post backend (context.jobs): two servers on one real PostgreSQL, a pg-boss worker
// posts on the sandbox. A REST post on server A is listed and found through server B's
// service; a service post on A is a row of the shared queue, posted once; the console's insight lists it
// with its steps on B.
import { eventually, postBody, type Rig } from './helpers';
import { serviceOf, startQueueRig, type QueueRig } from './queue-rig';

let queue: QueueRig;
let rigs: Rig[];

beforeAll(async () => {
  queue = await startQueueRig();
  rigs = queue.servers;
}, 60_000);

afterAll(async () => queue?.close(), 60_000);

const inits = (rig: Rig): number => rig.h.sb.admin.requests().filter((r) => r.endpoint === 'video.init').length;

test('a REST post on A is listed and read on B; a service post on A goes to the queue, once', async () => {
  const [a, b] = rigs as [Rig, Rig];
  const [onA, onB] = [serviceOf(a), serviceOf(b)];
  const admin = await a.key('admin');
  const rest = await a.call('POST', '/v1/posts', { key: admin, body: postBody(a.h.sb.url, { account: 'brand' }) });
  expect(rest.status).toBe(201);
  const restId: string = rest.json.jobId;

  expect((await onB.list()).map((p) => p.jobId)).toEqual([restId]);
  expect(b.h.pipeline.getJob(restId)).toBeUndefined();
  // (A waited status is the CLI test's, test/cli/serve-queue-front.test.ts: here the rig's clock jumps
  // ahead whenever nothing it tracks is in flight, while pg-boss works in real time.)
  await eventually(async () => (await onB.status({ jobId: restId })).state === 'published', 'published');
  const waited = await onB.status({ jobId: restId });
  expect(waited).toMatchObject({ jobId: restId, account: 'brand', state: 'published', status: 'PUBLISH_COMPLETE' });
  expect(await onB.status({ publishId: waited.publishId! })).toMatchObject({ jobId: restId });

  const spec = {
    account: 'brand',
    mode: 'direct' as const,
    media: { type: 'video_url' as const, url: `${a.h.sb.url}/media/sample.mp4?service` },
    title: 'through the service #tokpipe',
    privacyLevel: 'SELF_ONLY' as const,
    label: 'launch.csv:7',
  };
  const posted = await onA.post(spec);
  expect(posted).toMatchObject({ account: 'brand', state: 'queued', reused: false });
  expect(a.h.pipeline.getJob(posted.jobId!)).toBeUndefined();
  const { rows } = await queue.states[0]!.db.query<{ id: string }>('SELECT id FROM tokpipe.jobs WHERE id = $1', [
    posted.jobId,
  ]);
  expect(rows).toEqual([{ id: posted.jobId }]);
  expect(await onA.post(spec)).toMatchObject({ jobId: posted.jobId, reused: true });
  await eventually(async () => (await onB.status({ jobId: posted.jobId! })).state === 'published', 'published');
  expect(a.h.sb.admin.posts().filter((p) => p.title === spec.title)).toHaveLength(1);
  expect(inits(a)).toBe(2);

  // The console's insight on B: the queue post in the list (campaign search), and its steps.
  const found = await onB.insight!.posts({ campaign: 'LAUNCH.csv' });
  expect(found.map((p) => [p.jobId, p.campaign, p.state])).toEqual([[posted.jobId, 'launch.csv:7', 'published']]);
  expect((await onB.insight!.posts()).map((p) => p.jobId).sort()).toEqual([restId, posted.jobId].sort());
  const detail = await onB.insight!.post(posted.jobId!);
  expect(detail!.timeline!.map((s) => s.step)).toEqual([
    'job_queued',
    'attempt_started',
    'job_accepted',
    'job_published',
  ]);
  expect(inits(a)).toBe(2);
}, 60_000);
