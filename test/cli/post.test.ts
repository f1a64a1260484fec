// `tokpipe post` / `tokpipe status` as a user runs them: the real bin against an in-process sandbox.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import { cliEnv, runCli, startCli } from './helpers';

let sb: Sandbox;
let dir: string;
let env: NodeJS.ProcessEnv;
let openId: string;
const afterDone: Array<() => void> = [];
afterEach(() => afterDone.splice(0).forEach((f) => f()));

async function writeTokenFile(name: string, over: Record<string, unknown> = {}): Promise<string> {
  const token = sb.admin.issueToken(openId);
  const file = path.join(dir, name);
  await fs.writeFile(
    file,
    JSON.stringify({
      access_token: token.accessToken,
      refresh_token: token.refreshToken,
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      scope: token.scope,
      open_id: token.openId,
      ...over,
    }),
  );
  return file;
}

function inits(): number {
  return sb.admin.requests().filter((r) => r.endpoint.endsWith('.init')).length;
}

/** Every request that reached TikTok since `seq`. */
function requestsSince(seq: number) {
  return sb.admin.requests({ sinceSeq: seq }).filter((r) => r.endpoint !== 'admin');
}
function lastSeq(): number {
  const all = sb.admin.requests();
  return all.length ? all[all.length - 1]!.seq + 1 : 0;
}

beforeAll(async () => {
  sb = await startSandbox({ timeScale: 0.001 });
  const demo = sb.admin.demo();
  openId = demo.accounts[0]!.openId;
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-cli-post-'));
  env = cliEnv({
    TIKTOK_API_BASE_URL: sb.url,
    TIKTOK_CLIENT_KEY: demo.clientKey,
    TIKTOK_CLIENT_SECRET: demo.clientSecret,
  });
});
afterAll(async () => {
  await sb.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const video = (): string => `${sb.url}/media/sample.mp4`;

it('posts a video by URL, waits, and prints the documented JSON with exact post ids', async () => {
  const tokenFile = await writeTokenFile('t1.json');
  const { moderationDelayMs } = sb.admin.config();
  sb.admin.setConfig({ moderationDelayMs: 0, postIdsAs: 'number' }); // ids on the wire as 19-digit JSON numbers
  afterDone.push(() => sb.admin.setConfig({ moderationDelayMs }));
  const before = inits();
  const r = await runCli(
    [
      'post',
      '--video-url',
      video(),
      '--title',
      'hello #tokpipe',
      '--privacy',
      'PUBLIC_TO_EVERYONE',
      '--wait',
      '--json',
      '--token-file',
      tokenFile,
    ],
    env,
    dir,
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(Object.keys(out)).toEqual(['publishId', 'status', 'postIds', 'attempts', 'error']);
  expect(out).toMatchObject({ status: 'PUBLISH_COMPLETE', attempts: 1, error: null });
  expect(out.postIds).toEqual(sb.admin.posts(openId).find((p) => p.publishId === out.publishId)!.publicPostIds);
  expect(out.postIds[0]).toMatch(/^\d{19}$/);
  expect(inits() - before).toBe(1);
  const post = sb.admin.posts(openId).find((p) => p.publishId === out.publishId)!;
  expect(post).toMatchObject({ title: 'hello #tokpipe', privacy: 'PUBLIC_TO_EVERYONE', source: 'PULL_FROM_URL' });
});

it('without --wait exits 0 once TikTok accepted the post; status reports it later', async () => {
  const tokenFile = await writeTokenFile('t2.json');
  const r = await runCli(
    [
      'post',
      '--video-url',
      video(),
      '--title',
      'no wait',
      '--privacy',
      'SELF_ONLY',
      '--json',
      '--token-file',
      tokenFile,
    ],
    env,
    dir,
  );
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.publishId).toEqual(expect.any(String));
  expect(out.error).toBeNull();
  expect(['PROCESSING_DOWNLOAD', 'PUBLISH_COMPLETE']).toContain(out.status); // TikTok's own word, not ours
  const s = await runCli(['status', out.publishId, '--wait', '--json', '--token-file', tokenFile], env, dir);
  expect(s.code).toBe(0);
  expect(JSON.parse(s.stdout)).toMatchObject({ publishId: out.publishId, status: 'PUBLISH_COMPLETE', error: null });
});

it('the same post run twice (a retried cron job) is posted once and reports the same publish_id', async () => {
  const tokenFile = await writeTokenFile('twice.json');
  const args = [
    'post',
    '--video-url',
    `${video()}?twice`,
    '--title',
    'posted by cron',
    '--privacy',
    'SELF_ONLY',
    '--wait',
    '--json',
    '--token-file',
    tokenFile,
  ];
  const before = inits();
  const first = await runCli(args, env, dir);
  const second = await runCli(args, env, dir);
  expect([first.code, second.code]).toEqual([0, 0]);
  expect(JSON.parse(second.stdout).publishId).toBe(JSON.parse(first.stdout).publishId);
  expect(inits() - before).toBe(1);
});

it('sends a draft to the inbox (exit 0 on SEND_TO_USER_INBOX)', async () => {
  const tokenFile = await writeTokenFile('t3.json');
  const r = await runCli(
    ['post', '--mode', 'draft', '--video-url', `${video()}?draft=1`, '--wait', '--json', '--token-file', tokenFile],
    env,
    dir,
  );
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ status: 'SEND_TO_USER_INBOX', error: null });
});

