// pg-boss on both engines: two workers (one process here, separate connections and state) share one
// queue; every job is posted once, accounts never exceed TikTok's budget, results land in the jobs table.
import { axiosTransport } from '@tokpipe/core/node';
import { jobCounts, migrate, startBoss, startWorker, submitPosts, type Db, type RunningWorker } from '../src';
import { engines, type EngineUnderTest } from './databases';
import { initsByTitle, ourRateLimitErrors, seedAccount, startWorld, trackDb, video, type World } from './world';

async function until(check: () => Promise<boolean>, what: string, limitMs = 90_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

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
        await startWorker({ db: own, clock: world.clock, transport, baseUrl: world.sb.url, clientKey: world.clientKey, clientSecret: world.clientSecret, concurrency: 3, requestTimeoutMs: 3_000 }),
      );
    }
    const boss = await startBoss(db, { supervise: false });
    const jobs = Array.from({ length: 12 }, (_, i) => ({ id: `row-${i}`, account: accounts[i % 3]!, request: video(world, `worker ${i}`) }));
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
});
