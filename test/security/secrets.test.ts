// Secrets never come out: everything the CLI, the pipeline and each adapter (Zapier, n8n, Make)
// print, log or return during a run (successes and failures, including a TikTok reply that echoes
// the token and the client secret back) is collected and searched for every token and secret value
// involved. Token files are written atomically with mode 0600.
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readTokenFile, systemClock, writeTokenFile, type TokenFileData } from '@tokpipe/core/node';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import { openState, stateLocation } from '@tokpipe/engine';
import { VirtualClock } from '@tokpipe/core';
import { runInProcessSoak } from '../chaos/in-process';
import { startHarness, errorJson } from '../../packages/zapier/test/harness';
import { CredentialStore, fakeExecute } from '../../packages/n8n/test/fake-n8n';
import { TikTok } from '../../packages/n8n/nodes/TikTok/TikTok.node';
import { router } from '../../packages/n8n/nodes/TikTok/actions/router';
import { world, failure } from '../../packages/make/test/helpers';
import { cliEnv, runCli, ROOT } from '../cli/helpers';

/** The secrets (or a 16-character piece of one) that occur in `text`. */
function leaks(text: string, secrets: Iterable<string>): string[] {
  const found: string[] = [];
  for (const secret of new Set(secrets)) {
    if (!secret || secret.length < 8) continue;
    const piece = secret.slice(Math.max(0, secret.indexOf('.') + 1), Math.max(0, secret.indexOf('.') + 1) + 16);
    if (text.includes(secret) || (piece.length === 16 && text.includes(piece)))
      found.push(`${secret.slice(0, 4)}… (${secret.length} chars)`);
  }
  return found;
}

/** A TikTok error reply that quotes back what the request carried: the access token on API calls,
 * the refresh token and client secret on the OAuth token endpoint (some gateways do). */
function echoFault(...sent: string[]) {
  return {
    kind: 'error' as const,
    status: 400,
    code: 'invalid_param',
    message: `rejected request with ${sent.join(' and ')}`,
  };
}

let dir: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tokpipe-secrets-'));
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

test('pipeline: events, log lines, report, health and DLQ of a hostile multi-account run hold no token or secret', async () => {
  const r = await runInProcessSoak({
    posts: 24,
    accounts: 6,
    seed: 3,
    revocations: 1,
    slowMs: 20,
    requestTimeoutMs: 250,
  });
  expect(r.secrets.length).toBeGreaterThanOrEqual(13); // client secret + 2 tokens × 6 accounts (+ rotations)
  expect(r.printed.length).toBeGreaterThan(1000);
  expect(leaks(r.printed, r.secrets)).toEqual([]);
}, 60_000);

