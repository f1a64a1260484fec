// Clocks for core's logic. VirtualClock lets tests and benches run minutes of backoff, rate-limit
// windows and polling in milliseconds: nothing here touches real timers (n8n's scanner forbids them
// in shipped code; the timer-based clock lives in node/clock.ts).
import type { Clock, Transport } from './ports';

interface Sleeper {
  wakeAt: number;
  order: number;
  resolve: () => void;
}

export interface VirtualClockOptions {
  /** Start time, epoch ms. Default 2026-01-01T00:00:00Z. */
  start?: number;
  /** Jump to the next wake time whenever everything pending is asleep (see setAutoAdvance). */
  autoAdvance?: boolean;
  /** Microtask turns to wait before deciding the program is idle. */
  idleTurns?: number;
  /** Also yield to the host's event loop before deciding (e.g. `() => new Promise(r => setImmediate(r))`
   * in Node tests): lets I/O callbacks that are already due run first. Core cannot use timers itself. */
  yieldToHost?: () => Promise<void>;
}

const DEFAULT_START = Date.UTC(2026, 0, 1);

/** Deterministic clock: time moves only through advance(), or by itself in auto-advance mode
 * when every pending task is sleeping on this clock and no tracked I/O is in flight. */
export class VirtualClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];
  private nextOrder = 0;
  private auto: boolean;
  private readonly idleTurns: number;
  private readonly yieldToHost?: () => Promise<void>;
  /** Real I/O (HTTP to a sandbox, file writes) registered via track(): time never jumps while it runs. */
  private inFlight = 0;
  /** Bumped on every event that could mean "not idle yet". */
  private activity = 0;
  private checking = false;

  constructor(options: VirtualClockOptions = {}) {
    this.current = options.start ?? DEFAULT_START;
    this.auto = options.autoAdvance ?? false;
    this.idleTurns = options.idleTurns ?? 50;
    this.yieldToHost = options.yieldToHost;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number): Promise<void> {
    if (!(ms > 0)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.sleepers.push({ wakeAt: this.current + ms, order: this.nextOrder++, resolve });
      this.activity++;
      this.scheduleIdleCheck();
    });
  }

  /** How many sleepers are waiting (useful in tests: "the poster is now waiting"). */
  pendingSleepers(): number {
    return this.sleepers.length;
  }

  /** Moves time forward by `ms`, waking every sleeper due on the way, in wake order. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.current + Math.max(0, ms));
  }

  async advanceTo(target: number): Promise<void> {
    for (;;) {
      const next = this.earliest();
      if (!next || next.wakeAt > target) break;
      this.wake(next.wakeAt);
      await this.drainMicrotasks();
    }
    if (target > this.current) this.current = target;
  }

  setAutoAdvance(on: boolean): void {
    this.auto = on;
    if (on) this.scheduleIdleCheck();
  }

  /** Marks real I/O as in flight until `work` settles, so auto-advance never jumps past it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.inFlight++;
    this.activity++;
    const done = () => {
      this.inFlight--;
      this.activity++;
      this.scheduleIdleCheck();
    };
    return work.then(
      (value) => {
        done();
        return value;
      },
      (err: unknown) => {
        done();
        throw err;
      },
    );
  }

  /** A transport whose requests count as in-flight I/O (use with a real sandbox in tests). */
  trackTransport(transport: Transport): Transport {
    return (request) => this.track(transport(request));
  }

  private earliest(): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.sleepers) {
      if (!best || s.wakeAt < best.wakeAt || (s.wakeAt === best.wakeAt && s.order < best.order)) best = s;
    }
    return best;
  }

  /** Sets time to `at` and resolves every sleeper due by then, in order. */
  private wake(at: number): void {
    if (at > this.current) this.current = at;
    const due = this.sleepers
      .filter((s) => s.wakeAt <= this.current)
      .sort((a, b) => a.wakeAt - b.wakeAt || a.order - b.order);
    this.sleepers = this.sleepers.filter((s) => s.wakeAt > this.current);
    this.activity++;
    for (const s of due) s.resolve();
  }

  private async drainMicrotasks(): Promise<void> {
    for (let i = 0; i < this.idleTurns; i++) await Promise.resolve();
  }

  private scheduleIdleCheck(): void {
    if (!this.auto || this.checking) return;
    this.checking = true;
    void this.idleLoop();
  }

  private async idleLoop(): Promise<void> {
    try {
      while (this.auto && this.inFlight === 0 && this.sleepers.length > 0) {
        const seen = this.activity;
        await this.drainMicrotasks();
        if (this.yieldToHost) await this.yieldToHost();
        // Something happened while we waited: not idle yet, look again.
        if (seen !== this.activity || this.inFlight > 0) continue;
        const next = this.earliest();
        if (!next) break;
        this.wake(next.wakeAt);
      }
    } finally {
      this.checking = false;
    }
  }
}

/** A clock whose waits are `scale` times longer (scale < 1 = faster) and whose time runs 1/scale
 * as fast, built over any base clock. */
export function scaledClock(base: Clock, scale: number): Clock {
  if (!(scale > 0) || !Number.isFinite(scale))
    throw new RangeError(`time scale must be a positive number, got ${scale}`);
  const origin = base.now();
  return {
    now: () => origin + (base.now() - origin) / scale,
    sleep: (ms) => base.sleep(ms * scale),
  };
}
