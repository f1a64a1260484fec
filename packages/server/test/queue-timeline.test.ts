// A queue post's full timeline on every server: two servers on one real PostgreSQL, a pg-boss worker posts
// on the sandbox. TikTok fails the first attempt with a retryable error; pg-boss retries it and it
// publishes. Server B (which never saw the post) shows each attempt with TikTok's code, log_id and message,
// the retry with its delay, and the publish, in order, times ISO 8601.
import { JOB_STEPS_KEPT, readJobSteps, transition } from '@tokpipe/engine';
import { eventually, postBody, type Json, type Rig } from './helpers';
import { startQueueRig, type QueueRig } from './queue-rig';

/** pg-boss's own backoff runs on the database's clock: 1 s base, so the first retry comes 1-2 s later. */
const bossOptions = { retryDelaySeconds: 1, pollingIntervalSeconds: 0.5 };
let queue: QueueRig;
let rigs: Rig[];

beforeAll(async () => {
  queue = await startQueueRig(bossOptions);
  rigs = queue.servers;
}, 60_000);

afterAll(async () => queue?.close(), 60_000);

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

test('a queue post failed once by TikTok then published: the other server shows both attempts, the retry and the publish', async () => {
  const [a, b] = rigs as [Rig, Rig];
  const admin = await a.key('admin');
  // The first attempt's init: TikTok's internal_error on every try the poster makes (5), so the attempt fails.
  a.h.sb.admin.script(
    'video.init',
    Array.from({ length: 5 }, () => ({
      kind: 'error' as const,
      status: 500,
      code: 'internal_error',
      message: 'Something broke on our side',
    })),
  );
  const created = await a.call('POST', '/v1/posts', { key: admin, body: postBody(a.h.sb.url, { account: 'brand' }) });
  expect(created.status).toBe(201);
  const id: string = created.json.jobId;
  const read = async (): Promise<Json> => (await b.call('GET', `/v1/posts/${id}`, { key: admin })).json;
  await eventually(async () => (await read()).state === 'published', 'published');

  const post = await read();
  const timeline: Json[] = post.timeline;
  expect(timeline.map((s) => s.step)).toEqual([
    'job_queued',
    'attempt_started',
    'retry_scheduled',
    'attempt_started',
    'job_accepted',
    'job_published',
  ]);
  const [, first, retry, second, accepted] = timeline;
  expect(first).toMatchObject({ account: 'brand', attempt: 1 });
  expect(second).toMatchObject({ account: 'brand', attempt: 2 });
  expect(retry.error).toMatchObject({
    code: 'internal_error',
    retryable: true,
    httpStatus: 500,
    message: expect.stringContaining('Something broke on our side'),
  });
  expect(retry.error.logId).toEqual(expect.any(String));
  expect(retry.error.logId.length).toBeGreaterThan(0);
  // pg-boss's backoff (1 s base, up to twice that with its jitter), as the worker's clock counts it.
  expect(retry.delayMs).toBeGreaterThanOrEqual(500);
  expect(retry.delayMs).toBeLessThanOrEqual(2_000);
  expect(accepted.publishId).toBe(post.publishId);
  for (const step of timeline) expect(step.at).toMatch(ISO);
  const times = timeline.map((s) => Date.parse(s.at));
  expect([...times].sort((x, y) => x - y)).toEqual(times);
  // Server A, where it was posted, shows the same.
  expect((await a.call('GET', `/v1/posts/${id}`, { key: admin })).json.timeline).toEqual(timeline);
}, 60_000);

test(`each job keeps its newest ${JOB_STEPS_KEPT} steps`, async () => {
  const [a] = rigs as [Rig, Rig];
  const admin = await a.key('admin');
  const created = await a.call('POST', '/v1/posts', { key: admin, body: postBody(a.h.sb.url, { account: 'brand' }) });
  const id: string = created.json.jobId;
  await eventually(
    async () => (await a.call('GET', `/v1/posts/${id}`, { key: admin })).json.state === 'published',
    'published',
  );
  const db = queue.states[0]!.db;
  const before = await readJobSteps(db, id);
  // A settled row moved to itself by compare-and-set, two steps a time: past the bound, the oldest go.
  const note = (n: number) => ({ at: n, step: 'job_status' as const, note: `n${n}` });
  for (let n = 0; n < JOB_STEPS_KEPT; n += 2)
    expect(await transition(db, id, ['published'], 'published', { now: n, steps: [note(n), note(n + 1)] })).toBe(true);
  const after = await readJobSteps(db, id);
  expect(after).toHaveLength(JOB_STEPS_KEPT);
  expect(after.map((s) => s.note)).toEqual(Array.from({ length: JOB_STEPS_KEPT }, (_, n) => `n${n}`));
  expect(before.length).toBeGreaterThan(0);
  // A transition that does not move the row records nothing.
  expect(await transition(db, id, ['queued'], 'posting', { now: 1, steps: [note(999)] })).toBe(false);
  expect(await readJobSteps(db, id)).toEqual(after);
}, 60_000);
