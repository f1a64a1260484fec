// Issue 14 item 5: two processes sharing one token file (two cron jobs starting together after the
// access token expired) must refresh once between them: TikTok rotates the refresh token on every
// refresh, so a second refresh with the old one gets invalid_grant and loses that process's post.
// Two real `tokpipe post` processes against the sandbox with strict rotation on. A gate in front of
// the sandbox holds the first refresh until the other process is provably at the same point: either it
// sent its own refresh (the race) or it said it is waiting for the lock (the fix).
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import { cliEnv, startCli, type LiveCli } from './helpers';

let sb: Sandbox;
let dir: string;
let gate: http.Server;
let gateUrl: string;
const held: Array<() => void> = [];
let refreshesSeen = 0;
let released = false;

function release(): void {
  released = true;
  held.splice(0).forEach((go) => go());
}

beforeAll(async () => {
  sb = await startSandbox({ timeScale: 0.001, config: { strictRefreshRotation: true } });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-token-race-'));
  const target = new URL(sb.url);
  gate = http.createServer((req, res) => {
    const forward = (): void => {
      const upstream = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (reply) => {
          res.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    };
    if (!req.url?.startsWith('/v2/oauth/token')) return forward();
    refreshesSeen += 1;
    if (released || refreshesSeen >= 2) {
      forward();
      release();
    } else {
      held.push(forward);
    }
  });
  await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
  gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}`;
});

afterAll(async () => {
  release();
  await new Promise((resolve) => gate.close(resolve));
  await sb.close();
  await fs.rm(dir, { recursive: true, force: true });
});

it('two processes with an expired token: exactly one refresh, both posts succeed, the file keeps the rotated token', async () => {
  const demo = sb.admin.demo();
  const openId = demo.accounts[0]!.openId;
  const token = sb.admin.issueToken(openId);
  const tokenFile = path.join(dir, 'shared-token.json');
  await fs.writeFile(
    tokenFile,
    JSON.stringify({
      access_token: token.accessToken,
      refresh_token: token.refreshToken,
      expires_at: new Date(Date.now() - 60_000).toISOString(),
      scope: token.scope,
      open_id: token.openId,
    }),
  );
  const env = cliEnv({
    TIKTOK_API_BASE_URL: gateUrl,
    TIKTOK_CLIENT_KEY: demo.clientKey,
    TIKTOK_CLIENT_SECRET: demo.clientSecret,
  });
  const refreshesBefore = sb.admin.requests().filter((r) => r.endpoint === 'oauth.token').length;
  const postsBefore = sb.admin.posts(openId).length;

  const job = (name: string): LiveCli =>
    startCli(
      [
        'post',
        '--video-url',
        `${sb.url}/media/sample.mp4`,
        '--title',
        `cron ${name}`,
        '--privacy',
        'SELF_ONLY',
        '--json',
        '--token-file',
        tokenFile,
        '--store',
        path.join(dir, `${name}.db`),
      ],
      env,
      dir,
    );
  const jobs = [job('a'), job('b')];
  // With the lock, the second process never sends a refresh: its "waiting" line is what opens the gate.
  void Promise.race(
    jobs.map((j) => j.waitFor(/is refreshing the access token; waiting for it/).catch(() => new Promise(() => {}))),
  ).then(release);
  const results = await Promise.all(jobs.map((j) => j.exited));

  for (const r of results) {
    expect({ code: r.code, stderr: r.stderr.replace(/.*waiting for it\n/, '') }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toMatchObject({ error: null, publishId: expect.any(String) });
  }
  const refreshes = sb.admin.requests().filter((r) => r.endpoint === 'oauth.token').length - refreshesBefore;
  expect(refreshes).toBe(1);
  expect(sb.admin.posts(openId).length - postsBefore).toBe(2);
  const saved = JSON.parse(await fs.readFile(tokenFile, 'utf8'));
  expect(saved.refresh_token).not.toBe(token.refreshToken);
  expect(new Date(saved.expires_at).getTime()).toBeGreaterThan(Date.now());
  expect(((await fs.stat(tokenFile)).mode & 0o777).toString(8)).toBe('600');
  await expect(fs.stat(`${tokenFile}.lock`)).rejects.toMatchObject({ code: 'ENOENT' }); // released
}, 60_000);
