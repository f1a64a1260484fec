// `tokpipe auth login`, headless: the sandbox's authorize page plays the browser and redirects back
// to the CLI's one-shot 127.0.0.1 callback with a code (or an error).
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import { cliEnv, startCli } from './helpers';

let sb: Sandbox;
let env: NodeJS.ProcessEnv;
let dir: string;

beforeAll(async () => {
  sb = await startSandbox({ timeScale: 0.001 });
  const demo = sb.admin.demo();
  env = cliEnv({
    TIKTOK_API_BASE_URL: sb.url,
    TIKTOK_CLIENT_KEY: demo.clientKey,
    TIKTOK_CLIENT_SECRET: demo.clientSecret,
  });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-cli-auth-'));
});
afterAll(async () => {
  await sb.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** Plays the user's browser: open the authorize URL, follow the redirect to the CLI's callback. */
async function browse(authorizeUrl: string): Promise<{ status: number; page: string }> {
  const consent = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const callback = await fetch(consent.headers.get('location')!);
  return { status: callback.status, page: await callback.text() };
}

it('prints the authorize URL, receives the code on 127.0.0.1, exchanges it with PKCE and saves a 0600 token file', async () => {
  const user = sb.admin.createUser({ username: 'login_user' });
  const tokenFile = path.join(dir, 'nested', 'token.json');
  const cli = startCli(
    ['auth', 'login', '--token-file', tokenFile, '--no-browser', '--scopes', 'user.info.basic,video.publish'],
    env,
    dir,
  );
  const [url] = await cli.waitFor(/^http\S+(?=\n)/m, 'stdout');
  const authorize = new URL(url);
  expect(authorize.origin + authorize.pathname).toBe(`${sb.url}/v2/auth/authorize/`);
  expect(authorize.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\/$/);
  expect(authorize.searchParams.get('code_challenge')).toMatch(/^[0-9a-f]{64}$/); // TikTok's hex S256
  expect(authorize.searchParams.get('state')).toMatch(/^[0-9a-f]{32}$/);
  authorize.searchParams.set('username', 'login_user'); // the sandbox's stand-in for "who logs in"

  const { status, page } = await browse(authorize.toString()).catch(async (err) => {
    throw new Error(`${err}; tokpipe said: ${(await cli.exited).stderr}`);
  });
  expect(status).toBe(200);
  expect(page).toContain('Logged in');
  const result = await cli.exited;
  expect(result.code).toBe(0);

  const saved = JSON.parse(await fs.readFile(tokenFile, 'utf8'));
  expect(saved).toMatchObject({ open_id: user.openId, scope: 'user.info.basic,video.publish' });
  expect(Date.parse(saved.expires_at)).toBeGreaterThan(Date.now());
  expect((await fs.stat(tokenFile)).mode & 0o777).toBe(0o600);
  expect(result.stdout + result.stderr).not.toContain(saved.access_token);
  expect(result.stdout + result.stderr).not.toContain(saved.refresh_token);
  const exchange = sb.admin.requests({ endpoint: 'oauth.token' }).at(-1)!;
  expect(exchange.status).toBe(200);
  expect(exchange.body).toMatchObject({ grant_type: 'authorization_code', code_verifier: expect.any(String) });
});

it('exits 5 and writes nothing when the user refuses', async () => {
  const tokenFile = path.join(dir, 'refused.json');
  const cli = startCli(['auth', 'login', '--token-file', tokenFile, '--no-browser'], env, dir);
  const [url] = await cli.waitFor(/^http\S+(?=\n)/m, 'stdout');
  const { page } = await browse(`${url}&deny=1`);
  expect(page).toContain('access_denied');
  const result = await cli.exited;
  expect(result.code).toBe(5);
  expect(result.stderr).toContain('access_denied');
  await expect(fs.stat(tokenFile)).rejects.toThrow();
});

it('ignores a callback that does not carry its state', async () => {
  const tokenFile = path.join(dir, 'forged.json');
  const cli = startCli(['auth', 'login', '--token-file', tokenFile, '--no-browser'], env, dir);
  const [url] = await cli.waitFor(/^http\S+(?=\n)/m, 'stdout');
  const redirect = new URL(new URL(url).searchParams.get('redirect_uri')!);
  const forged = await fetch(`${redirect}?code=stolen&state=not-ours`);
  expect(forged.status).toBe(400);
  // The real login still completes afterwards.
  expect((await browse(url)).status).toBe(200);
  expect((await cli.exited).code).toBe(0);
});