describe('CLI', () => {
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;
  const secrets = new Set<string>();
  let output = '';
  const run = async (args: string[]) => {
    const res = await runCli(args, env, dir);
    output += `\n$ tokpipe ${args.join(' ')}\n${res.stdout}\n${res.stderr}`;
    return res;
  };

  beforeAll(async () => {
    sb = await startSandbox({ timeScale: 0.001, config: { moderationDelayMs: 0 } });
    const demo = sb.admin.demo();
    secrets.add(demo.clientSecret);
    env = cliEnv({
      TIKTOK_API_BASE_URL: sb.url,
      TIKTOK_CLIENT_KEY: demo.clientKey,
      TIKTOK_CLIENT_SECRET: demo.clientSecret,
    });
  });
  afterAll(async () => {
    await sb.close();
  });

  test('post, failing post, status, accounts, campaign, dlq and reconcile print no token or secret; the refreshed token file is 0600', async () => {
    const openId = sb.admin.demo().accounts[0]!.openId;
    const issued = sb.admin.issueToken(openId);
    secrets.add(issued.accessToken).add(issued.refreshToken);
    const tokenFile = path.join(dir, 'cli-token.json');
    // Expired: the CLI must refresh, rotate the refresh token and rewrite the file.
    await fsp.writeFile(
      tokenFile,
      JSON.stringify({
        access_token: issued.accessToken,
        refresh_token: issued.refreshToken,
        expires_at: new Date(Date.now() - 60_000).toISOString(),
        scope: issued.scope,
        open_id: openId,
      }),
      { mode: 0o644 },
    );
    const video = `${sb.url}/media/sample.mp4`;

    const ok = await run([
      'post',
      '--video-url',
      video,
      '--title',
      'secrets ok',
      '--privacy',
      'SELF_ONLY',
      '--wait',
      '--json',
      '--token-file',
      tokenFile,
    ]);
    expect(ok.code).toBe(0);
    const refreshed = await readTokenFile(tokenFile);
    expect(refreshed.refresh_token).not.toBe(issued.refreshToken);
    secrets.add(refreshed.access_token).add(refreshed.refresh_token);
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir).filter((f) => f.includes('cli-token') && f !== 'cli-token.json')).toEqual([]); // no temp file left

    sb.admin.script('video.init', [echoFault(refreshed.access_token)]);
    const failed = await run([
      'post',
      '--video-url',
      video,
      '--title',
      'secrets echo',
      '--privacy',
      'SELF_ONLY',
      '--json',
      '--token-file',
      tokenFile,
    ]);
    expect(failed.code).not.toBe(0);
    expect(`${failed.stdout}${failed.stderr}`).toContain('invalid_param');

    const publishId = JSON.parse(ok.stdout).publishId as string;
    expect((await run(['status', publishId, '--json', '--token-file', tokenFile])).code).toBe(0);

    const store = path.join(dir, 'cli.db');
    expect((await run(['accounts', 'add', 'brand', '--token-file', tokenFile, '--store', store])).code).toBe(0);
    // The tokens moved into the store (the file only points at the account): read them from there.
    expect(fs.readFileSync(tokenFile, 'utf8')).not.toMatch(/act\.|rft\./);
    // The state --store names: the embedded database beside it (this process owns it for the read).
    const stored = async () => {
      const state = await openState({ ...stateLocation({ store, env: {}, cwd: dir }), clock: systemClock() });
      try {
        return (await state.tokens('brand').load())!;
      } finally {
        await state.close();
      }
    };
    await run(['accounts', 'list', '--json', '--store', store]);
    await run(['accounts', 'health', '--json', '--store', store]);
    const csv = path.join(dir, 'campaign.csv');
    await fsp.writeFile(
      csv,
      `Account,Video URL,Title,Privacy,Mode,Idempotency Key\nbrand,${video},campaign one,SELF_ONLY,direct,sec-1\nbrand,${video},campaign two,SELF_ONLY,direct,sec-2\n`,
    );
    const current = await stored();
    sb.admin.script('video.init', [{ kind: 'none' }, echoFault(current.access_token)]);
    const report = path.join(dir, 'report.json');
    const campaign = await run(['campaign', 'run', csv, '--store', store, '--report', report, '--json']);
    expect(campaign.stdout + campaign.stderr).toMatch(/\S/);
    output += fs.existsSync(report) ? fs.readFileSync(report, 'utf8') : '';
    await run(['dlq', 'list', '--json', '--store', store]);
    await run(['reconcile', '--json', '--store', store]);
    for (const t of [await stored()]) secrets.add(t.access_token).add(t.refresh_token);

    // A refresh whose error reply quotes the refresh token and the client secret back.
    const other = sb.admin.issueToken(openId);
    secrets.add(other.accessToken).add(other.refreshToken);
    const expiredFile = path.join(dir, 'cli-expired.json');
    await fsp.writeFile(
      expiredFile,
      JSON.stringify({
        access_token: other.accessToken,
        refresh_token: other.refreshToken,
        expires_at: new Date(Date.now() - 60_000).toISOString(),
        scope: other.scope,
        open_id: openId,
      }),
      { mode: 0o600 },
    );
    sb.admin.script(
      'oauth.token',
      Array.from({ length: 8 }, () => echoFault(other.refreshToken, sb.admin.demo().clientSecret)),
    );
    const refusedRefresh = await run([
      'post',
      '--video-url',
      video,
      '--title',
      'secrets refresh echo',
      '--privacy',
      'SELF_ONLY',
      '--json',
      '--token-file',
      expiredFile,
    ]);
    expect(refusedRefresh.code).not.toBe(0);
    expect(
      sb.admin.requests({ endpoint: 'oauth.token' }).some((r) => r.errorCode === 'invalid_param' || r.fault !== null),
    ).toBe(true);

    expect(output.length).toBeGreaterThan(500);
    expect(leaks(output, secrets)).toEqual([]);
  }, 60_000);
});

