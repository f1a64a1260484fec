// One account's tokens live in one place (issue 15): `accounts add --token-file F` moves F's tokens into
// the state and leaves F as a pointer (no token, 0600); `post`/`status --token-file F` then use the stored
// row. With TikTok's rotation on (the sandbox's strict mode: the old refresh token dies at each refresh),
// a refresh through the state (a worker's) followed by `post --token-file F` works: 0 invalid_grant.
// Run on the embedded database and on PostgreSQL. Nothing prints a token.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTokenManager } from '@tokpipe/core';
import { axiosTransport, systemClock } from '@tokpipe/core/node';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import { openState, stateLocation } from '../../packages/engine/src';
import { createPostgresDatabase, type TestDatabase } from '../../packages/engine/test/databases';
import { cliEnv, runCli, startCli, type CliResult, writeSandboxTokenFile } from './helpers';

let sb: Sandbox;
let database: TestDatabase;
const dirs: string[] = [];

beforeAll(async () => {
  // Real time, strict rotation; the token file's access token expires within a minute, so the first command
  // refreshes (the CLI refreshes 5 min ahead); refreshed ones live 400 s.
  sb = await startSandbox({ timeScale: 1, config: { accessTokenTtlSec: 400, strictRefreshRotation: true } });
  database = await createPostgresDatabase();
});
afterAll(async () => {
  await sb.close();
  await database.drop();
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

const tokenCalls = (openId: string) =>
  sb.admin.requests({ endpoint: 'oauth.token' }).filter((r) => r.openId === openId);

async function tokenFile(dir: string, name: string, openId: string): Promise<{ file: string; secrets: string[] }> {
  const file = path.join(dir, `${name}.json`);
  const token = await writeSandboxTokenFile(sb, file, openId, 60);
  return { file, secrets: [token.accessToken, token.refreshToken] };
}

/** The sandbox's authorize page logs in as this user (its stand-in for the person in the browser). */
function withUser(authorizeUrl: string, username: string): string {
  const url = new URL(authorizeUrl);
  url.searchParams.set('username', username);
  return url.toString();
}

const engines = [
  { name: 'the embedded database', env: (): Record<string, string> => ({}) },
  { name: 'PostgreSQL', env: (): Record<string, string> => ({ DATABASE_URL: database.url }) },
];

describe.each(engines)('on $name', (engine) => {
  it('accounts add moves the tokens; a refresh through the state, then post/status/auth login --token-file: 0 invalid_grant', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-token-move-'));
    dirs.push(dir);
    const demo = sb.admin.demo();
    const env = cliEnv({
      TIKTOK_API_BASE_URL: sb.url,
      TIKTOK_CLIENT_KEY: demo.clientKey,
      TIKTOK_CLIENT_SECRET: demo.clientSecret,
      TOKPIPE_TIME_SCALE: '1',
      ...engine.env(),
    });
    const user = sb.admin.createUser();
    const openId = user.openId;
    const { file, secrets } = await tokenFile(dir, 'north', openId);
    const copy = path.join(dir, 'copy.json');
    await fs.copyFile(file, copy); // a copy made before the move
    const outputs: CliResult[] = [];
    const cli = async (...args: string[]) => {
      const r = await runCli(args, env, dir);
      outputs.push(r);
      return r;
    };
    /** `tokpipe post` of the sample video through the pointer file. */
    const postVia = (...extra: string[]) =>
      cli(
        'post',
        '--video-url',
        `${sb.url}/media/sample.mp4`,
        ...extra,
        '--privacy',
        'SELF_ONLY',
        '--json',
        '--token-file',
        file,
      );

    const added = await cli('accounts', 'add', 'north', '--token-file', file);
    expect([added.code, added.stderr]).toEqual([0, '']);
    expect(added.stdout).toContain(`its tokens moved from ${file} into the state`);
    const pointer = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
    expect(pointer).toMatchObject({ tokpipe_moved_to_account: 'north', open_id: openId });
    expect(JSON.stringify(pointer)).not.toMatch(/act\.|rft\./);
    expect(pointer.state).toEqual(
      engine.name === 'PostgreSQL' ? { database: database.url } : { embedded: path.join(dir, '.tokpipe', 'pgdata') },
    );
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);

    // The copy holds the same refresh token as the stored account: refused (it would be a second place).
    const copied = await cli('accounts', 'add', 'south', '--token-file', copy);
    expect(copied.code).toBe(2);
    expect(copied.stderr).toContain('holds the same refresh token as account "north"');
    // The pointer cannot become another account either.
    const again = await cli('accounts', 'add', 'east', '--token-file', file);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('they moved into account "north"');

    // The pointer's command uses the stored row: its refresh (the file's access token was expiring) rotates the
    // row's refresh token, never a copy's.
    const posted = await postVia('--title', `moved ${engine.name}`);
    expect([posted.code, posted.stderr]).toEqual([0, '']);
    const { publishId } = JSON.parse(posted.stdout) as { publishId: string };
    // Then a worker (or a campaign) refreshes through the state: TikTok rotates again.
    // (the same state the CLI opens: the embedded database, as its owner for a moment, or PostgreSQL)
    const state = await openState({ ...stateLocation({ env: engine.env(), cwd: dir }), clock: systemClock() });
    const store = { tokens: state.tokens('north'), close: () => state.close() };
    const manager = createTokenManager({
      store: store.tokens,
      clock: systemClock(),
      transport: axiosTransport(),
      clientKey: demo.clientKey,
      clientSecret: demo.clientSecret,
      baseUrl: sb.url,
    });
    await manager.refreshOnce(true);
    await store.close();

    // And the pointer's commands use what the worker stored.
    const second = await postVia();
    expect([second.code, second.stderr]).toEqual([0, '']);
    const status = await cli('status', publishId, '--json', '--token-file', file);
    expect([status.code, status.stderr]).toEqual([0, '']);
    expect(sb.admin.posts(openId).map((p) => p.title)).toContain(`moved ${engine.name}`);

    const calls = tokenCalls(openId);
    expect(calls.filter((c) => c.errorCode === 'invalid_grant')).toEqual([]);
    expect(calls.filter((c) => c.status === 200).length).toBe(2); // the first post's, then the worker's
    // A new login through the pointer goes to the account (an account that needs one), not to a new copy.
    const login = startCli(['auth', 'login', '--token-file', file, '--no-browser'], env, dir);
    const [url] = await login.waitFor(/^http\S+(?=\n)/m, 'stdout');
    const consent = await fetch(withUser(url, user.username), { redirect: 'manual' });
    await fetch(consent.headers.get('location')!);
    const loggedIn = await login.exited;
    outputs.push(loggedIn);
    expect([loggedIn.code, loggedIn.stderr]).toEqual([0, expect.stringContaining('to account north in')]);
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual(pointer);
    const third = await postVia();
    expect([third.code, third.stderr]).toEqual([0, '']);
    expect(tokenCalls(openId).filter((c) => c.errorCode === 'invalid_grant')).toEqual([]);

    const printed = outputs.map((r) => r.stdout + r.stderr).join('\n');
    for (const secret of secrets) expect(printed).not.toContain(secret);
    expect(printed).not.toMatch(/act\.[A-Za-z0-9]|rft\.[A-Za-z0-9]/);
  });
});
