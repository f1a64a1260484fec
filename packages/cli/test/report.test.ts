import { renderMarkdownReport, renderReportTable, statsFromJobs, type JobLike } from '../src/report';
import { ProgressDisplay } from '../src/progress';

function sink(): { text: string; write(s: string): void } {
  return {
    text: '',
    write(s: string) {
      this.text += s;
    },
  };
}

const jobs: JobLike[] = [
  { account: 'alice', state: 'published', retries: 0, rateLimitWaits: 1, submittedAt: 0, completedAt: 12_000 },
  {
    account: 'alice',
    state: 'published',
    retries: 0,
    generation: 1,
    rateLimitWaits: 0,
    submittedAt: 0,
    completedAt: 30_000,
  },
  {
    account: 'alice',
    state: 'dead',
    retries: 0,
    rateLimitWaits: 0,
    submittedAt: 0,
    lastError: { disposition: 'needs_human' },
  },
  { account: 'bob', state: 'delivered', retries: 0, rateLimitWaits: 0, submittedAt: 1_000, completedAt: 1_500 },
  {
    account: 'bob',
    state: 'dead',
    retries: 2,
    rateLimitWaits: 0,
    submittedAt: 0,
    lastError: { disposition: 'unknown_outcome' },
  },
  { account: 'bob', state: 'unknown', retries: 0, rateLimitWaits: 0, submittedAt: 0 },
  { state: 'queued', retries: 0, rateLimitWaits: 0, submittedAt: 0 },
  { account: 'bob', state: 'deferred', retries: 0, rateLimitWaits: 0, submittedAt: 0, dueAt: 86_400_000 },
];

describe('report', () => {
  it('counts jobs per account by state, with retries, waits and publish times', () => {
    const [router, alice, bob] = statsFromJobs(jobs);
    expect(router).toMatchObject({ account: '(router)', total: 1, published: 0 });
    expect(alice).toMatchObject({
      account: 'alice',
      total: 3,
      published: 2,
      deadLettered: 1,
      failed: 1,
      retries: 1,
      rateLimitWaits: 1,
      publishTimesMs: [12_000, 30_000],
    });
    // An unknown outcome in the DLQ is not a failure: it may be on TikTok.
    expect(bob).toMatchObject({
      account: 'bob',
      total: 4,
      inbox: 1,
      deadLettered: 1,
      failed: 0,
      unconfirmed: 1,
      deferred: 1,
      retries: 2,
    });
    expect(bob!.nextDeferredAt).toBe(86_400_000);
    const table = renderReportTable(statsFromJobs(jobs));
    const header =
      /^account\s+posts\s+published\s+in inbox\s+failed\s+in DLQ\s+unconfirmed\s+deferred\s+retries\s+rate-limit waits\s+/;
    expect(table.split('\n')[0]).toMatch(new RegExp(header.source + 'median time to publish$'));
    expect(table).toMatch(/alice\s+3\s+2\s+0\s+1\s+1\s+0\s+0\s+1\s+1\s+21\.0 s/);
    expect(table).toMatch(/total\s+8\s+2\s+1\s+1\s+2\s+1\s+1\s+3\s+1/);
  });

  it('renders markdown with the DLQ and how to replay', () => {
    const md = renderMarkdownReport(statsFromJobs(jobs), {
      title: 'tokpipe demo',
      campaignFile: 'examples/campaign.csv',
      startedAt: new Date('2026-11-25T18:00:00Z'),
      durationMs: 65_000,
      dlq: [{ job: 'a3', account: 'alice', code: 'spam_risk_text', action: 'Rewrite the caption | then replay' }],
    });
    expect(md).toContain('| account | posts | published |');
    expect(md).toContain('| alice | 3 | 2 | 0 | 1 | 1 | 0 | 0 | 1 | 1 | 21.0 s |');
    expect(md).toContain('| **total** | 8 |');
    expect(md).toContain('| a3 | alice | `spam_risk_text` | Rewrite the caption \\| then replay |');
    expect(md).toContain('- Duration: 1 min 5 s');
  });
});

describe('progress display', () => {
  const events = [
    { kind: 'started' as const, account: 'alice', job: 'a1' },
    { kind: 'published' as const, account: 'alice', job: 'a1', elapsedMs: 12_000 },
    { kind: 'dead_lettered' as const, account: 'alice', job: 'a3', detail: 'spam_risk_text' },
  ];

  it('writes plain lines (no escape codes) when not a terminal', () => {
    const out = sink();
    const display = new ProgressDisplay(out, () => statsFromJobs(jobs), false);
    events.forEach((e) => display.event(e));
    display.finish();
    expect(out.text).toBe(
      'alice          a1           published in 12.0 s\nalice          a3           moved to the dead-letter queue: spam_risk_text\n',
    );
  });

  it('redraws per-account bars in place on a terminal', () => {
    const out = sink();
    let t = 0;
    const display = new ProgressDisplay(
      out,
      () => statsFromJobs(jobs.filter((j) => j.account)),
      true,
      () => (t += 1000),
    );
    events.forEach((e) => display.event(e));
    display.note('alert: error rate high on bob');
    display.finish();
    expect(out.text).toContain('\x1b[2A\x1b[0J'); // back over the two account lines
    expect(out.text).toContain('alert: error rate high on bob\n');
    const lastFrame = out.text.slice(out.text.lastIndexOf('\x1b[0J') + 4);
    expect(lastFrame.split('\n')).toEqual([
      `alice          [${'#'.repeat(16)}${'x'.repeat(8)}]   3/3   1 retries, 1 waits, 1 in DLQ`,
      `bob            [${'#'.repeat(6)}${'x'.repeat(12)}${'.'.repeat(6)}]   4/4   2 retries, 1 in DLQ, 1 unconfirmed, 1 deferred`,
      '',
    ]);
  });
});