describe('adapters', () => {
  // What an adapter prints to the console (its default logger) is part of what users see.
  let printed: string[] = [];
  const spies: jest.SpyInstance[] = [];
  beforeEach(() => {
    printed = [];
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      spies.push(
        jest
          .spyOn(console, level)
          .mockImplementation(
            (...args: unknown[]) =>
              void printed.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')),
          ),
      );
    }
  });
  afterEach(() => spies.splice(0).forEach((s) => s.mockRestore()));
  test('Zapier: a post, a refused post whose reply echoes the token, and the connection test return and throw nothing secret', async () => {
    const h = await startHarness();
    try {
      const secrets = [h.auth.access_token, h.auth.refresh_token, h.sb.admin.demo().clientSecret];
      const post = h.App.creates.post_video.operation.perform;
      const seen: unknown[] = [];
      seen.push(await h.run(post, { videoUrl: h.mediaUrl(), title: 'zap ok', privacyLevel: 'SELF_ONLY' }));
      h.sb.admin.script('video.init', [echoFault(h.auth.access_token)]);
      const error = await h.fail(post, { videoUrl: h.mediaUrl(), title: 'zap echo', privacyLevel: 'SELF_ONLY' });
      seen.push(
        error.name,
        error.message,
        (() => {
          try {
            return errorJson(error);
          } catch {
            return null;
          }
        })(),
      );
      if (h.App.authentication?.test) seen.push(await h.run(h.App.authentication.test).catch((e: Error) => e.message));
      const text = JSON.stringify([seen, printed]);
      expect(text).toContain('invalid_param');
      expect(leaks(text, secrets)).toEqual([]);
    } finally {
      await h.close();
    }
  }, 30_000);

  test('n8n: output items and a NodeApiError from an echoing reply hold no token or secret', async () => {
    const clock = new VirtualClock({ start: Date.UTC(2026, 10, 25, 12), autoAdvance: true });
    const sb = await startSandbox({ clock, workIntervalMs: 0 });
    try {
      const demo = sb.admin.demo();
      const credentials = new CredentialStore({
        clientKey: demo.clientKey,
        clientSecret: demo.clientSecret,
        refreshToken: demo.accounts[0]!.refreshToken,
        baseUrl: sb.url,
        accessToken: '',
      });
      const params = (title: string) => ({
        resource: 'video',
        operation: 'post',
        source: 'url',
        videoUrl: `${sb.url}/media/sample.mp4`,
        title,
        privacyLevel: 'SELF_ONLY',
        waitForCompletion: true,
      });
      const exec = async (title: string) => {
        const fake = fakeExecute({
          items: [params(title)],
          credentials,
          properties: new TikTok().description.properties,
          track: <T>(w: Promise<T>) => clock.track(w),
        });
        return router.call(fake.ctx, { clock, random: () => 0.5 });
      };
      const seen: unknown[] = [await exec('n8n ok')];
      const data = credentials.data as Record<string, string>;
      const secrets = [
        demo.clientSecret,
        demo.accounts[0]!.refreshToken,
        demo.accounts[0]!.accessToken,
        data.accessToken!,
        data.refreshToken!,
      ];
      sb.admin.script('video.init', [echoFault(data.accessToken!)]);
      const error = (await exec('n8n echo').then(
        () => null,
        (e: Error & { description?: string }) => e,
      ))!;
      expect(error).not.toBeNull();
      seen.push(error.message, error.description, JSON.stringify(error, Object.getOwnPropertyNames(error)));
      const text = JSON.stringify([seen, printed]);
      expect(text).toContain('invalid_param');
      expect(leaks(text, secrets)).toEqual([]);
    } finally {
      await sb.close();
    }
  }, 30_000);

  /** Runs a good and an echoing Make module; returns what the user sees, Make's sanitized log and every secret on the wire. */
  async function makeRun() {
    const w = await world();
    try {
      const conn = w.conn.data as Record<string, unknown>;
      const outputs: unknown[] = [
        await w.h.runModule('postVideo', w.conn, {
          videoUrl: w.media('sample.mp4'),
          privacyLevel: 'SELF_ONLY',
          waitForCompletion: false,
        }),
      ];
      w.sb.admin.script('video.init', [echoFault(String(conn.accessToken ?? conn.access_token))]);
      const refused = await failure(() =>
        w.h.runModule('postVideo', w.conn, {
          videoUrl: w.media('sample.mp4'),
          privacyLevel: 'SELF_ONLY',
          waitForCompletion: false,
        }),
      );
      outputs.push({ type: refused.type, statusCode: refused.statusCode });
      // Every token that crossed the wire (Make's raw log), plus the app secret.
      const secrets = new Set<string>([w.clientSecret]);
      for (const entry of w.h.rawLogs) {
        const bodies = [entry.response?.body, entry.request.body] as Array<Record<string, unknown> | undefined>;
        for (const body of bodies)
          for (const k of ['access_token', 'refresh_token', 'code'])
            if (typeof body?.[k] === 'string') secrets.add(body[k] as string);
      }
      expect(secrets.size).toBeGreaterThanOrEqual(3);
      return {
        shown: JSON.stringify([outputs, printed]),
        errorMessage: refused.message,
        log: JSON.stringify(w.h.logs),
        secrets,
      };
    } finally {
      await w.close();
    }
  }

  test("Make: module output and the refused module's error type hold no token or secret", async () => {
    const { shown, secrets } = await makeRun();
    expect(shown).toContain('DataError');
    expect(leaks(shown, secrets)).toEqual([]);
  }, 30_000);

  // TikTok's error.message reaches the module's error message only through the app's redactSecrets
  // custom function, and the sanitized log hides it (log.sanitize response.body.error.message).
  test('Make: the error message and sanitized log of an echoing reply show no token', async () => {
    const { errorMessage, log, secrets } = await makeRun();
    expect(`${errorMessage}${log}`).toContain('invalid_param');
    expect(leaks(errorMessage, secrets)).toEqual([]);
    expect(leaks(log, secrets)).toEqual([]);
  }, 30_000);
});

