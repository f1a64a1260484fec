// `tokpipe accounts`, `campaign run`, `dlq`, `reconcile` as a user runs them, against a sandbox:
// counts what reached TikTok, including after a kill -9 in the middle of a campaign.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import { cliEnv, runCli, shareState, startCli, writeSandboxTokenFile } from './helpers';

let sb: Sandbox;
let env: NodeJS.ProcessEnv;
const dirs: string[] = [];
const accounts: Array<{ name: string; openId: string }> = [];

beforeAll(async () => {
  sb = await startSandbox({ timeScale: 0.001, config: { moderationDelayMs: 0 } });
  const demo = sb.admin.demo();
  env = cliEnv({
    TIKTOK_API_BASE_URL: sb.url,
    TIKTOK_CLIENT_KEY: demo.clientKey,
    TIKTOK_CLIENT_SECRET: demo.clientSecret,
  });
  for (const name of ['alpha', 'beta']) accounts.push({ name, openId: sb.admin.createUser({ username: name }).openId });
});
afterAll(async () => {
  await sb.close();
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

/** A fresh working directory with both accounts registered in its state (opened by this process: the
 * commands run as its clients). */
async function workspace(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-cli-campaign-'));
  dirs.push(dir);
  await shareState(dir);
  for (const a of accounts) {
    const file = path.join(dir, `${a.name}.json`);
    await writeSandboxTokenFile(sb, file, a.openId);
    const r = await runCli(['accounts', 'add', a.name, '--token-file', file, '--region', 'EU'], env, dir);
    expect(r.code).toBe(0);
  }
  return dir;
}

// Each test runs several CLI processes; on a busy shared machine a process start alone takes seconds.
jest.setTimeout(120_000);

let campaignNo = 0;
/** A CSV campaign whose rows carry unique titles, so each row's posts can be counted on TikTok. */
async function campaign(
  dir: string,
  rows: number,
  opts: { routed?: boolean } = {},
): Promise<{ file: string; titles: string[] }> {
  const tag = `c${++campaignNo}`;
  const titles = Array.from({ length: rows }, (_, i) => `${tag} row ${i + 1} #tokpipe`);
  const lines = ['account,video_url,title,privacy,idempotency_key'];
  titles.forEach((title, i) => {
    const account = opts.routed && i % 3 === 0 ? '' : accounts[i % 2]!.name;
    lines.push(`${account},${sb.url}/media/sample.mp4?${tag}-${i},"${title}",PUBLIC_TO_EVERYONE,${tag}-${i}`);
  });
  const file = path.join(dir, `${tag}.csv`);
  await fs.writeFile(file, lines.join('\r\n') + '\r\n');
  return { file, titles };
}

function postsWithTitle(title: string) {
  return sb.admin.posts().filter((p) => p.title === title);
}

it('with --webhook-port, jobs finish on signed webhooks instead of status polling', async () => {
  const dir = await workspace();
  const { file, titles } = await campaign(dir, 4);
  const statusFetches = () => sb.admin.requests({ endpoint: 'status' }).length;
  const before = statusFetches();
  // Slow processing: polling (10, 30, 60, 120 s...) would ask several times per job before it ends.
  const { processingDelayMs } = sb.admin.config();
  sb.admin.setConfig({ processingDelayMs: 200_000 });
  const cli = startCli(['campaign', 'run', file, '--webhook-port', '0', '--json'], env, dir);
  const [, url] = await cli.waitFor(/receiving TikTok webhooks on (http:\/\/127\.0\.0\.1:\d+\/)/);
  sb.admin.setConfig({ webhookUrl: url! });
  try {
    const result = await cli.exited;
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout).jobs as Array<{ state: string }>).map((j) => j.state)).toEqual([
      'published',
      'published',
      'published',
      'published',
    ]);
    for (const title of titles) expect(postsWithTitle(title)).toHaveLength(1);
    expect(sb.admin.webhooks().some((d) => d.attempts.some((a) => a.status === 200))).toBe(true);
    // Polling would ask 5 times per job (at 10, 30, 60, 120, 240 s) before 200 s of processing end;
    // with webhooks there is at most the pipeline's one confirming check per job.
    expect(statusFetches() - before).toBeLessThanOrEqual(titles.length);
  } finally {
    sb.admin.setConfig({ webhookUrl: null, processingDelayMs });
  }
});

