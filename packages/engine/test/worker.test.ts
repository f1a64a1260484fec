// pg-boss on both engines: two workers (one process here, separate connections and state) share one
// queue; every job is posted once, accounts never exceed TikTok's budget, results land in the jobs table.
import { axiosTransport } from '@tokpipe/core/node';
import { AccountRegistry } from '@tokpipe/core';
import {
  jobCounts,
  migrate,
  readJobSteps,
  SqlStore,
  startBoss,
  startWorker,
  submitPosts,
  type Db,
  type RunningWorker,
} from '../src';
import { engines, type EngineUnderTest } from './databases';
import {
  initsByTitle,
  ourRateLimitErrors,
  seedAccount,
  startWorld,
  trackDb,
  video,
  waitReal,
  type World,
} from './world';

const until = (check: () => Promise<boolean>, what: string) => waitReal(check, what, 90_000);

describe.each(engines())('pg-boss workers on %s', (_name, start) => {
  let engine: EngineUnderTest;
  let world: World;
  const workers: RunningWorker[] = [];
  beforeAll(async () => {
    engine = await start();
    await migrate(await engine.open());
    world = await startWorld();
  }, 120_000);
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await world.close();
    await engine.cleanup();
  }, 60_000);

  test('two workers, three accounts, 12 posts: each posted once, all published, no 429 of ours, none left queued', async () => {
    const db: Db = trackDb(await engine.open(), world.clock);
    const accounts = ['a', 'b', 'c'];
    for (const account of accounts) await seedAccount(world, db, account);
    for (let i = 0; i < 2; i++) {
      const own = trackDb(await engine.open(), world.clock);
      const transport = world.clock.trackTransport(axiosTransport());
      workers.push(
        await startWorker({
          db: own,
          clock: world.clock,
          transport,
          baseUrl: world.sb.url,
          clientKey: world.clientKey,
          clientSecret: world.clientSecret,
          concurrency: 3,
          requestTimeoutMs: 3_000,
        }),
      );
    }
    const boss = await startBoss(db, { supervise: false });
    const jobs = Array.from({ length: 12 }, (_, i) => ({
      id: `row-${i}`,
      account: accounts[i % 3]!,
      request: video(world, `worker ${i}`),
    }));
    expect(await submitPosts(db, boss, jobs, world.clock.now())).toEqual({ created: 12, existing: 0 });
    // The same rows submitted again (a second `campaign run`): nothing new.
    expect(await submitPosts(db, boss, jobs, world.clock.now())).toEqual({ created: 0, existing: 12 });
    await until(async () => (await jobCounts(db)).published === 12, 'all jobs published');
    await boss.stop({ graceful: false, close: false });
    const inits = initsByTitle(world);
    expect(jobs.map((j) => inits.get(j.request.title!))).toEqual(jobs.map(() => 1));
    expect(ourRateLimitErrors(world)).toBe(0);
    expect(await jobCounts(db)).toEqual({ published: 12 });
  }, 180_000);

  test('a daily cap is shared by the workers: 2 of 4 rows go out today, the rest wait queued for the window', async () => {
    const db: Db = trackDb(await engine.open(), world.clock);
    const openId = await seedAccount(world, db, 'capped');
    const registry = new AccountRegistry(new SqlStore(db), world.clock);
    await registry.load();
    await registry.add({ id: 'capped', openId, caps: { directPerDay: 2 } });
    const boss = await startBoss(db, { supervise: false });
    const jobs = Array.from({ length: 4 }, (_, i) => ({
      id: `cap-${i}`,
      account: 'capped',
      request: video(world, `cap ${i}`),
    }));
    await submitPosts(db, boss, jobs, world.clock.now());
    const capped = async (state: string) =>
      (
        await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM tokpipe.jobs WHERE account = 'capped' AND state = $1`,
          [state],
        )
      ).rows[0]!.n;
    await until(async () => (await capped('published')) === 2, 'two published');
    // The other two were deferred (a new queue job starting after the window), not posted.
    await until(async () => {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'tokpipe-post' AND state = 'created' AND start_after > now() + interval '1 hour'`,
      );
      return rows[0]!.n === 2;
    }, 'two deferred');
    await boss.stop({ graceful: false, close: false });
    expect([await capped('published'), await capped('queued')]).toEqual([2, 2]);
    const inits = initsByTitle(world);
    expect(jobs.map((j) => inits.get(j.request.title!) ?? 0).sort()).toEqual([0, 0, 1, 1]);
    // Their timelines: a claim the gate gave back is no attempt, only the wait shows.
    const steps = await Promise.all(jobs.map(async (j) => (await readJobSteps(db, j.id)).map((s) => s.step)));
    expect(steps.map((s) => s.join()).sort()).toEqual([
      'attempt_started,job_accepted,job_published',
      'attempt_started,job_accepted,job_published',
      'job_deferred',
      'job_deferred',
    ]);
    const deferred = (await Promise.all(jobs.map((j) => readJobSteps(db, j.id)))).flat();
    for (const step of deferred.filter((s) => s.step === 'job_deferred'))
      expect(step).toMatchObject({ account: 'capped', note: 'daily cap 2 used', delayMs: expect.any(Number) });
  }, 180_000);

  test('reconciliation: a post still processing when polling gives up is parked, then settled by the sweep', async () => {
    const db: Db = trackDb(await engine.open(), world.clock);
    await seedAccount(world, db, 'slow');
    const { processingDelayMs } = world.sb.admin.config();
    world.sb.admin.setConfig({ processingDelayMs: 3 * 3_600_000 });
    const boss = await startBoss(db, { supervise: false });
    try {
      await submitPosts(
        db,
        boss,
        [{ id: 'slow-1', account: 'slow', request: video(world, 'slow 1') }],
        world.clock.now(),
      );
      const state = async () =>
        (
          await db.query<{ state: string; publish_id: string | null }>(
            `SELECT state, publish_id FROM tokpipe.jobs WHERE id = 'slow-1'`,
          )
        ).rows[0]!;
      await until(async () => (await state()).state === 'unconfirmed', 'parked as unconfirmed');
      expect((await db.query(`SELECT reason FROM tokpipe.reconcile WHERE job_id = 'slow-1'`)).rows).toHaveLength(1);
      expect(await workers[0]!.reconcile()).toEqual({ checked: 1, settled: 0 }); // still processing: checked again later
      world.clock.advance(4 * 3_600_000);
      await world.sb.admin.runDueWork();
      expect(await workers[0]!.reconcile()).toEqual({ checked: 1, settled: 1 });
      expect((await state()).state).toBe('published');
      expect((await db.query(`SELECT job_id FROM tokpipe.reconcile WHERE job_id = 'slow-1'`)).rows).toEqual([]);
      expect(initsByTitle(world).get('slow 1')).toBe(1);
      const steps = await readJobSteps(db, 'slow-1');
      expect(steps.map((s) => s.step)).toEqual(['attempt_started', 'job_accepted', 'job_unconfirmed', 'job_published']);
      expect(steps[1]!.publishId).toBe((await state()).publish_id);
    } finally {
      world.sb.admin.setConfig({ processingDelayMs });
      await boss.stop({ graceful: false, close: false });
    }
  }, 180_000);

  test('reconciliation: an init whose reply was lost but whose post happened is found in the video list, settled as published, never posted again', async () => {
    const db: Db = trackDb(await engine.open(), world.clock);
    await seedAccount(world, db, 'lost');
    if (workers.length === 0)
      workers.push(
        await startWorker({
          db: trackDb(await engine.open(), world.clock),
          clock: world.clock,
          transport: world.clock.trackTransport(axiosTransport()),
          baseUrl: world.sb.url,
          clientKey: world.clientKey,
          clientSecret: world.clientSecret,
          requestTimeoutMs: 3_000,
        }),
      );
    const boss = await startBoss(db, { supervise: false });
    const title = `lost reply ${_name} #tokpipe`;
    const request = { ...video(world, title), privacyLevel: 'PUBLIC_TO_EVERYONE' as const };
    // TikTok creates the post, the reply never arrives: the worker cannot know, so the row is parked.
    world.sb.admin.script('video.init', [{ kind: 'reset', processed: true }]);
    try {
      await submitPosts(db, boss, [{ id: 'lost-1', account: 'lost', request }], world.clock.now());
      const row = async () =>
        (await db.query<{ state: string }>(`SELECT state FROM tokpipe.jobs WHERE id = 'lost-1'`)).rows[0]!;
      await until(async () => (await row()).state === 'unknown', 'parked as unknown');
      world.clock.advance(3_600_000);
      await world.sb.admin.runDueWork();
      expect(await workers[0]!.reconcile()).toEqual({ checked: 1, settled: 1 });
      expect((await row()).state).toBe('published');
      expect((await db.query(`SELECT job_id FROM tokpipe.reconcile WHERE job_id = 'lost-1'`)).rows).toEqual([]);
      // Its ledger entry is final with the listed post: the same post sent again is answered from it, not posted.
      const { rows } = await db.query<{ state: string; entry: string }>(
        `SELECT state, entry FROM tokpipe.ledger WHERE entry::jsonb ->> 'title' = $1`,
        [title],
      );
      const posted = world.sb.admin.posts().filter((p) => p.title === title);
      expect(posted).toHaveLength(1);
      expect(rows.map((r) => [r.state, (JSON.parse(r.entry) as { postIds: string[] }).postIds])).toEqual([
        ['final', posted[0]!.postIds],
      ]);
      // Its timeline: the attempt, the unknown outcome with the failure that hid it, the post found later.
      const steps = await readJobSteps(db, 'lost-1');
      expect(steps.map((s) => s.step)).toEqual(['attempt_started', 'job_unknown_outcome', 'job_published']);
      expect(steps[1]!.error).toMatchObject({ disposition: 'unknown_outcome' });
      expect(steps[2]!.postIds).toEqual(posted[0]!.postIds);
      await submitPosts(db, boss, [{ id: 'lost-2', account: 'lost', request }], world.clock.now());
      await until(async () => {
        const { rows: again } = await db.query<{ state: string }>(`SELECT state FROM tokpipe.jobs WHERE id = 'lost-2'`);
        return ['published', 'unknown', 'unconfirmed', 'dead'].includes(again[0]?.state ?? '');
      }, 'the repeat answered from the ledger');
      expect(initsByTitle(world).get(title)).toBe(1);
    } finally {
      await boss.stop({ graceful: false, close: false });
    }
  }, 180_000);

  test('two rows with the same post (one ledger key): the second, never attempted, is answered from the ledger, not posted', async () => {
    const db: Db = trackDb(await engine.open(), world.clock);
    await seedAccount(world, db, 'twice');
    const boss = await startBoss(db, { supervise: false });
    const request = video(world, `same post ${_name}`);
    try {
      await submitPosts(db, boss, [{ id: 'same-1', account: 'twice', request }], world.clock.now());
      const states = async () =>
        (await db.query<{ state: string }>(`SELECT state FROM tokpipe.jobs WHERE id LIKE 'same-%' ORDER BY id`)).rows;
      await until(async () => (await states())[0]?.state === 'published', 'the first published');
      // A first claim skips the ledger read (the row was never attempted): the reservation INSERT still refuses it.
      await submitPosts(db, boss, [{ id: 'same-2', account: 'twice', request }], world.clock.now());
      await until(async () => (await states())[1]?.state === 'published', 'the second answered');
      expect(initsByTitle(world).get(request.title!)).toBe(1);
    } finally {
      await boss.stop({ graceful: false, close: false });
    }
  }, 180_000);

  test('an account whose authorization is gone: its jobs wait queued (not dead), the account is marked, TikTok is not hammered', async () => {
    const db: Db = trackDb(await engine.open(), world.clock);
    const openId = await seedAccount(world, db, 'gone', { expiresInMs: -1 }); // expired: the next call refreshes
    world.sb.admin.removeAuthorization(openId); // the creator disconnected the app: refresh says invalid_grant
    const boss = await startBoss(db, { supervise: false });
    try {
      const jobs = Array.from({ length: 3 }, (_, i) => ({
        id: `gone-${i}`,
        account: 'gone',
        request: video(world, `gone ${i}`),
      }));
      await submitPosts(db, boss, jobs, world.clock.now());
      const states = async () =>
        (
          await db.query<{ state: string }>(`SELECT state FROM tokpipe.jobs WHERE account = 'gone' ORDER BY id`)
        ).rows.map((r) => r.state);
      const registry = new AccountRegistry(new SqlStore(db), world.clock);
      await until(async () => {
        await registry.load();
        return registry.get('gone')?.status === 'needs_reauth';
      }, 'account marked');
      await until(async () => {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'tokpipe-post' AND state = 'created' AND data->>'account' = 'gone' AND start_after > now() + interval '30 minutes'`,
        );
        return rows[0]!.n === 3;
      }, 'all three jobs waiting');
      expect(await states()).toEqual(['queued', 'queued', 'queued']);
      const refreshes = world.sb.admin.requests({ endpoint: 'oauth.token' }).filter((r) => r.openId === openId);
      expect(refreshes.length).toBeLessThanOrEqual(2); // the first job's refresh (and its one retry at most); the others wait
      expect(world.sb.admin.requests({ endpoint: 'video.init' }).filter((r) => r.openId === openId)).toEqual([]);
    } finally {
      await boss.stop({ graceful: false, close: false });
    }
  }, 180_000);
});