describe('token files', () => {
  const data = (n: number): TokenFileData => ({
    access_token: `act.${'a'.repeat(40)}${n}`,
    refresh_token: `rft.${'r'.repeat(40)}${n}`,
    expiresAt: Date.UTC(2026, 0, 1) + n,
    scopes: ['video.publish'],
    open_id: 'open-1',
  });

  test('written with mode 0600 even over a 0644 file and under a permissive umask; no temp file left', async () => {
    const file = path.join(dir, 'tokens.json');
    await fsp.writeFile(file, '{}', { mode: 0o644 });
    const previous = process.umask(0);
    try {
      await writeTokenFile(file, data(1));
    } finally {
      process.umask(previous);
    }
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect((await readTokenFile(file)).access_token).toBe(data(1).access_token);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.tokens.json'))).toEqual([]);
  });

  test('readers racing 200 rewrites always see a whole file, old or new, never a torn one', async () => {
    const file = path.join(dir, 'race.json');
    await writeTokenFile(file, data(0));
    let writing = true;
    const writer = (async () => {
      for (let i = 1; i <= 200; i++) await writeTokenFile(file, data(i));
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const t = await readTokenFile(file); // throws on a torn or partial file
      expect(t.access_token).toMatch(/^act\.a{40}\d+$/);
      reads++;
    }
    await writer;
    expect(reads).toBeGreaterThan(10);
    expect((await readTokenFile(file)).access_token).toBe(data(200).access_token);
  });

  test('a process killed with SIGKILL in the middle of rewriting leaves a complete 0600 file', async () => {
    const file = path.join(dir, 'killed.json');
    await writeTokenFile(file, data(0));
    // A child rewriting the file as fast as it can (built core, as the CLI uses it), killed mid-way.
    const script = `const { writeTokenFile } = require(${JSON.stringify(path.join(ROOT, 'packages/core/dist/node/index.js'))});
      const tokens = (i) => ({ access_token: 'act.' + 'a'.repeat(40) + i, refresh_token: 'rft.' + 'r'.repeat(40) + i });
      const data = (i) => ({ ...tokens(i), expiresAt: Date.UTC(2026, 0, 1) + i, scopes: ['video.publish'], open_id: 'open-1' });
      (async () => {
        for (let i = 1; ; i++) {
          if (i % 25 === 0) process.stdout.write(i + '\\n');
          await writeTokenFile(${JSON.stringify(file)}, data(i));
        }
      })();`;
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      // Killed after a different number of rewrites each round (it reports every 25th), mid-loop.
      let progress = 0;
      await new Promise<void>((resolve) =>
        child.stdout.on('data', (chunk: Buffer) => {
          progress += chunk.toString().split('\n').filter(Boolean).length;
          if (progress === round + 1) resolve();
        }),
      );
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const t = await readTokenFile(file);
      expect(t.access_token).toMatch(/^act\.a{40}\d+$/);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    }
  });
});
