// The shared queue's dead-letter queue on both engines: a post TikTok fails is listed with its error, two
// replays at once (two connections) make exactly one new attempt under the next generation's ledger key
// (core's attemptKeyFor), its dlq row goes and the timeline says it was replayed; the worker posts it once.
import { attemptKeyFor, isTokpipeError } from '@tokpipe/core';
import { axiosTransport } from '@tokpipe/core/node';
import {
  getDeadJob,
  getJob,
  listDeadJobs,
  migrate,
  readJobSteps,
  replayDeadJob,
  ReplayConflictError,
  startBoss,
  startWorker,
  submitPosts,
  type Db,
  type RunningWorker,
} from '../src';
import { engines, type EngineUnderTest } from './databases';
import { initsByTitle, seedAccount, startWorld, trackDb, video, waitReal, type World } from './world';

const until = (check: () => Promise<boolean>, what: string) => waitReal(check, what, 60_000);

describe.each(engines())('the queue DLQ on %s', (_name, start) => {
  let engine: EngineUnderTest;
  let world: World;
  let worker: RunningWorker | undefined;
  beforeAll(async () => {
    engine = await start();
    await migrate(await engine.open());
    world = await startWorld();
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await world.close();
    await engine.cleanup();
  }, 60_000);

  test('a failed post is listed, replayed once of two concurrent replays with a new ledger key, and posted once', async () => {
    const db: Db = trackDb(await engine.open(), world.clock);
    const other: Db = trackDb(await engine.open(), world.clock);
    await seedAccount(world, db, 'a');
    worker = await startWorker({
      db: trackDb(await engine.open(), world.clock),
      clock: world.clock,
      transport: world.clock.trackTransport(axiosTransport()),
      baseUrl: world.sb.url,
      clientKey: world.clientKey,
      clientSecret: world.clientSecret,
      requestTimeoutMs: 3_000,
    });
    const boss = await startBoss(db, { supervise: false });
    const otherBoss = await startBoss(other, { supervise: false });
    try {
      world.sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'duration_check_failed' }]);
      const title = 'dead then replayed';
      const request = { ...video(world, title), idempotencyKey: attemptKeyFor('dead-1', 'a') };
      await submitPosts(db, boss, [{ id: 'dead-1', account: 'a', request }], world.clock.now());
      await until(async () => (await getJob(db, 'dead-1'))?.state === 'dead', 'dead');

      const [letter] = await listDeadJobs(db, world.clock);
      expect(letter).toMatchObject({ jobId: 'dead-1', account: 'a', attempts: 1, spec: { title } });
      expect(letter!.error).toMatchObject({ code: 'duration_check_failed', disposition: 'fix_input' });
      expect(await listDeadJobs(db, world.clock, { accounts: ['b'] })).toEqual([]);

      const results = await Promise.allSettled([
        replayDeadJob(db, boss, world.clock, 'dead-1'),
        replayDeadJob(other, otherBoss, world.clock, 'dead-1'),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const lost = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
      // Lost at the compare-and-set, or read the row after the winner committed: nothing dead to replay.
      expect(lost instanceof ReplayConflictError || (isTokpipeError(lost) && lost.details.field === 'jobId')).toBe(
        true,
      );
      expect(await getDeadJob(db, world.clock, 'dead-1')).toBeUndefined();

      await until(async () => (await getJob(db, 'dead-1'))?.state === 'published', 'published');
      const row = (await getJob(db, 'dead-1'))!;
      expect(row.spec).toMatchObject({ generation: 1, request: { idempotencyKey: attemptKeyFor('dead-1', 'a', 1) } });
      expect(initsByTitle(world).get(title)).toBe(2);
      expect(world.sb.admin.posts().filter((p) => p.title === title && p.status === 'PUBLISH_COMPLETE')).toHaveLength(
        1,
      );
      const { rows } = await db.query('SELECT 1 FROM tokpipe.dlq WHERE job_id = $1', ['dead-1']);
      expect(rows).toEqual([]);
      // Both accepted inits count against TikTok's cap: the first generation's and the replay's.
      const caps = await db.query<{ job_id: string }>(
        `SELECT job_id FROM tokpipe.cap_usage WHERE account = 'a' ORDER BY job_id`,
      );
      expect(caps.rows.map((r) => r.job_id)).toEqual(['dead-1', 'dead-1.g1']);
      const steps = (await readJobSteps(db, 'dead-1')).map((s) => s.step);
      expect(steps.filter((s) => s === 'job_requeued')).toHaveLength(1);
      expect(steps.indexOf('job_requeued')).toBeGreaterThan(steps.indexOf('job_dead_lettered'));
      // Published now: a replay is refused, nothing changes.
      await expect(replayDeadJob(db, boss, world.clock, 'dead-1')).rejects.toThrow(
        /is not dead-lettered \(it is published\)/,
      );
    } finally {
      await boss.stop({ graceful: false, close: false });
      await otherBoss.stop({ graceful: false, close: false });
    }
  }, 120_000);
});
