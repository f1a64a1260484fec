// Dead queue posts are first-class: two servers on one real PostgreSQL, posts through the shared queue,
// a pg-boss worker posts them on the sandbox. A post TikTok fails shows in GET /v1/dlq on the other server
// (within the key's accounts), is replayed once through REST (a new ledger key: posted once more, not
// twice), and a second replay at the same time is refused with a 409. A dead post whose last init may have
// reached TikTok is refused without force. MCP and the console (core's PostingService over the server's
// post backend) list and replay them too.
import { addToDlq, transition } from '../../engine/src/worker/jobs';
import { eventually, postBody, type Json, type Rig } from './helpers';
import { serviceOf, startQueueRig, type QueueRig } from './queue-rig';

let queue: QueueRig;
let rigs: [Rig, Rig];

beforeAll(async () => {
  queue = await startQueueRig();
  rigs = queue.servers;
}, 60_000);

afterAll(async () => {
  await queue?.close();
}, 60_000);

const stateOf = async (rig: Rig, key: string, id: string): Promise<string> =>
  (await rig.call('GET', `/v1/posts/${id}`, { key })).json.state as string;

/** Inits the sandbox received for this title, and the posts it published with it. */
function onTikTok(rig: Rig, title: string): { inits: number; published: number } {
  const inits = rig.h.sb.admin
    .requests({ endpoint: 'video.init' })
    .filter((r) => (r.body as { post_info?: { title?: string } } | null)?.post_info?.title === title).length;
  const published = rig.h.sb.admin.posts().filter((p) => p.title === title && p.status === 'PUBLISH_COMPLETE').length;
  return { inits, published };
}

test('a queue post TikTok failed: listed by the other server, replayed once through REST, a concurrent replay gets 409', async () => {
  const [a, b] = rigs;
  const admin = await a.key('admin');
  const other = await a.key('read', ['someone-else']);
  a.h.sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'duration_check_failed' }]);
  const body = postBody(a.h.sb.url, { account: 'brand' });
  const title = body.title as string;
  const created = await a.call('POST', '/v1/posts', { key: admin, body });
  expect(created.status).toBe(201);
  const jobId = created.json.jobId as string;
  await eventually(async () => (await stateOf(b, admin, jobId)) === 'dead', 'dead');

  const listed = await b.call('GET', '/v1/dlq', { key: admin });
  expect(listed.status).toBe(200);
  const entry = listed.json.deadLetters.find((d: Json) => d.jobId === jobId);
  expect(entry).toMatchObject({ account: 'brand', attempts: 1, error: { code: 'duration_check_failed' } });
  expect(entry.publishId).toEqual(expect.any(String));
  // A key limited to other accounts sees nothing of it, and cannot replay it.
  const limited = await b.call('GET', '/v1/dlq', { key: other });
  expect(limited.json.deadLetters.some((d: Json) => d.jobId === jobId)).toBe(false);
  expect(onTikTok(a, title)).toEqual({ inits: 1, published: 0 });

  // Two replays at once, one through each server: exactly one wins.
  const replays = await Promise.all(
    [a, b].map((rig) => rig.call('POST', `/v1/dlq/${jobId}/replay`, { key: admin, body: {} })),
  );
  expect(replays.map((r) => r.status).sort()).toEqual([200, 409]);
  const won = replays.find((r) => r.status === 200)!;
  expect(won.json).toMatchObject({ jobId, account: 'brand' });
  expect(replays.find((r) => r.status === 409)!.json.code).toMatch(/^(replay_conflict|not_dead_lettered)$/);

  await eventually(async () => (await stateOf(b, admin, jobId)) === 'published', 'published after the replay');
  expect(onTikTok(a, title)).toEqual({ inits: 2, published: 1 });
  expect((await b.call('GET', '/v1/dlq', { key: admin })).json.deadLetters.some((d: Json) => d.jobId === jobId)).toBe(
    false,
  );
  // The timeline says it was replayed, between the failure and the new attempt.
  const steps = ((await b.call('GET', `/v1/posts/${jobId}`, { key: admin })).json.timeline as Json[]).map(
    (s) => s.step,
  );
  const requeued = steps.indexOf('job_requeued');
  expect(requeued).toBeGreaterThan(steps.indexOf('job_dead_lettered'));
  expect(steps.lastIndexOf('attempt_started')).toBeGreaterThan(requeued);
  // Replaying a published post again is a conflict, not a missing letter.
  expect((await b.call('POST', `/v1/dlq/${jobId}/replay`, { key: admin, body: {} })).status).toBe(409);
}, 60_000);