it('uploads a local video file in one PUT (under 5 MB) and publishes it', async () => {
  const tokenFile = await writeTokenFile('t6.json');
  const file = path.join(dir, 'clip.mp4');
  await fs.writeFile(file, Buffer.from(await (await fetch(video())).arrayBuffer()));
  const size = (await fs.stat(file)).size;
  const seq = lastSeq();
  const r = await runCli(
    [
      'post',
      '--video-file',
      'clip.mp4',
      '--title',
      'from disk',
      '--privacy',
      'SELF_ONLY',
      '--wait',
      '--json',
      '--token-file',
      tokenFile,
    ],
    env,
    dir,
  );
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out).toMatchObject({ status: 'PUBLISH_COMPLETE', error: null });
  const puts = requestsSince(seq).filter((q) => q.endpoint === 'upload');
  expect(puts.map((q) => [q.contentRange, q.bytes, q.status])).toEqual([[`bytes 0-${size - 1}/${size}`, size, 201]]);
  expect(sb.admin.posts(openId).find((p) => p.publishId === out.publishId)).toMatchObject({
    source: 'FILE_UPLOAD',
    videoSize: size,
    uploadedBytes: size,
  });
});

it('posts photos (repeatable --photo-url) as one photo post', async () => {
  const tokenFile = await writeTokenFile('t7.json');
  const photos = ['photo-1.jpg', 'photo-2.jpg', 'photo-3.jpg'].map((n) => `${sb.url}/media/${n}`);
  const r = await runCli(
    [
      'post',
      ...photos.flatMap((u) => ['--photo-url', u]),
      '--title',
      'three photos',
      '--privacy',
      'SELF_ONLY',
      '--wait',
      '--json',
      '--token-file',
      tokenFile,
    ],
    env,
    dir,
  );
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.error).toBeNull();
  expect(sb.admin.posts(openId).find((p) => p.publishId === out.publishId)).toMatchObject({
    media: 'photo',
    urls: photos,
    title: 'three photos',
  });
});

it.each([
  [
    'a title over 2200 UTF-16 units',
    ['--video-url', 'VIDEO', '--privacy', 'SELF_ONLY', '--title', '😀'.repeat(1101)],
    /--title/,
  ],
  ['a direct post without privacy', ['--video-url', 'VIDEO'], /privacy/],
  ['an http URL', ['--video-url', 'http://example.com/a.mp4', '--privacy', 'SELF_ONLY'], /--video-url/],
  ['two kinds of media', ['--video-url', 'VIDEO', '--photo-url', 'VIDEO', '--privacy', 'SELF_ONLY'], /--photo-url/],
  ['an unknown privacy level', ['--video-url', 'VIDEO', '--privacy', 'EVERYONE'], /--privacy must be one of/],
  ['36 photos', [...Array.from({ length: 36 }, () => ['--photo-url', 'VIDEO']).flat(), '--privacy', 'SELF_ONLY'], /35/],
])('refuses %s with exit 2 and sends nothing', async (_name, args, message) => {
  const tokenFile = await writeTokenFile('bad.json');
  const seq = lastSeq();
  const r = await runCli(
    ['post', ...args.map((a) => (a === 'VIDEO' ? video() : a)), '--json', '--token-file', tokenFile],
    env,
    dir,
  );
  expect(r.code).toBe(2);
  const out = JSON.parse(r.stdout);
  expect(out).toMatchObject({ publishId: null, error: { retryable: false } });
  expect(out.error.message).toMatch(message);
  expect(requestsSince(seq)).toEqual([]);
});

