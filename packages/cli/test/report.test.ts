import { CampaignTracker, renderMarkdownReport, renderReportTable } from '../src/report';
import { ProgressDisplay } from '../src/progress';

function sink(): { text: string; write(s: string): void } {
  return { text: '', write(s: string) { this.text += s; } };
}

function scenario(display: ProgressDisplay): void {
  for (const job of ['a1', 'a2', 'a3']) display.event({ kind: 'queued', account: 'alice', job });
  display.event({ kind: 'queued', account: 'bob', job: 'b1' });
  display.event({ kind: 'rate_wait', account: 'alice', job: 'a1', detail: '6/min init' });
  display.event({ kind: 'published', account: 'alice', job: 'a1', elapsedMs: 12_000 });
  display.event({ kind: 'retry', account: 'alice', job: 'a2', detail: 'internal_error' });
  display.event({ kind: 'unconfirmed', account: 'alice', job: 'a2' });
  display.event({ kind: 'published', account: 'alice', job: 'a2', elapsedMs: 30_000 }); // reconciliation settled it
  display.event({ kind: 'dead_lettered', account: 'alice', job: 'a3', detail: 'spam_risk_text' });
  display.event({ kind: 'inbox', account: 'bob', job: 'b1', elapsedMs: 500 });
}

describe('progress and report', () => {
  it('counts each job once by its last outcome, with retries and waits per account', () => {
    const tracker = new CampaignTracker();
    scenario(new ProgressDisplay(sink(), tracker, false));
    const [alice, bob] = tracker.snapshot();
    expect(alice).toMatchObject({ account: 'alice', total: 3, published: 2, unconfirmed: 0, deadLettered: 1, retries: 1, rateLimitWaits: 1, publishTimesMs: [12_000, 30_000] });
    expect(bob).toMatchObject({ account: 'bob', total: 1, inbox: 1 });
    const table = renderReportTable(tracker.snapshot());
    expect(table.split('\n')[0]).toMatch(/^account\s+posts\s+published\s+in inbox\s+failed\s+in DLQ/);
    expect(table).toMatch(/alice\s+3\s+2\s+0\s+0\s+1\s+0\s+1\s+1\s+21\.0 s/);
    expect(table).toMatch(/total\s+4\s+2\s+1\s+0\s+1/);
  });

  it('writes plain lines when not a terminal, and redraws bars in place on one', () => {
    const plain = sink();
    scenario(new ProgressDisplay(plain, new CampaignTracker(), false));
    expect(plain.text).toContain('alice          a1           published in 12.0 s');
    expect(plain.text).toContain('alice          a3           moved to the dead-letter queue: spam_risk_text');
    expect(plain.text).not.toContain('\x1b[');

    const tty = sink();
    let t = 0;
    const live = new ProgressDisplay(tty, new CampaignTracker(), true, () => (t += 1000));
    scenario(live);
    live.finish();
    expect(tty.text).toContain('\x1b[2A\x1b[0J'); // moved up over the two account lines to redraw
    const lastFrame = tty.text.slice(tty.text.lastIndexOf('\x1b[0J') + 4);
    expect(lastFrame.split('\n')).toEqual([
      `alice          [${'#'.repeat(16)}${'x'.repeat(8)}]   3/3   1 retries, 1 waits, 1 in DLQ`,
      `bob            [${'#'.repeat(24)}]   1/1`,
      '',
    ]);
  });

  it('renders a markdown report with the DLQ and how to replay', () => {
    const tracker = new CampaignTracker();
    scenario(new ProgressDisplay(sink(), tracker, false));
    const md = renderMarkdownReport(tracker.snapshot(), {
      title: 'tokpipe demo', campaignFile: 'examples/campaign.csv', startedAt: new Date('2026-11-25T18:00:00Z'), durationMs: 65_000,
      dlq: [{ job: 'a3', account: 'alice', code: 'spam_risk_text', action: 'Rewrite the caption | then replay' }],
    });
    expect(md).toContain('| account | posts | published |');
    expect(md).toContain('| alice | 3 | 2 | 0 | 0 | 1 | 0 | 1 | 1 | 21.0 s |');
    expect(md).toContain('| **total** | 4 |');
    expect(md).toContain('| a3 | alice | `spam_risk_text` | Rewrite the caption \\| then replay |');
    expect(md).toContain('- Duration: 1 min 5 s');
  });
});
