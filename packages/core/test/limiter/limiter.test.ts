import fc from 'fast-check';
import { VirtualClock } from '../../src/clock';
import { RateLimiter } from '../../src/limiter';

describe('RateLimiter (virtual clock)', () => {
  it('lets 6 inits per minute through per token and holds the 7th until the oldest leaves the window', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: true });
    const limiter = new RateLimiter({ clock, marginMs: 1_000 });
    const sentAt: number[] = [];
    for (let i = 0; i < 8; i++) {
      await limiter.acquire('token-a', 'video_init');
      sentAt.push(clock.now());
    }
    expect(sentAt.slice(0, 6)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(sentAt[6]).toBe(61_000);
    expect(sentAt[7]).toBe(61_000);
  });

  it('never lets more than the limit into any sliding window, with concurrent callers', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: true });
    const limiter = new RateLimiter({ clock, marginMs: 0 });
    const sentAt: number[] = [];
    await Promise.all(
      Array.from({ length: 70 }, async () => {
        await limiter.acquire('t', 'status_fetch');
        sentAt.push(clock.now());
      }),
    );
    sentAt.sort((a, b) => a - b);
    for (let i = 30; i < sentAt.length; i++) expect(sentAt[i]! - sentAt[i - 30]!).toBeGreaterThanOrEqual(60_000);
  });

  it('keeps tokens and endpoints apart', async () => {
    const clock = new VirtualClock({ start: 0 });
    const limiter = new RateLimiter({ clock });
    for (let i = 0; i < 6; i++) await limiter.acquire('a', 'video_init');
    expect(limiter.waitTime('a', 'video_init')).toBeGreaterThan(0);
    expect(limiter.waitTime('b', 'video_init')).toBe(0);
    expect(limiter.waitTime('a', 'inbox_video_init')).toBe(0);
    expect(limiter.waitTime('a', 'creator_info')).toBe(0);
    expect(limiter.waitTime('a', 'cancel')).toBe(0); // undocumented limit: not throttled
  });

  it('a stray rate_limit_exceeded pauses the whole endpoint for that token for the window', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: true });
    const limiter = new RateLimiter({ clock, marginMs: 1_000 });
    await limiter.acquire('a', 'creator_info');
    limiter.onRateLimited('a', 'creator_info');
    expect(limiter.waitTime('a', 'creator_info')).toBe(61_000);
    expect(limiter.waitTime('b', 'creator_info')).toBe(0);
    await limiter.acquire('a', 'creator_info');
    expect(clock.now()).toBe(61_000);
  });

  it('rejects bad limits naming the endpoint', () => {
    expect(
      () => new RateLimiter({ clock: new VirtualClock(), limits: { video_init: { limit: 0, windowMs: 1 } } }),
    ).toThrow(/limits.video_init/);
  });
});

describe('RateLimiter (property)', () => {
  it('for any arrival pattern, no sliding window ever holds more than the limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 90_000 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 8 }),
        async (arrivals, limit) => {
          const clock = new VirtualClock({ start: 0, autoAdvance: true });
          const limiter = new RateLimiter({ clock, limits: { video_init: { limit, windowMs: 60_000 } }, marginMs: 0 });
          const sentAt: number[] = [];
          await Promise.all(
            arrivals.map(async (at) => {
              await clock.sleep(at);
              await limiter.acquire('t', 'video_init');
              sentAt.push(clock.now());
            }),
          );
          sentAt.sort((a, b) => a - b);
          for (let i = limit; i < sentAt.length; i++)
            expect(sentAt[i]! - sentAt[i - limit]!).toBeGreaterThanOrEqual(60_000);
          expect(sentAt).toHaveLength(arrivals.length);
        },
      ),
      { numRuns: 60 },
    );
  });
});
