// Issue 14 items 2 and 3: a row (or a single `tokpipe post`) whose outcome TikTok never told us has a
// way out: `reconcile` says why it is open and `resolve` settles it by hand, after which a row settled
// as not posted is sent again, once.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import { cliEnv, runCli, shareState } from './helpers';

let sb: Sandbox;
let env: NodeJS.ProcessEnv;
let dir: string;
let openId: string;

// Several CLI processes per test: on a busy shared machine a process start alone takes seconds.
jest.setTimeout(120_000);

beforeAll(async () => {
  sb = await startSandbox({ timeScale: 0.001, config: { moderationDelayMs: 0 } });
  const demo = sb.admin.demo();
  env = cliEnv({
    TIKTOK_API_BASE_URL: sb.url,
    TIKTOK_CLIENT_KEY: demo.clientKey,
    TIKTOK_CLIENT_SECRET: demo.clientSecret,
  });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-cli-resolve-'));
  // Owned by this process: the commands run as its clients, each one short (the tokens here expire an
  // hour of virtual time, 3.6 real seconds, after a process starts).
  await shareState(dir);
  openId = sb.admin.createUser({ username: 'epsilon' }).openId;
  const token = sb.admin.issueToken(openId);
  const record = {
    access_token: token.accessToken,
    refresh_token: token.refreshToken,
    expires_at: Math.floor(Date.now() / 1000) + 3600,
  };
  // One token file for `tokpipe post`, a copy for the registered account (each refreshes its own).
  const content = JSON.stringify({ ...record, scope: token.scope, open_id: openId });
  for (const name of ['token.json', 'epsilon.json']) await fs.writeFile(path.join(dir, name), content);
  expect(
    (await runCli(['accounts', 'add', 'epsilon', '--token-file', path.join(dir, 'epsilon.json')], env, dir)).code,
  ).toBe(0);
});
afterAll(async () => {
  await sb.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const postsTitled = (title: string) => sb.admin.posts().filter((p) => p.title === title);
const inits = () => sb.admin.requests({ endpoint: 'video.init' }).length;

async function campaignFile(name: string, title: string, privacy: string): Promise<string> {
  const file = path.join(dir, `${name}.csv`);
  const row = `epsilon,${sb.url}/media/sample.mp4?${name},"${title}",${privacy},${name}`;
  await fs.writeFile(file, `account,video_url,title,privacy,idempotency_key\n${row}\n`);
  return file;
}

it('a private row whose reply was lost: reconcile explains it, resolve --posted settles it, nothing is sent again', async () => {
  const file = await campaignFile('private-1', 'private row #tokpipe', 'SELF_ONLY');
  sb.admin.script('video.init', [{ kind: 'reset', processed: true }]);
  expect((await runCli(['campaign', 'run', file], env, dir)).code).toBe(4);
  const [post] = postsTitled('private row #tokpipe');
  expect(post).toBeDefined();

  const rec = await runCli(['reconcile'], env, dir);
  expect(rec.code).toBe(4);
  expect(rec.stdout).toMatch(/still open/);
  expect(rec.stdout).toMatch(/\(private-1\): The init on epsilon was sent at .* its reply was lost/);
  expect(rec.stdout).toMatch(/posted as SELF_ONLY, and TikTok's video list shows public videos only/);
  expect(rec.stdout).toMatch(/tokpipe resolve job_\w+ --posted POST_ID/);

  expect((await runCli(['resolve', 'private-1', '--posted', 'abc'], env, dir)).code).toBe(2);
  const done = await runCli(['resolve', 'private-1', '--posted', post!.postIds[0]!], env, dir);
  expect(done.stdout).toMatch(/private-1 \(job job_\w+\): settled as posted, post \d+/);
  expect(done.code).toBe(0);
  const before = inits();
  const again = await runCli(['campaign', 'run', file, '--json'], env, dir);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout).jobs[0]).toMatchObject({ state: 'published', postIds: [post!.postIds[0]] });
  expect(inits()).toBe(before);
  expect((await runCli(['resolve', 'private-1', '--not-posted'], env, dir)).stderr).toMatch(/already published/);
});

it('a row TikTok never got: resolve --not-posted, and the next run posts it once', async () => {
  const file = await campaignFile('lost-1', 'lost row #tokpipe', 'PUBLIC_TO_EVERYONE');
  sb.admin.script('video.init', [{ kind: 'reset', processed: false }]);
  const first = await runCli(['campaign', 'run', file, '--json'], env, dir);
  expect(first.code).toBe(4);
  expect(JSON.parse(first.stdout).jobs[0]).toMatchObject({
    state: 'unknown',
    why: expect.stringMatching(/reply was lost/),
  });
  expect(postsTitled('lost row #tokpipe')).toHaveLength(0);
  const resolved = await runCli(['resolve', 'lost-1', '--not-posted'], env, dir);
  expect(resolved.code).toBe(0);
  expect(resolved.stdout).toMatch(/settled as not posted; run its campaign again/);
  const again = await runCli(['campaign', 'run', file, '--json'], env, dir);
  expect(again.code).toBe(0);
  expect(postsTitled('lost row #tokpipe')).toHaveLength(1);
  expect((await runCli(['campaign', 'run', file], env, dir)).code).toBe(0);
  expect(postsTitled('lost row #tokpipe')).toHaveLength(1);
});

it('a single post with an unknown outcome: its advice works (reconcile finds it; the same post then answers it)', async () => {
  const media = ['--video-url', `${sb.url}/media/sample.mp4?single-1`];
  const args = [
    'post',
    ...media,
    '--title',
    'single post #tokpipe',
    '--privacy',
    'PUBLIC_TO_EVERYONE',
    '--token-file',
    'token.json',
  ];
  sb.admin.script('video.init', [{ kind: 'reset', processed: true }]);
  const first = await runCli(args, env, dir);
  expect(first.code).toBe(4);
  const jobId = /recorded as job (job_\w+)/.exec(first.stdout)?.[1];
  expect(jobId).toBeDefined();
  expect(first.stdout).toContain('`tokpipe reconcile` looks for it');
  expect(first.stdout).toContain(`tokpipe resolve ${jobId} --not-posted`);

  const rec = await runCli(['reconcile', '--json'], env, dir);
  expect(JSON.parse(rec.stdout)).toMatchObject({ resolved: 1 });
  const before = inits();
  const again = await runCli([...args, '--json'], env, dir);
  expect(again.code).toBe(0);
  const [post] = postsTitled('single post #tokpipe');
  expect(JSON.parse(again.stdout)).toMatchObject({ status: 'PUBLISH_COMPLETE', postIds: post!.publicPostIds });
  expect(inits()).toBe(before);
  expect(postsTitled('single post #tokpipe')).toHaveLength(1);
});

it('a single post TikTok never got: resolve --not-posted, then the same post command posts it once', async () => {
  const media = ['--video-url', `${sb.url}/media/sample.mp4?single-2`];
  const args = [
    'post',
    ...media,
    '--title',
    'single lost #tokpipe',
    '--privacy',
    'SELF_ONLY',
    '--json',
    '--token-file',
    'token.json',
  ];
  sb.admin.script('video.init', [{ kind: 'reset', processed: false }]);
  const first = await runCli(args, env, dir);
  expect(first.code).toBe(4);
  const { jobId } = JSON.parse(first.stdout) as { jobId: string };
  // Re-running before it is settled never sends it again.
  expect((await runCli(args, env, dir)).code).toBe(4);
  expect(postsTitled('single lost #tokpipe')).toHaveLength(0);
  const resolved = await runCli(['resolve', jobId, '--not-posted'], env, dir);
  expect(resolved.stdout).toMatch(/run the same `tokpipe post` command again/);
  const again = await runCli(args, env, dir);
  expect(again.code).toBe(0);
  expect(postsTitled('single lost #tokpipe')).toHaveLength(1);
});
