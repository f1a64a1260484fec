// Jobs waiting for a time (retry_wait, deferred): one heap ordered by due time and a single clock
// timer for the earliest, instead of a timer per job (a 100,000-row campaign deferred by the daily
// caps would otherwise hold 100,000 sleeping timers).
import type { Clock } from '../ports';
import type { JobState } from './types';

/** Longest single sleep: Node's setTimeout fires at once past 2^31 ms (24.8 days), and a job may be
 * deferred for months (the n-th slot of a long campaign); a longer wait is slept in steps. */
const MAX_SLEEP_MS = 6 * 60 * 60_000;

export interface DueEntry {
  jobId: string;
  at: number;
  /** The state the job was in when scheduled: a job that moved on since is not woken. */
  state: JobState;
  order: number;
}

export class DueTimers {
  private readonly heap: DueEntry[] = [];
  private nextOrder = 0;
  private armedAt?: number;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (entry: DueEntry) => void,
    /** Once true, no timer is armed again (a stopped pipeline leaves no clock busy). */
    private readonly stopped: () => boolean = () => false,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  add(jobId: string, at: number, state: JobState): void {
    this.push({ jobId, at, state, order: this.nextOrder++ });
    if (this.armedAt === undefined || at < this.armedAt) this.arm(at);
  }

  private arm(at: number): void {
    this.armedAt = at;
    void this.clock.sleep(Math.min(MAX_SLEEP_MS, Math.max(0, at - this.clock.now()))).then(() => {
      if (this.armedAt === at) this.armedAt = undefined;
      if (!this.stopped()) this.fire();
    });
  }

  /** Wakes every entry due by now, in due order (ties: the order they were added). */
  private fire(): void {
    const now = this.clock.now();
    while (this.heap.length > 0 && this.heap[0]!.at <= now) this.onDue(this.pop());
    const next = this.heap[0];
    if (next && (this.armedAt === undefined || next.at < this.armedAt)) this.arm(next.at);
  }

  private before(a: DueEntry, b: DueEntry): boolean {
    return a.at < b.at || (a.at === b.at && a.order < b.order);
  }

  private push(entry: DueEntry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): DueEntry {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
