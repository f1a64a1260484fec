// Bad command lines exit 2 with a message naming the flag or variable, and one JSON object with --json.
import { cliEnv, runCli } from './helpers';

it.each([
  [['webhooks', 'listen', '--port', '0'], {}, 'TIKTOK_CLIENT_SECRET is not set'],
  [['webhooks', 'listen', '--json'], { TIKTOK_CLIENT_SECRET: 's' }, '--port is required'],
  [['webhooks', 'listen', '--port', 'abc'], { TIKTOK_CLIENT_SECRET: 's' }, '--port must be a whole number'],
  [['webhooks', 'listen', '--port', '0'], { TIKTOK_CLIENT_SECRET: 's', TOKPIPE_TIME_SCALE: '-1' }, 'TOKPIPE_TIME_SCALE must be a positive number'],
  [['frobnicate'], {}, 'unknown command "frobnicate"'],
  [['dlq'], {}, 'Did you mean tokpipe dlq list, tokpipe dlq show, tokpipe dlq replay?'],
  [['post', '--video-url', 'https://x.example.com/a.mp4', '--mode', 'sideways'], {}, '--mode must be one of direct, draft; got "sideways"'],
  [['campaign', 'run'], {}, 'missing FILE'],
  [['campaign', 'run', 'no-such-file.csv'], {}, 'FILE'],
])('tokpipe %j exits 2 explaining why', async (args, env, message) => {
  const result = await runCli(args, cliEnv(env));
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(message);
});

it('with --json prints exactly one JSON object describing the input error', async () => {
  const result = await runCli(['webhooks', 'listen', '--port', '99999', '--json'], cliEnv({ TIKTOK_CLIENT_SECRET: 's' }));
  expect(result.code).toBe(2);
  expect(JSON.parse(result.stdout)).toEqual({
    publishId: null, status: 'FAILED', postIds: [], attempts: 0,
    error: { category: 'not_retryable', code: 'invalid_input', failReason: null, retryable: false, action: expect.stringContaining('--port'), logId: null, message: '--port must be at most 65535, got 99999' },
  });
});
