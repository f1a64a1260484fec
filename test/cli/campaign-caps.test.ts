// Issue 14 item 6: rows held back by the daily caps are "deferred" (own column, own exit code 6,
// nothing sent), not "TikTok may have the post" (4); the report says when they can go; `attempts`
// is the number of inits sent.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import { cliEnv, runCli } from './helpers';

let sb: Sandbox;
let env: NodeJS.ProcessEnv;
let dir: string;

beforeAll(async () => {
  sb = await startSandbox({ timeScale: 0.001, config: { moderationDelayMs: 0 } });
  const demo = sb.admin.demo();
  env = cliEnv({
    TIKTOK_API_BASE_URL: sb.url,
    TIKTOK_CLIENT_KEY: demo.clientKey,
    TIKTOK_CLIENT_SECRET: demo.clientSecret,
  });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-cli-caps-'));
  for (const name of ['gamma', 'delta']) {
    const token = sb.admin.issueToken(sb.admin.createUser({ username: name }).openId);
    const file = path.join(dir, `${name}.json`);
    const record = {
      access_token: token.accessToken,
      refresh_token: token.refreshToken,
      expires_at: Math.floor(Date.now() / 1000) + 3600,
    };
    await fs.writeFile(file, JSON.stringify({ ...record, scope: token.scope, open_id: token.openId }));
    expect((await runCli(['accounts', 'add', name, '--token-file', file, '--direct-cap', '2'], env, dir)).code).toBe(0);
  }
});
afterAll(async () => {
  await sb.close();
  await fs.rm(dir, { recursive: true, force: true });
});

it('a campaign over the daily caps ends: posted rows, deferred rows with their time, exit 6', async () => {
  const lines = ['account,video_url,title,privacy,idempotency_key'];
  for (let i = 0; i < 7; i++) {
    const account = i % 3 === 0 ? '' : i % 3 === 1 ? 'gamma' : 'delta';
    lines.push(`${account},${sb.url}/media/sample.mp4?caps-${i},"caps row ${i}",SELF_ONLY,caps-${i}`);
  }
  const file = path.join(dir, 'caps.csv');
  await fs.writeFile(file, lines.join('\n') + '\n');
  const inits = () => sb.admin.requests({ endpoint: 'video.init' }).length;

  const run = await runCli(['campaign', 'run', file], env, dir);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(6);
  expect(inits()).toBe(4); // two accounts, a cap of 2 each
  expect(run.stdout).toMatch(/deferred, nothing sent: daily cap used up; can post from \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  // A deferred row is never shown as a rate-limit wait (a posted row may meet the limiter on a busy machine:
  // the scaled clock runs on real time, so that count is not asserted).
  const deferredRows = [...run.stdout.matchAll(/(caps-\d+)\s+deferred, nothing sent/g)].map((m) => m[1]!);
  expect(deferredRows).toHaveLength(3);
  for (const row of deferredRows) expect(run.stdout).not.toMatch(new RegExp(`${row}\\s+waiting for the rate limit`));
  expect(run.stdout).toMatch(/deferred\s+retries/); // its own column
  expect(run.stdout).toMatch(/total\s+7\s+4\s+0\s+0\s+0\s+0\s+3\s+0\s+\d+/);
  expect(run.stdout).toMatch(/3 row\(s\) deferred: .*nothing was sent for them\. They can post from .* UTC/);
  const report = await fs.readFile(path.join(dir, '.tokpipe/report.md'), 'utf8');
  expect(report).toContain('| deferred |');
  expect(report).toMatch(/> 3 row\(s\) deferred/);

  // Again, as JSON: the same jobs, nothing new sent; attempts is the inits each row sent.
  const again = await runCli(['campaign', 'run', file, '--json'], env, dir);
  expect(again.code).toBe(6);
  expect(inits()).toBe(4);
  type Row = { state: string; attempts: number; deferredFor: string | null; possibleFrom: string | null };
  const jobs = JSON.parse(again.stdout).jobs as Row[];
  expect(jobs.map((j) => j.state).sort()).toEqual([
    'deferred',
    'deferred',
    'deferred',
    'published',
    'published',
    'published',
    'published',
  ]);
  expect(jobs.reduce((sum, j) => sum + j.attempts, 0)).toBe(4);
  for (const j of jobs.filter((j) => j.state === 'deferred')) {
    expect(j).toMatchObject({ attempts: 0, deferredFor: 'daily_cap' });
    expect(Date.parse(j.possibleFrom!)).toBeGreaterThan(Date.now());
  }
});
