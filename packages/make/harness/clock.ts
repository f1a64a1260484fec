// The harness's clock: a virtual one where sleeping moves time forward at once. Make's engine waits
// between `repeat` iterations; here those waits are recorded and cost no real time.
import type { Clock } from '@tokpipe/core';

export class SteppingClock implements Clock {
  /** Every sleep requested, in order (tests assert the polling cadence from these). */
  readonly sleeps: number[] = [];
  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.current += Math.max(0, ms);
  }

  /** Time passing outside any module run (between scenario runs). */
  advance(ms: number): void {
    this.current += ms;
  }
}
