// Bad command lines exit 2 with a message naming the flag or variable, and one JSON object with --json.
import { embeddedOwner } from '../../packages/engine/src';
import { cliEnv, runCli, startCli } from './helpers';

it.each([
  [['webhooks', 'listen', '--port', '0'], {}, 'TIKTOK_CLIENT_SECRET is not set'],
  [['webhooks', 'listen', '--json'], { TIKTOK_CLIENT_SECRET: 's' }, '--port is required'],
  [['webhooks', 'listen', '--port', 'abc'], { TIKTOK_CLIENT_SECRET: 's' }, '--port must be a whole number'],
  [
    ['webhooks', 'listen', '--port', '0'],
    { TIKTOK_CLIENT_SECRET: 's', TOKPIPE_TIME_SCALE: '-1' },
    'TOKPIPE_TIME_SCALE must be a positive number',
  ],
  [['frobnicate'], {}, 'unknown command "frobnicate"'],
  [['dlq'], {}, 'Did you mean tokpipe dlq list, tokpipe dlq show, tokpipe dlq replay?'],
  [
    ['post', '--video-url', 'https://x.example.com/a.mp4', '--mode', 'sideways'],
    {},
    '--mode must be one of direct, draft; got "sideways"',
  ],
  [['campaign', 'run'], {}, 'missing FILE'],
  [['campaign', 'run', 'no-such-file.csv'], {}, 'FILE'],
])('tokpipe %j exits 2 explaining why', async (args, env, message) => {
  const result = await runCli(args, cliEnv(env));
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(message);
});

it('with --json prints exactly one JSON object describing the input error', async () => {
  const result = await runCli(
    ['webhooks', 'listen', '--port', '99999', '--json'],
    cliEnv({ TIKTOK_CLIENT_SECRET: 's' }),
  );
  expect(result.code).toBe(2);
  expect(JSON.parse(result.stdout)).toEqual({
    publishId: null,
    status: 'FAILED',
    postIds: [],
    attempts: 0,
    error: {
      category: 'not_retryable',
      code: 'invalid_input',
      failReason: null,
      retryable: false,
      action: expect.stringContaining('--port'),
      logId: null,
      message: '--port must be at most 65535, got 99999',
    },
  });
});

it('while a campaign owns the embedded state, read-only commands run as its clients; kill -9 frees it', async () => {
  const { promises: fs } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-cli-lock-'));
  try {
    // Hold the state with a campaign that waits for the missing sandbox: its first request is refused,
    // so it keeps retrying.
    await fs.writeFile(path.join(dir, 'c.csv'), 'account,video_url,privacy\na,https://127.0.0.1:9/v.mp4,public\n');
    await fs.writeFile(
      path.join(dir, 't.json'),
      JSON.stringify({
        access_token: 'act.x',
        refresh_token: 'rft.x',
        expires_at: 4102444800,
        scope: 'video.publish',
        open_id: 'o',
      }),
    );
    const env = cliEnv({ TIKTOK_API_BASE_URL: 'http://127.0.0.1:9', TOKPIPE_TIME_SCALE: '1' });
    expect((await runCli(['accounts', 'add', 'a', '--token-file', 't.json'], env, dir)).code).toBe(0);
    const holder = startCli(['campaign', 'run', 'c.csv'], env, dir);
    // Wait until it owns the embedded database (not for a guessed amount of time).
    while ((await embeddedOwner(path.join(dir, '.tokpipe', 'pgdata')))?.pid !== holder.child.pid)
      await new Promise((r) => setTimeout(r, 20));
    const second = await runCli(['accounts', 'list', '--json'], env, dir);
    const dlq = await runCli(['dlq', 'list', '--json'], env, dir);
    // The holder never stopped owning it: the two commands ran as its clients.
    expect((await embeddedOwner(path.join(dir, '.tokpipe', 'pgdata')))?.pid).toBe(holder.child.pid);
    holder.child.kill('SIGKILL');
    await holder.exited;
    expect([second.code, second.stderr]).toEqual([0, '']);
    expect((JSON.parse(second.stdout) as Array<{ id: string }>).map((a) => a.id)).toEqual(['a']);
    expect([dlq.code, dlq.stderr]).toEqual([0, '']);
    // Killed with -9, it left no lock: the next command owns the database.
    expect((await runCli(['accounts', 'list'], env, dir)).code).toBe(0);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}, 120_000);