it('runs a campaign across accounts: each row posted once, plain progress lines, a report file', async () => {
  const dir = await workspace();
  const { file, titles } = await campaign(dir, 6, { routed: true });
  const r = await runCli(['campaign', 'run', file], env, dir);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  for (const title of titles) expect(postsWithTitle(title).map((p) => p.status)).toEqual(['PUBLISH_COMPLETE']);
  expect(r.stdout).not.toContain('\x1b['); // not a terminal: no redraws
  expect(r.stdout.match(/published/g)!.length).toBeGreaterThanOrEqual(6);
  expect(r.stdout).toMatch(/total\s+6\s+6\s+0\s+0\s+0\s+0/);
  const report = await fs.readFile(path.join(dir, '.tokpipe/report.md'), 'utf8');
  expect(report).toContain('| **total** | 6 | 6 |');
  // The daily Direct Post caps count what was posted, per account, across runs.
  const health = JSON.parse((await runCli(['accounts', 'health', '--json'], env, dir)).stdout) as Array<{
    remaining: { direct: number };
  }>;
  expect(health.reduce((used, h) => used + (15 - h.remaining.direct), 0)).toBe(6);

  // Running the same file again is the same jobs: nothing new reaches TikTok.
  const before = sb.admin.requests().filter((q) => q.endpoint === 'video.init').length;
  const again = await runCli(['campaign', 'run', file, '--json'], env, dir);
  expect(again.code).toBe(0);
  const out = JSON.parse(again.stdout);
  expect(out.jobs).toHaveLength(6);
  expect(out.jobs.every((j: { state: string }) => j.state === 'published')).toBe(true);
  expect(sb.admin.requests().filter((q) => q.endpoint === 'video.init').length).toBe(before);
});

it('refuses a campaign with bad rows (row and column named), sending nothing', async () => {
  const dir = await workspace();
  const file = path.join(dir, 'bad.csv');
  await fs.writeFile(
    file,
    [
      'account,video_url,title,privacy',
      `alpha,${sb.url}/media/sample.mp4?bad1,ok,PUBLIC_TO_EVERYONE`,
      `alpha,ftp://nope/a.mp4,bad url,PUBLIC_TO_EVERYONE`,
      `gamma,${sb.url}/media/sample.mp4?bad3,unknown account,PUBLIC_TO_EVERYONE`,
      `beta,${sb.url}/media/sample.mp4?bad4,${'x'.repeat(2201)},PUBLIC_TO_EVERYONE`,
    ].join('\n'),
  );
  const seq = sb.admin.requests().length;
  const r = await runCli(['campaign', 'run', file], env, dir);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('row 3, column video_url: must be an https URL');
  expect(r.stderr).toContain('row 4, column account: no account "gamma"');
  expect(r.stderr).toMatch(/row 5, column title: .*2200/);
  expect(
    sb.admin
      .requests()
      .slice(seq)
      .filter((q) => q.endpoint !== 'admin'),
  ).toEqual([]);
});

it('kill -9 at random moments, then a re-run: every row is on TikTok exactly once', async () => {
  const dir = await workspace();
  const { file, titles } = await campaign(dir, 10);
  // Three crashes at random points (before, during and after inits), each followed by a restart.
  for (let crash = 0; crash < 3; crash++) {
    const cli = startCli(['campaign', 'run', file], env, dir);
    await cli.waitFor(/published|resuming/, 'stdout').catch(() => undefined);
    await Promise.race([new Promise((r) => setTimeout(r, Math.floor(Math.random() * 1500))), cli.exited]);
    cli.child.kill('SIGKILL');
    await cli.exited;
    for (const title of titles) expect(postsWithTitle(title).length).toBeLessThanOrEqual(1);
  }

  const rerun = await runCli(['campaign', 'run', file, '--json'], env, dir);
  expect([0, 4]).toContain(rerun.code); // 4: an init cut off mid-flight is left to reconciliation
  if (rerun.code === 4) {
    const rec = await runCli(['reconcile', '--json'], env, dir);
    expect(rec.stderr).toBe('');
  }
  const states = new Map(
    (JSON.parse(rerun.stdout).jobs as Array<{ label: string; state: string }>).map((j) => [j.label, j.state]),
  );
  const counts = titles.map(
    (title, i) => `${title}: ${postsWithTitle(title).length} post(s), job ${states.get(`row ${i + 2}`)}`,
  );
  expect(counts).toEqual(titles.map((title, i) => `${title}: 1 post(s), job ${states.get(`row ${i + 2}`)}`));
  const dlq = await runCli(['dlq', 'list', '--json'], env, dir);
  expect(JSON.parse(dlq.stdout)).toEqual([]);
}, 90_000);

