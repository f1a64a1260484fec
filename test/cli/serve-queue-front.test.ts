// MCP (/mcp) and the console (/console) on `tokpipe serve` with PostgreSQL show and make the same posts as
// the REST API: two servers on one DATABASE_URL. A post made through REST on server A is listed and waited
// for through MCP on server B; an MCP post on server B is a row of the shared queue (tokpipe.jobs), posted
// once on TikTok (a repeat is reused); server A's console lists both and shows the MCP post's timeline.
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import pg from 'pg';
import type { Sandbox } from '@tokpipe/sandbox';
import type { TestDatabase } from '../../packages/engine/test/databases';
import { runCli, startCli, type LiveCli, writeSandboxTokenFile } from './helpers';
import { startPostgresCliWorld, type PostgresCliWorld } from './postgres-world';

let sb: Sandbox;
let env: NodeJS.ProcessEnv;
let database: TestDatabase;
let dir: string;
const live: LiveCli[] = [];
const clients: Client[] = [];

let world: PostgresCliWorld;
beforeAll(async () => {
  ({ sb, env, database, dir } = world = await startPostgresCliWorld('tokpipe-serve-front-'));
});
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  for (const p of live) if (p.child.exitCode === null) console.log(p.stderr().slice(-3000));
  for (const p of live) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await world.close();
});

type Json = Record<string, any>;

async function mcpClient(base: string, key: string): Promise<(name: string, args: Json) => Promise<Json>> {
  const client = new Client({ name: 'tokpipe-serve-front-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  });
  await client.connect(transport);
  clients.push(client);
  return async (name, args) => {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
    return result.structuredContent as Json;
  };
}

async function consoleGet(base: string, key: string, route: string): Promise<string> {
  const login = await fetch(`${base}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key }),
  });
  expect(login.status).toBe(303);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const page = await fetch(`${base}/console/${route}`, { headers: { cookie }, redirect: 'manual' });
  expect(page.status).toBe(200);
  return page.text();
}

const inits = (): number => sb.admin.requests().filter((r) => r.endpoint === 'video.init').length;

it('two servers on one PostgreSQL: MCP and the console on B see A’s REST post; an MCP post goes to the shared queue, once', async () => {
  const openId = sb.admin.createUser({ username: 'north' }).openId;
  const tokenFile = path.join(dir, 'north.json');
  await writeSandboxTokenFile(sb, tokenFile, openId);
  expect((await runCli(['accounts', 'add', 'north', '--token-file', tokenFile], env, dir)).code).toBe(0);
  const created = await runCli(['keys', 'create', '--scope', 'post'], env, dir);
  expect(created.code).toBe(0);
  const key = created.stdout.trim();

  const servers = [startCli(['serve', '--port', '0'], env, dir), startCli(['serve', '--port', '0'], env, dir)];
  live.push(...servers);
  const bases: string[] = [];
  for (const s of servers) {
    const [, url, rest] = await s.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)( \(state: [^)]*\))/);
    expect(rest).toMatch(/posts on the shared queue/);
    bases.push(url!);
  }
  const [a, b] = bases as [string, string];

  // REST on A.
  const rest = await fetch(`${a}/v1/posts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      account: 'north',
      videoUrl: `${sb.url}/media/sample.mp4?rest`,
      title: 'made through REST #tokpipe',
      privacyLevel: 'SELF_ONLY',
    }),
  });
  expect(rest.status).toBe(201);
  const restId = ((await rest.json()) as Json).jobId as string;

  // MCP on B: listed, and its status waited for (no pipeline event on B: re-read on B's clock).
  const call = await mcpClient(b, key);
  const listed = await call('list_posts', {});
  expect(listed.posts.map((p: Json) => p.jobId)).toContain(restId);
  // Ten hours on the CLI's clock (36 s at TOKPIPE_TIME_SCALE 0.001, room for a loaded machine): the wait
  // ends as soon as the post is final.
  const wait = { wait: true, maxWaitSeconds: 36_000 };
  const status = await call('get_post_status', { jobId: restId, ...wait });
  expect(status).toMatchObject({ jobId: restId, account: 'north', state: 'published', status: 'PUBLISH_COMPLETE' });
  expect(status.publishId).toEqual(expect.any(String));
  expect(await call('get_post_status', { publishId: status.publishId })).toMatchObject({ jobId: restId });

  // An MCP post on B: a row of the shared queue, posted once; the same call again is the same post.
  const mcpArgs = {
    account: 'north',
    videoUrl: `${sb.url}/media/sample.mp4?mcp`,
    title: 'made through MCP #tokpipe',
    privacyLevel: 'SELF_ONLY',
  };
  const first = await call('post_video', mcpArgs);
  expect(first).toMatchObject({ account: 'north', state: 'queued', reused: false });
  expect(await call('get_post_status', { jobId: first.jobId, ...wait })).toMatchObject({
    jobId: first.jobId,
    state: 'published',
    status: 'PUBLISH_COMPLETE',
  });
  const again = await call('post_video', mcpArgs);
  expect(again).toMatchObject({ jobId: first.jobId, reused: true });
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  try {
    const { rows } = await db.query('SELECT id, account, state FROM tokpipe.jobs ORDER BY id');
    expect(rows.map((r) => [r.id, r.account, r.state]).sort()).toEqual(
      [
        [restId, 'north', 'published'],
        [first.jobId, 'north', 'published'],
      ].sort(),
    );
  } finally {
    await db.end();
  }
  expect(sb.admin.posts().filter((p) => p.title === 'made through MCP #tokpipe')).toHaveLength(1);
  expect(sb.admin.posts().filter((p) => p.title === 'made through REST #tokpipe')).toHaveLength(1);
  expect(inits()).toBe(2);

  // A's console lists both posts (one made on B by MCP) and shows the MCP post's timeline.
  const list = await consoleGet(a, key, 'posts');
  expect(list).toContain(restId);
  expect(list).toContain(first.jobId);
  const detail = await consoleGet(a, key, `posts/${first.jobId}`);
  const shown = [...detail.matchAll(/<strong>(job [a-z]+|attempt [a-z]+)<\/strong>/g)].map((m) => m[1]);
  expect(shown).toEqual(['job queued', 'attempt started', 'job accepted', 'job published']);
  expect(inits()).toBe(2);

  for (const s of servers) s.child.kill('SIGTERM');
  for (const r of await Promise.all(servers.map((s) => s.exited))) expect(r.code).toBe(0);
}, 100_000);
