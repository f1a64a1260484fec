// `tokpipe sandbox` (delegated to the sandbox package) and `tokpipe demo` (what `npm start` runs).
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliEnv, ROOT, runCli, startCli } from './helpers';

it('tokpipe sandbox serves a TikTok on 127.0.0.1 and stops on SIGTERM', async () => {
  const cli = startCli(['sandbox', '--json', '--time-scale', '0.001'], cliEnv());
  const [line] = await cli.waitFor(/^\{.*\}(?=\n)/m, 'stdout');
  const info = JSON.parse(line);
  expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const reply = await fetch(`${info.url}/v2/post/publish/creator_info/query/`, {
    method: 'POST',
    headers: { Authorization: 'Bearer act.nope' },
  });
  expect(reply.status).toBe(401);
  cli.child.kill('SIGTERM');
  expect((await cli.exited).code).toBe(0);
});

it('tokpipe demo runs the example campaign against the flaky sandbox, exits 0 and writes the report', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-cli-demo-'));
  try {
    const r = await runCli(
      ['demo', '--campaign', path.join(ROOT, 'examples/campaign.csv')],
      cliEnv({ TOKPIPE_TIME_SCALE: '0.002' }),
      dir,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('4 accounts: north-studio (EU), south-studio (EU), eu-brand (EU), us-brand (US)');
    expect(r.stdout).toMatch(/^total\s+24\s+\d+/m);
    const report = await fs.readFile(path.join(dir, '.tokpipe/demo-report.md'), 'utf8');
    expect(report).toMatch(/\| \*\*total\*\* \| 24 \|/);
    // Every post is accounted for: published, in the inbox, in the DLQ or still unconfirmed.
    const total = r.stdout
      .match(/^total\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m)!
      .slice(1)
      .map(Number);
    const [posts, published, inbox, , dlq, unconfirmed] = total as [number, number, number, number, number, number];
    expect(published + inbox + dlq + unconfirmed).toBe(posts);
    expect(published + inbox).toBeGreaterThanOrEqual(20);
    // The demo compares what TikTok holds with the rows: never more posts than rows can explain.
    expect(r.stdout).toMatch(/TikTok now holds \d+ live posts for 24 rows/);
    expect(r.stdout).not.toContain('posted twice');
    // Every row is settled or explained in plain words: each open one is listed with why (issue 14).
    const open = [...r.stdout.matchAll(/^ {2}(demo-\d+) \(job job_\w+\): (.+)$/gm)];
    expect(open).toHaveLength(unconfirmed);
    for (const [, , why] of open)
      expect(why).toMatch(/TikTok may or may not have made the post|no final status in time/);
    expect(report.includes('## Still open')).toBe(unconfirmed > 0);
    // The demo deletes its store: it never sends the user to commands that cannot find it.
    expect(r.stdout).not.toMatch(/tokpipe (reconcile|resolve) job_/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}, 120_000);