it('lists accounts and their health without touching any token', async () => {
  const dir = await workspace();
  const list = await runCli(['accounts', 'list', '--json'], env, dir);
  expect(list.code).toBe(0);
  const rows = JSON.parse(list.stdout);
  expect(rows.map((a: { id: string; openId: string }) => [a.id, a.openId])).toEqual(
    accounts.map((a) => [a.name, a.openId]),
  );
  expect(list.stdout).not.toMatch(/act\.|rft\./);
  const health = await runCli(['accounts', 'health'], env, dir);
  expect(health.code).toBe(0);
  expect(health.stdout).toMatch(/alpha\s+active\s+15\s+5\s+0\s+0\s+0/);
});

it('puts a content failure in the DLQ (exit 3), shows it, and replays it once the cause is gone', async () => {
  const dir = await workspace();
  const { file, titles } = await campaign(dir, 1);
  sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'spam_risk_text' }]);
  const r = await runCli(['campaign', 'run', file], env, dir);
  expect(r.code).toBe(3);
  expect(r.stdout).toContain('dead-letter queue');
  const list = JSON.parse((await runCli(['dlq', 'list', '--json'], env, dir)).stdout);
  expect(list).toHaveLength(1);
  expect(list[0].error).toMatchObject({ failReason: 'spam_risk_text', retryable: false });
  const show = await runCli(['dlq', 'show', list[0].jobId], env, dir);
  expect(show.code).toBe(0);
  expect(show.stdout).toContain('spam_risk_text');
  expect(show.stdout).not.toMatch(/act\.|rft\./);

  const replay = await runCli(['dlq', 'replay', list[0].jobId, '--json'], env, dir);
  expect(replay.code).toBe(0);
  expect(JSON.parse(replay.stdout)).toMatchObject({ state: 'published' });
  expect(
    postsWithTitle(titles[0]!)
      .map((p) => p.status)
      .sort(),
  ).toEqual(['FAILED', 'PUBLISH_COMPLETE']);
  expect(JSON.parse((await runCli(['dlq', 'list', '--json'], env, dir)).stdout)).toEqual([]);
  expect((await runCli(['dlq', 'show', 'nope'], env, dir)).code).toBe(2);
});

it('an init whose reply was lost is left unconfirmed (exit 4) and `tokpipe reconcile` finds the post instead of re-posting', async () => {
  const dir = await workspace();
  const { file, titles } = await campaign(dir, 1);
  sb.admin.script('video.init', [{ kind: 'reset', processed: true }]);
  const run = await runCli(['campaign', 'run', file, '--json'], env, dir);
  expect(run.code).toBe(4);
  expect(JSON.parse(run.stdout).jobs[0]).toMatchObject({ state: 'unknown', publishId: null });
  expect(postsWithTitle(titles[0]!)).toHaveLength(1); // TikTok did create it

  const inits = () => sb.admin.requests({ endpoint: 'video.init' }).length;
  const before = inits();
  const rec = await runCli(['reconcile', '--json'], env, dir);
  expect(rec.code).toBe(0);
  expect(JSON.parse(rec.stdout)).toMatchObject({ checked: 1, resolved: 1, stillOpen: [] });
  expect(inits()).toBe(before);
  expect(postsWithTitle(titles[0]!)).toHaveLength(1);
  const again = await runCli(['campaign', 'run', file, '--json'], env, dir);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout).jobs[0]).toMatchObject({ state: 'published' });
});

it('kill -9 while the creator_info pre-flight is in flight, then a re-run: the row is posted once', async () => {
  const dir = await workspace();
  const { file, titles } = await campaign(dir, 1);
  const seen = () => sb.admin.requests({ endpoint: 'creator_info', openId: accounts[0]!.openId }).length;
  const before = seen();
  sb.admin.script('creator_info', [{ kind: 'slow', delayMs: 2_000 }]); // real ms: a wide window to crash in
  const cli = startCli(['campaign', 'run', file], env, dir);
  while (seen() === before) await new Promise((r) => setTimeout(r, 20));
  cli.child.kill('SIGKILL');
  await cli.exited;
  expect(postsWithTitle(titles[0]!)).toHaveLength(0); // no init was sent

  const rerun = await runCli(['campaign', 'run', file, '--json'], env, dir);
  expect({
    code: rerun.code,
    jobs: JSON.parse(rerun.stdout).jobs.map((j: { state: string }) => j.state),
    posts: postsWithTitle(titles[0]!).length,
  }).toEqual({ code: 0, jobs: ['published'], posts: 1 });
});
