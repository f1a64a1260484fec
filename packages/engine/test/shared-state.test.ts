// Several workers, one database: one init per idempotency key, one rate-limit budget per token, one
// refresh per expiry (with rotation). Each worker has its own connection, store, limiter and token
// manager, as separate processes do; the sandbox counts what reached "TikTok".
import { RateLimiter, type PostOutcome } from '@tokpipe/core';
import { refreshCount, type Db } from '../src';
import { engines, type EngineUnderTest } from './databases';
import { initsByTitle, ourRateLimitErrors, seedAccount, startWorld, trackDb, video, worker, type World } from './world';

describe.each(engines())('shared state on %s', (_name, start) => {
  let engine: EngineUnderTest;
  let world: World;
  const dbs: Db[] = [];
  beforeAll(async () => {
    engine = await start();
    const { migrate } = await import('../src');
    await migrate(await engine.open());
  }, 120_000);
  afterAll(() => engine.cleanup());
  beforeEach(async () => {
    world = await startWorld();
    dbs.length = 0;
    for (let i = 0; i < 4; i++) dbs.push(trackDb(await engine.open(), world.clock));
  });
  afterEach(() => world.close());

  test('two workers racing one idempotency key: one init per key, the other is told it is being posted', async () => {
    await seedAccount(world, dbs[0]!, 'brand');
    const [a, b] = [worker(world, dbs[0]!, 'brand'), worker(world, dbs[1]!, 'brand')];
    const titles = Array.from({ length: 8 }, (_, i) => `race ${i}`);
    const outcomes: PostOutcome[] = await Promise.all(titles.flatMap((t) => [a.poster.post(video(world, t)), b.poster.post(video(world, t))]));
    const inits = initsByTitle(world);
    expect(titles.map((t) => inits.get(t))).toEqual(titles.map(() => 1));
    expect(world.sb.admin.posts().length).toBe(titles.length);
    // Every call answers with the one post (or says another worker has it): none failed, none sent twice.
    for (const outcome of outcomes) expect(['ACCEPTED', 'UNCONFIRMED']).toContain(outcome.status);
    expect(outcomes.filter((o) => o.status === 'ACCEPTED' && !o.reused)).toHaveLength(titles.length);
  });

  test('four workers sharing one token: every post goes out and TikTok never says rate_limit_exceeded', async () => {
    await seedAccount(world, dbs[0]!, 'brand');
    const workers = dbs.map((db) => worker(world, db, 'brand'));
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => workers[i % workers.length]!.poster.post(video(world, `budget ${i}`))),
    );
    expect(outcomes.map((o) => o.status)).toEqual(outcomes.map(() => 'ACCEPTED'));
    expect(world.sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(20);
    expect(ourRateLimitErrors(world)).toBe(0);
  }, 60_000);

  test('control: the same four workers with limiters of their own overshoot the token budget', async () => {
    await seedAccount(world, dbs[0]!, 'brand');
    const workers = dbs.map((db) => worker(world, db, 'brand', { limiter: new RateLimiter({ clock: world.clock }) }));
    await Promise.all(Array.from({ length: 20 }, (_, i) => workers[i % workers.length]!.poster.post(video(world, `own ${i}`))));
    expect(ourRateLimitErrors(world)).toBeGreaterThan(0);
  }, 60_000);

  test('three workers refreshing one expired token with rotation on: one refresh, no invalid_grant, the rotated token kept', async () => {
    expect(world.sb.admin.config().strictRefreshRotation).toBe(true);
    await seedAccount(world, dbs[0]!, 'brand', { expiresInMs: -1 });
    const managers = dbs.slice(0, 3).map((db) => worker(world, db, 'brand').auth);
    const tokens = await Promise.all(managers.flatMap((m) => [m.getAccessToken(), m.getAccessToken()]));
    expect(new Set(tokens).size).toBe(1);
    const tokenCalls = () => world.sb.admin.requests({ endpoint: 'oauth.token' });
    expect(tokenCalls()).toHaveLength(1);
    expect(await refreshCount(dbs[0]!, 'brand')).toBe(1);
    // Later, access_token_invalid on all three (each saw the same token): one refresh again, not three.
    world.clock.advance(60_000);
    const again = await Promise.all(managers.map((m) => m.onUnauthorized()));
    expect(new Set(again).size).toBe(1);
    expect(tokenCalls()).toHaveLength(2);
    expect(tokenCalls().filter((r) => r.errorCode !== null)).toEqual([]);
    // The stored refresh token is the live one: a later expiry refreshes fine.
    world.clock.advance(25 * 3_600_000);
    await managers[2]!.getAccessToken();
    expect(tokenCalls()).toHaveLength(3);
    expect(tokenCalls().filter((r) => r.errorCode === 'invalid_grant')).toEqual([]);
  }, 60_000);
});
