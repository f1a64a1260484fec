// Live progress: per-account bars redrawn in place on a terminal; one plain line per event otherwise
// (CI logs, pipes, tests).
import type { TextSink } from './io';
import { doneCount, formatDuration, type AccountStats, type TrackEvent, type TrackKind } from './report';

/** Plain-line wording per event (queued/started are too chatty for logs). */
const PLAIN_LINE: Partial<Record<TrackKind, (e: TrackEvent) => string>> = {
  published: (e) =>
    `published${e.elapsedMs !== undefined ? ` in ${formatDuration(e.elapsedMs)}` : ''}${e.detail ? ` (${e.detail})` : ''}`,
  inbox: (e) => `delivered to the creator's inbox${e.detail ? ` (${e.detail})` : ''}`,
  retry: (e) => `will retry${e.detail ? `: ${e.detail}` : ''}`,
  rate_wait: (e) => `waiting for the rate limit${e.detail ? `: ${e.detail}` : ''}`,
  failed: (e) => `failed${e.detail ? `: ${e.detail}` : ''}`,
  dead_lettered: (e) => `moved to the dead-letter queue${e.detail ? `: ${e.detail}` : ''}`,
  unconfirmed: (e) => `unconfirmed, left to reconciliation${e.detail ? ` (${e.detail})` : ''}`,
  deferred: (e) => `deferred, nothing sent${e.detail ? `: ${e.detail}` : ''}`,
};

const BAR_WIDTH = 24;

function bar(s: AccountStats): string {
  if (s.total <= 0) return ' '.repeat(BAR_WIDTH);
  const ok = Math.round(((s.published + s.inbox) / s.total) * BAR_WIDTH);
  const bad = Math.min(BAR_WIDTH - ok, Math.round(((s.deadLettered + s.unconfirmed) / s.total) * BAR_WIDTH));
  // '#' published or delivered, 'x' dead-lettered or unconfirmed, '.' still moving or deferred.
  return '#'.repeat(ok) + 'x'.repeat(bad) + '.'.repeat(Math.max(0, BAR_WIDTH - ok - bad));
}

export class ProgressDisplay {
  private drawnLines = 0;
  private lastDraw = 0;

  constructor(
    private readonly out: TextSink,
    /** The current per-account numbers (computed from the jobs). */
    private readonly snapshot: () => AccountStats[],
    private readonly live: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  event(e: TrackEvent): void {
    if (!this.live) {
      const line = PLAIN_LINE[e.kind];
      if (line) this.out.write(`${e.account.padEnd(14)} ${e.job.padEnd(12)} ${line(e)}\n`);
      return;
    }
    // Redraw at most ~10 times a second; the final draw is forced by finish().
    if (this.now() - this.lastDraw >= 100) this.draw();
  }

  /** Any line the display must show above the live table (alerts, warnings). */
  note(text: string): void {
    if (this.live) this.erase();
    this.out.write(text.endsWith('\n') ? text : text + '\n');
    if (this.live) this.draw();
  }

  finish(): void {
    if (this.live) this.draw();
  }

  private erase(): void {
    if (this.drawnLines > 0) (this.out.controls ?? this.out).write(`\x1b[${this.drawnLines}A\x1b[0J`);
    this.drawnLines = 0;
  }

  private draw(): void {
    this.lastDraw = this.now();
    const lines = this.snapshot().map((s) => {
      const done = doneCount(s);
      const extra = [
        s.retries ? `${s.retries} retries` : '',
        s.rateLimitWaits ? `${s.rateLimitWaits} waits` : '',
        s.deadLettered ? `${s.deadLettered} in DLQ` : '',
        s.unconfirmed ? `${s.unconfirmed} unconfirmed` : '',
        s.deferred ? `${s.deferred} deferred` : '',
      ]
        .filter(Boolean)
        .join(', ');
      return `${s.account.padEnd(14)} [${bar(s)}] ${String(done).padStart(3)}/${String(s.total).padEnd(3)} ${extra}`.trimEnd();
    });
    this.erase();
    this.out.write(lines.join('\n') + '\n');
    this.drawnLines = lines.length;
  }
}