it('refreshes an expired access token first and rewrites the token file atomically with mode 0600', async () => {
  const tokenFile = await writeTokenFile('expired.json', { expires_at: Math.floor(Date.now() / 1000) - 60 });
  const before = JSON.parse(await fs.readFile(tokenFile, 'utf8'));
  const r = await runCli(
    [
      'post',
      '--video-url',
      video(),
      '--title',
      'after refresh',
      '--privacy',
      'SELF_ONLY',
      '--json',
      '--token-file',
      tokenFile,
    ],
    env,
    dir,
  );
  expect(r.code).toBe(0);
  const after = JSON.parse(await fs.readFile(tokenFile, 'utf8'));
  expect(after.refresh_token).not.toBe(before.refresh_token); // rotated, and the new one saved
  expect(after.access_token).not.toBe(before.access_token);
  expect(Date.parse(after.expires_at)).toBeGreaterThan(Date.now());
  expect((await fs.stat(tokenFile)).mode & 0o777).toBe(0o600);
  expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  // Secrets never reach the output.
  for (const secret of [before.access_token, before.refresh_token, after.access_token, after.refresh_token]) {
    expect(r.stdout + r.stderr).not.toContain(secret);
  }
});

it('exits 5 when the refresh token is no longer valid (re-authorize), with nothing posted', async () => {
  const tokenFile = await writeTokenFile('dead.json', { expires_at: 1, refresh_token: 'rft.revoked-long-ago' });
  const before = inits();
  const r = await runCli(
    [
      'post',
      '--video-url',
      video(),
      '--title',
      'needs reauth',
      '--privacy',
      'SELF_ONLY',
      '--json',
      '--token-file',
      tokenFile,
    ],
    env,
    dir,
  );
  expect(r.code).toBe(5);
  expect(JSON.parse(r.stdout).error.code).toBe('invalid_grant');
  expect(inits()).toBe(before);
  expect(r.stdout + r.stderr).not.toContain('rft.revoked-long-ago');
});

it('exits 3 with the fail_reason when TikTok fails the post for a content reason (not retried)', async () => {
  const tokenFile = await writeTokenFile('t4.json');
  sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'spam_risk_text' }]);
  const before = inits();
  const r = await runCli(
    [
      'post',
      '--video-url',
      video(),
      '--title',
      'buy now!!!',
      '--privacy',
      'SELF_ONLY',
      '--wait',
      '--json',
      '--token-file',
      tokenFile,
    ],
    env,
    dir,
  );
  expect(r.code).toBe(3);
  expect(JSON.parse(r.stdout)).toMatchObject({
    status: 'FAILED',
    error: { failReason: 'spam_risk_text', retryable: false },
  });
  expect(inits() - before).toBe(1);
});

it('exits 4 when the init may have reached TikTok but no reply came back, and never repeats it', async () => {
  const tokenFile = await writeTokenFile('t5.json');
  sb.admin.script('video.init', [{ kind: 'reset', processed: true }]);
  const before = inits();
  const r = await runCli(
    [
      'post',
      '--video-url',
      video(),
      '--title',
      'lost reply',
      '--privacy',
      'SELF_ONLY',
      '--json',
      '--token-file',
      tokenFile,
    ],
    env,
    dir,
  );
  expect(r.code).toBe(4);
  expect(JSON.parse(r.stdout).error).toMatchObject({ retryable: false });
  expect(inits() - before).toBe(1);
});

it('exits 2 naming the token file when it is malformed, and 5 when it does not exist', async () => {
  const bad = path.join(dir, 'garbage.json');
  await fs.writeFile(bad, '{"access_token": 1}');
  const r1 = await runCli(['post', '--video-url', video(), '--privacy', 'SELF_ONLY', '--token-file', bad], env, dir);
  expect(r1.code).toBe(2);
  expect(r1.stderr).toContain('garbage.json');
  const r2 = await runCli(
    ['post', '--video-url', video(), '--privacy', 'SELF_ONLY', '--token-file', path.join(dir, 'none.json')],
    env,
    dir,
  );
  expect(r2.code).toBe(5);
  expect(r2.stderr).toContain('tokpipe auth login');
});

it('a post killed during the creator_info pre-flight can be run again and posts once', async () => {
  const tokenFile = await writeTokenFile('killed.json');
  const args = [
    'post',
    '--video-url',
    `${video()}?killed`,
    '--title',
    'killed mid pre-flight',
    '--privacy',
    'SELF_ONLY',
    '--json',
    '--token-file',
    tokenFile,
  ];
  const seen = () => sb.admin.requests({ endpoint: 'creator_info' }).length;
  const before = seen();
  sb.admin.script('creator_info', [{ kind: 'slow', delayMs: 2_000 }]);
  const cli = startCli(args, env, dir);
  while (seen() === before) await new Promise((r) => setTimeout(r, 20));
  cli.child.kill('SIGKILL');
  await cli.exited;
  const again = await runCli(args, env, dir);
  const posts = sb.admin.posts(openId).filter((p) => p.title === 'killed mid pre-flight').length;
  expect({ code: again.code, posts }).toEqual({ code: 0, posts: 1 });
});
