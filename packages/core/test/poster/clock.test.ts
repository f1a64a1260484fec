import { VirtualClock, scaledClock } from '../../src/clock';
import { MemoryStore } from '../../src/memory-store';
import { systemClock, timeScaleFromEnv } from '../../src/node/clock';

describe('VirtualClock', () => {
  it('wakes sleepers only when virtual time reaches their wake time, in order', async () => {
    const clock = new VirtualClock({ start: 1_000 });
    const woke: string[] = [];
    void clock.sleep(300).then(() => woke.push(`b@${clock.now()}`));
    void clock.sleep(100).then(() => woke.push(`a@${clock.now()}`));
    await clock.advance(99);
    expect(woke).toEqual([]);
    await clock.advance(1);
    expect(woke).toEqual(['a@1100']);
    await clock.advance(500);
    expect(woke).toEqual(['a@1100', 'b@1300']);
    expect(clock.now()).toBe(1_600);
  });

  it('wakes sleepers registered by earlier wake-ups during one advance', async () => {
    const clock = new VirtualClock({ start: 0 });
    const times: number[] = [];
    const chain = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(10);
        times.push(clock.now());
      }
    })();
    await clock.advance(100);
    await chain;
    expect(times).toEqual([10, 20, 30]);
  });

  it('auto-advance jumps through a long chain of sleeps without real waiting', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: true });
    const realStart = Date.now();
    for (let i = 0; i < 100; i++) await clock.sleep(60_000);
    expect(clock.now()).toBe(6_000_000);
    expect(Date.now() - realStart).toBeLessThan(5_000);
  });

  it('auto-advance does not jump while tracked I/O is in flight', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: true });
    let release!: () => void;
    const io = clock.track(new Promise<void>((r) => (release = r)));
    let woke = false;
    void clock.sleep(1_000).then(() => (woke = true));
    await new Promise((r) => setImmediate(r));
    expect(woke).toBe(false);
    expect(clock.now()).toBe(0);
    release();
    await io;
    await new Promise((r) => setImmediate(r));
    expect(woke).toBe(true);
    expect(clock.now()).toBe(1_000);
  });

  it('scaledClock multiplies waits and slows time by the scale', async () => {
    const base = new VirtualClock({ start: 0 });
    const fast = scaledClock(base, 0.001);
    let done = false;
    void fast.sleep(60_000).then(() => (done = true));
    await base.advance(59);
    expect(done).toBe(false);
    await base.advance(1);
    expect(done).toBe(true);
    expect(fast.now()).toBe(60_000);
    expect(() => scaledClock(base, 0)).toThrow(/positive/);
  });
});

describe('MemoryStore', () => {
  it('lists by prefix in key order', async () => {
    const store = new MemoryStore();
    await store.set('b/2', 'x');
    await store.set('a/1', 'y');
    await store.set('b/1', 'z');
    await store.delete('a/1');
    expect(await store.list('b/')).toEqual([
      ['b/1', 'z'],
      ['b/2', 'x'],
    ]);
    expect(await store.get('a/1')).toBeUndefined();
  });
});

describe('systemClock', () => {
  it('TOKPIPE_TIME_SCALE multiplies waits: a virtual minute at 0.001 is about 60 real ms', async () => {
    const clock = systemClock({ scale: 0.001 });
    const virtualStart = clock.now();
    await clock.sleep(60_000); // a real minute here would trip jest's timeout
    expect(clock.now() - virtualStart).toBeGreaterThanOrEqual(50_000);
  });

  it('reads and checks the environment variable', () => {
    expect(timeScaleFromEnv({})).toBe(1);
    expect(timeScaleFromEnv({ TOKPIPE_TIME_SCALE: '0.01' })).toBe(0.01);
    expect(() => timeScaleFromEnv({ TOKPIPE_TIME_SCALE: '-1' })).toThrow(/TOKPIPE_TIME_SCALE/);
    expect(() => systemClock({ scale: 0 })).toThrow(/positive/);
  });
});
