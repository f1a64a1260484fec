// `tokpipe mcp --sandbox --http --port 0` driven by the SDK's Streamable HTTP client: the API key is
// required (missing or wrong: 401, nothing runs), and with it the same guarantees as over stdio.
import { spawn, type ChildProcess } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import {
  admin,
  apiRequests,
  BIN,
  childEnv,
  failedPostOf,
  leaks,
  ok,
  posts,
  recordingCall,
  ROOT,
  waitForText,
} from './helpers';

const API_KEY = 'tpk_test_6f1d2c9a8b7e4f3a2d1c0b9a8e7f6d5c';
let child: ChildProcess;
let stderr = '';
let endpoint: string;
let sandboxUrl: string;
const seen: string[] = [];

function clientWith(headers: Record<string, string>): { client: Client; transport: StreamableHTTPClientTransport } {
  const transport = new StreamableHTTPClientTransport(new URL(endpoint), { requestInit: { headers } });
  return { client: new Client({ name: 'tokpipe-http-test', version: '1.0.0' }), transport };
}

const initialize = (headers: Record<string, string>) =>
  fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });

beforeAll(async () => {
  child = spawn(process.execPath, [BIN, 'mcp', '--sandbox', '--http', '--port', '0'], {
    env: childEnv({ TOKPIPE_API_KEY: API_KEY }),
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  endpoint = (
    await waitForText(() => stderr, /Streamable HTTP on (http:\/\/127\.0\.0\.1:\d+\/mcp)/, 'the HTTP line')
  )[1]!;
  sandboxUrl = (await waitForText(() => stderr, /sandbox TikTok at (\S+);/, 'the sandbox line'))[1]!;
});

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});

test('no API key, or a wrong one: 401 with a Bearer challenge, and the SDK client cannot connect', async () => {
  const none = await initialize({});
  expect(none.status).toBe(401);
  expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
  seen.push(await none.text());
  const wrong = await initialize({ authorization: `Bearer ${API_KEY.slice(0, -1)}x` });
  expect(wrong.status).toBe(401);
  seen.push(await wrong.text());
  const basic = await initialize({ authorization: `Basic ${Buffer.from(`x:${API_KEY}`).toString('base64')}` });
  expect(basic.status).toBe(401);

  const { client, transport } = clientWith({ authorization: 'Bearer not-the-key-at-all-0000000000' });
  await expect(client.connect(transport)).rejects.toThrow(/401|API key/);
  expect(await apiRequests(sandboxUrl)).toEqual([]);
});

test('with the key: tools listed, a bad post refused with nothing sent, a post waited for, twice = one post, DLQ replay', async () => {
  const { client, transport } = clientWith({ authorization: `Bearer ${API_KEY}` });
  await client.connect(transport);
  const call = recordingCall(client, seen);
  try {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['post_video', 'validate_post', 'get_post_status', 'explain_error', 'dlq_replay']),
    );
    expect(tools.find((t) => t.name === 'post_photos')!.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: true,
    });

    const bad = ok<{ valid: boolean; issues: Array<{ field: string }> }>(
      await call('validate_post', { photoUrls: ['http://example.com/a.jpg'], title: 'x', privacyLevel: 'EVERYONE' }),
    );
    expect(bad.valid).toBe(false);
    expect(bad.issues.map((i) => i.field).sort()).toEqual(['photoUrls[0]', 'privacyLevel']);
    expect(await apiRequests(sandboxUrl)).toEqual([]);

    const photos = {
      photoUrls: [`${sandboxUrl}/media/photo-1.jpg`, `${sandboxUrl}/media/photo-2.jpg`],
      title: 'two photos',
      privacyLevel: 'SELF_ONLY',
    };
    const first = ok<{ jobId: string; state: string; reused: boolean; publishId: string }>(
      await call('post_photos', photos),
    );
    expect(first.reused).toBe(false);
    const progress: Progress[] = [];
    const done = ok<{ state: string; status: string }>(
      // A budget of an hour of the sandbox's clock (6 real minutes at its pace): a loaded machine slows the
      // sandbox's processing in real time, and the default 5 minutes then may end first.
      await call('get_post_status', { jobId: first.jobId, wait: true, maxWaitSeconds: 3600 }, (p) => progress.push(p)),
    );
    expect(done).toMatchObject({ state: 'published', status: 'PUBLISH_COMPLETE' });
    expect(progress.length).toBeGreaterThan(0);
    const again = ok<{ jobId: string; reused: boolean }>(await call('post_photos', photos));
    expect(again).toMatchObject({ jobId: first.jobId, reused: true });
    expect((await posts(sandboxUrl)).filter((p) => p.title === 'two photos')).toHaveLength(1);

    const explained = ok<{ explanations: Array<{ class: string; action: string }> }>(
      await call('explain_error', { code: 'photo_pull_failed' }),
    );
    expect(explained.explanations[0]).toMatchObject({ class: 'retryable' });

    await admin(sandboxUrl, 'script', {
      endpoint: 'content.init',
      faults: [{ kind: 'async_fail', failReason: 'file_format_check_failed' }],
    });
    const failed = failedPostOf<{ jobId: string; state: string; error: { code: string } }>(
      await call('post_to_inbox', { photoUrls: [`${sandboxUrl}/media/photo-3.jpg`], wait: true }),
    );
    expect(failed).toMatchObject({ state: 'dead', error: { code: 'file_format_check_failed' } });
    const replayed = ok<{ state: string; status: string }>(
      await call('dlq_replay', { jobId: failed.jobId, wait: true }),
    );
    expect(replayed).toMatchObject({ state: 'delivered', status: 'SEND_TO_USER_INBOX' });
  } finally {
    await client.close();
  }
});

test('no token, client secret or API key in any result or log line of the HTTP run', async () => {
  const demo = await admin<{ clientSecret: string; accounts: Array<{ accessToken: string; refreshToken: string }> }>(
    sandboxUrl,
    'demo',
  );
  const everything = [...seen, stderr].join('\n');
  expect(seen.length).toBeGreaterThan(5);
  expect(
    leaks(everything, [API_KEY, demo.clientSecret, ...demo.accounts.flatMap((a) => [a.accessToken, a.refreshToken])]),
  ).toEqual([]);
  expect(everything).not.toMatch(/\b(act|rft)\.[A-Za-z0-9]{16,}/);
});

test('--http without an API key is refused before anything starts (exit 2, names the variable)', async () => {
  const run = spawn(process.execPath, [BIN, 'mcp', '--http', '--port', '0'], {
    env: childEnv(),
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  run.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => run.once('exit', resolve));
  expect(code).toBe(2);
  expect(err).toMatch(/TOKPIPE_API_KEY/);
});
