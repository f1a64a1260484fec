// The real `tokpipe serve` process (built CLI) against a sandbox TikTok: a key from `tokpipe keys create`,
// an account connected through the printed link (TikTok's OAuth in the sandbox), a post through the API,
// TikTok's webhook to the server and one signed delivery to a loopback subscriber; Ctrl-C stops it cleanly.
// The child runs on a fast scaled clock (TOKPIPE_TIME_SCALE); the test waits on conditions, never on time.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import { verifyDelivery } from '../src';
import { startSubscriber, type Json, type Subscriber } from './helpers';
import { seedEmbedded } from '../../engine/test/embedded-template';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'packages/cli/bin/tokpipe.js');

let sb: Sandbox;
let dir: string;
let child: ChildProcess | undefined;
let stderr = '';
let sub: Subscriber;

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 1500; i++) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}; stderr:\n${stderr}`);
}

beforeAll(async () => {
  sb = await startSandbox({ timeScale: 0.01, config: { moderationDelayMs: 1_000 } });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-serve-'));
  sub = await startSubscriber();
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await sub?.close();
  await sb?.close();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

test('keys create → serve → connect → post → webhook → one signed delivery → Ctrl-C', async () => {
  const demo = sb.admin.demo();
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    TOKPIPE_TIME_SCALE: '0.01',
    TIKTOK_API_BASE_URL: sb.url,
    TIKTOK_CLIENT_KEY: demo.clientKey,
    TIKTOK_CLIENT_SECRET: demo.clientSecret,
  };
  const store = path.join(dir, 'tokpipe.db');
  await seedEmbedded(`${store}.pgdata`); // a copy of the migrated template instead of an initdb
  const created = spawnSync(
    process.execPath,
    [BIN, 'keys', 'create', '--scope', 'admin', '--label', 'test', '--store', store],
    { env, encoding: 'utf8' },
  );
  expect(created.status).toBe(0);
  const key = created.stdout.trim();
  expect(key).toMatch(/^tpk_[0-9a-f]{12}_[0-9a-f]{64}$/);
  const listed = spawnSync(process.execPath, [BIN, 'keys', 'list', '--json', '--store', store], {
    env,
    encoding: 'utf8',
  });
  expect(JSON.parse(listed.stdout)).toMatchObject([{ scope: 'admin', label: 'test' }]);
  expect(listed.stdout).not.toContain(key.split('_')[2]);

  child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--webhooks', '--store', store], { env, cwd: dir });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const base = (await waitFor(() => /listening on (\S+)/.exec(stderr)?.[1], 'the listening line'))!;
  const connect = (await waitFor(() => /connect a TikTok account .*: (\S+)/.exec(stderr)?.[1], 'the connect link'))!;
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(base + p, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json().catch(() => undefined)) as Json };
  };

  // Connect: the page, TikTok's (sandbox) login for a test user, the callback.
  sb.admin.createUser({ username: 'served' });
  const page = await (await fetch(connect)).text();
  const authorize = /<a href="([^"]+)">/.exec(page)![1]!.replace(/&amp;/g, '&');
  const login = await fetch(`${authorize}&username=served`, { redirect: 'manual' });
  const callback = login.headers.get('location')!;
  expect(callback.startsWith(`${base}/oauth/callback`)).toBe(true);
  const done = await fetch(callback);
  expect(done.status).toBe(200);
  const accounts = await call('GET', '/v1/accounts');
  expect(accounts.json.accounts).toHaveLength(1);
  const account = accounts.json.accounts[0].id as string;

  // A subscriber, TikTok's webhook pointed at the server, then a post.
  const subscribed = await call('POST', '/v1/subscriptions', { targetUrl: sub.url, events: ['published'] });
  expect(subscribed.status).toBe(201);
  sb.admin.setConfig({ webhookUrl: `${base}/webhooks/tiktok` });
  // serverUpload: tokpipe serve downloads the video itself and uploads the file.
  const pulled = await call('POST', '/v1/posts', {
    videoUrl: `${sb.url}/media/sample.mp4`,
    title: 'pulled by the server',
    privacyLevel: 'SELF_ONLY',
    serverUpload: true,
  });
  expect(pulled.status).toBe(201);
  await waitFor(async () => (await call('GET', `/v1/posts/${pulled.json.jobId}`)).json.state === 'published', 'pulled');
  expect(sb.admin.posts().map((p) => p.source)).toEqual(['FILE_UPLOAD']);

  const posted = await call('POST', '/v1/posts', {
    videoUrl: `${sb.url}/media/sample.mp4`,
    title: 'served #tokpipe',
    privacyLevel: 'SELF_ONLY',
  });
  expect(posted.status).toBe(201);
  expect(posted.json.account).toBe(account);
  await waitFor(
    async () => (await call('GET', `/v1/posts/${posted.json.jobId}`)).json.state === 'published',
    'published',
  );
  await waitFor(() => sub.received.length > 1, 'the deliveries');
  await waitFor(
    () => sb.admin.webhooks().some((d) => d.event === 'post.publish.complete' && d.state === 'delivered'),
    'the webhook',
  );
  expect(sb.admin.posts().length).toBe(2);
  expect(sub.received).toHaveLength(2); // one per published post
  const delivery = sub.received.find((d) => JSON.parse(d.body).data.post.jobId === posted.json.jobId);
  const eventId = delivery!.headers['tokpipe-event-id'] as string;
  expect(
    verifyDelivery({
      header: delivery!.headers['tokpipe-signature'] as string,
      secret: subscribed.json.secret,
      eventId,
      body: delivery!.body,
      nowMs: Date.now(),
    }),
  ).toBe(true);

  // The console on the same server: log in with the key, the deliveries page lists TikTok's events in and
  // the subscriber's deliveries out (the subscriber's host, never a key).
  const consoleLogin = await fetch(`${base}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
    body: `key=${encodeURIComponent(key)}`,
  });
  expect(consoleLogin.status).toBe(303);
  const cookie = consoleLogin.headers.get('set-cookie')!.split(';')[0]!;
  const deliveriesPage = await (await fetch(`${base}/console/deliveries`, { headers: { cookie } })).text();
  expect(deliveriesPage).toContain(new URL(sub.url).host);
  expect(deliveriesPage).toContain('post.publish.complete');
  expect(deliveriesPage).not.toContain(key.split('_')[2]);

  // MCP for agents at /mcp on the same keys: an admin key lists the tools; a read key is refused.
  const rpc = (bearer: string) =>
    fetch(`${base}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${bearer}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
      }),
    });
  const initialized = await rpc(key);
  expect(initialized.status).toBe(200);
  expect(await initialized.text()).toContain('"serverInfo"');
  // (the store file is held by the server: a read key comes from the keys API)
  const readKey = (await call('POST', '/v1/keys', { scope: 'read' })).json.key as string;
  expect((await rpc(readKey)).status).toBe(401);

  // The server owns the embedded state while it runs: `tokpipe keys` works as its client, and the server
  // accepts the key at once (one state, no copy).
  const held = spawnSync(process.execPath, [BIN, 'keys', 'create', '--scope', 'admin', '--store', store], {
    env,
    encoding: 'utf8',
  });
  expect([held.status, held.stderr]).toEqual([0, expect.stringContaining('shown once')]);
  const listedByServer = await fetch(`${base}/v1/keys`, { headers: { authorization: `Bearer ${held.stdout.trim()}` } });
  expect(listedByServer.status).toBe(200);

  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child!.once('exit', (c) => resolve(c)));
  expect(code).toBe(0);
  expect(stderr).not.toContain(demo.clientSecret);
  expect(stderr).not.toContain(key.split('_')[2]);
}, 120_000);