test('a dead queue post whose init may have reached TikTok is refused without force, replayed with it', async () => {
  const [a, b] = rigs;
  const admin = await a.key('admin');
  // The init is processed, its reply lost: the job is parked as unknown, the shared ledger holds its key.
  a.h.sb.admin.script('video.init', [{ kind: 'reset', processed: true }]);
  const body = postBody(a.h.sb.url, { account: 'brand' });
  const created = await a.call('POST', '/v1/posts', { key: admin, body });
  const jobId = created.json.jobId as string;
  await eventually(async () => (await stateOf(b, admin, jobId)) === 'unknown', 'unknown');
  // What the worker's dead queue writes when pg-boss gives up on a delivery cut off mid-init: dead, no error.
  const db = queue.states[0]!.db;
  const now = a.h.clock.now();
  expect(await transition(db, jobId, ['unknown'], 'dead', { now })).toBe(true);
  await addToDlq(db, { id: jobId, account: 'brand' }, 'retries_exhausted', 'pg-boss gave up on this job', null, now);

  const entry = (await b.call('GET', '/v1/dlq', { key: admin })).json.deadLetters.find((d: Json) => d.jobId === jobId);
  expect(entry.error).toMatchObject({ code: 'unknown_outcome', class: 'needs_human' });
  const refused = await b.call('POST', `/v1/dlq/${jobId}/replay`, { key: admin, body: {} });
  expect(refused.status).toBe(400);
  expect(refused.json).toMatchObject({ field: 'force', detail: expect.stringContaining('may already be posted') });
  expect(await stateOf(b, admin, jobId)).toBe('dead');

  const forced = await b.call('POST', `/v1/dlq/${jobId}/replay`, { key: admin, body: { force: true } });
  expect(forced.status).toBe(200);
  await eventually(async () => (await stateOf(b, admin, jobId)) === 'published', 'published after a forced replay');
  // A new ledger key: the forced replay posted again (a person checked it was not there).
  expect(onTikTok(a, body.title as string).inits).toBe(2);
}, 60_000);

test('MCP and the console (core PostingService on the post backend) list a dead queue post and replay it', async () => {
  const [a, b] = rigs;
  const admin = await a.key('admin');
  const service = serviceOf(b);
  a.h.sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'duration_check_failed' }]);
  const body = postBody(a.h.sb.url, { account: 'brand' });
  const jobId = (await a.call('POST', '/v1/posts', { key: admin, body })).json.jobId as string;
  await eventually(async () => (await stateOf(b, admin, jobId)) === 'dead', 'dead');

  const listed = (await service.dlq.list()).find((d) => d.jobId === jobId);
  expect(listed).toMatchObject({ account: 'brand', error: { code: 'duration_check_failed' } });
  expect(await service.jobError(jobId)).toMatchObject({ code: 'duration_check_failed' });
  expect(await service.dlq.replay(jobId)).toMatchObject({ jobId, state: 'queued' });
  await eventually(async () => (await service.status({ jobId })).state === 'published', 'published');
  expect(onTikTok(a, body.title as string)).toEqual({ inits: 2, published: 1 });
  expect((await service.dlq.list()).some((d) => d.jobId === jobId)).toBe(false);
}, 60_000);

/** A queue post whose init TikTok processed but whose reply was lost (parked unknown), then published. */
async function lostReply(a: Rig, b: Rig, admin: string): Promise<{ jobId: string; title: string }> {
  a.h.sb.admin.script('video.init', [{ kind: 'reset', processed: true }]);
  // Public: a private post is not in the account's video list, the only place a lost init shows up.
  const body = postBody(a.h.sb.url, { account: 'brand', privacyLevel: 'PUBLIC_TO_EVERYONE' });
  const jobId = (await a.call('POST', '/v1/posts', { key: admin, body })).json.jobId as string;
  await eventually(async () => (await stateOf(b, admin, jobId)) === 'unknown', 'unknown');
  // TikTok finishes the post (an hour of the clock) before anyone asks again.
  a.h.clock.advance(3_600_000);
  await a.h.sb.admin.runDueWork();
  return { jobId, title: body.title as string };
}

test('POST /v1/reconcile runs the queue sweep too: a queue post whose init reply was lost is found on TikTok', async () => {
  const [a, b] = rigs;
  const admin = await a.key('admin');
  const { jobId, title } = await lostReply(a, b, admin);

  const swept = await b.call('POST', '/v1/reconcile', { key: admin, body: {} });
  expect(swept.status).toBe(200);
  expect(swept.json.queue.checked).toBeGreaterThanOrEqual(1);
  expect(swept.json.queue.settled).toBeGreaterThanOrEqual(1);
  expect(swept.json.stillOpen.some((p: Json) => p.jobId === jobId)).toBe(false);
  expect(await stateOf(b, admin, jobId)).toBe('published');
  expect(onTikTok(a, title)).toEqual({ inits: 1, published: 1 });
}, 60_000);

test("MCP's and the console's reconcile (PostingService) run the queue sweep too", async () => {
  const [a, b] = rigs;
  const admin = await a.key('admin');
  const { jobId, title } = await lostReply(a, b, admin);
  const swept = await serviceOf(b).reconcile();
  expect(swept.resolved).toBeGreaterThanOrEqual(1);
  expect(swept.stillOpen.some((p) => p.jobId === jobId)).toBe(false);
  expect(await stateOf(b, admin, jobId)).toBe('published');
  expect(onTikTok(a, title)).toEqual({ inits: 1, published: 1 });
}, 60_000);
