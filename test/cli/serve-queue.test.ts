// Several `tokpipe serve` on one PostgreSQL share one queue: two servers and one `tokpipe worker` on
// one DATABASE_URL, posts created on both servers (one of them twice, with one Idempotency-Key, on
// each server): each is posted once on TikTok, and each is visible, published, with its timeline,
// from the other server.
import * as path from 'node:path';
import type { Sandbox } from '@tokpipe/sandbox';
import { runCli, startCli, type LiveCli, writeSandboxTokenFile } from './helpers';
import { startPostgresCliWorld, type PostgresCliWorld } from './postgres-world';

let sb: Sandbox;
let env: NodeJS.ProcessEnv;
let dir: string;
const live: LiveCli[] = [];

let world: PostgresCliWorld;
beforeAll(async () => {
  ({ sb, env, dir } = world = await startPostgresCliWorld('tokpipe-serve-queue-'));
});
afterAll(async () => {
  for (const p of live) if (p.child.exitCode === null) console.log(p.stderr().slice(-3000));
  for (const p of live) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await world.close();
});

async function addAccount(name: string): Promise<void> {
  const openId = sb.admin.createUser({ username: name }).openId;
  const file = path.join(dir, `${name}.json`);
  await writeSandboxTokenFile(sb, file, openId);
  const r = await runCli(['accounts', 'add', name, '--token-file', file], env, dir);
  expect([r.code, r.stderr]).toEqual([0, '']);
}

async function call(
  base: string,
  key: string,
  method: 'GET' | 'POST',
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(base + route, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

it('two servers and a worker on one PostgreSQL: posts from both servers posted once, each visible with its timeline on the other', async () => {
  await addAccount('north');
  await addAccount('south');
  const created = await runCli(['keys', 'create', '--scope', 'post'], env, dir);
  expect(created.code).toBe(0);
  const key = created.stdout.trim();

  const servers = [startCli(['serve', '--port', '0'], env, dir), startCli(['serve', '--port', '0'], env, dir)];
  const worker = startCli(['worker', '--concurrency', '2'], env, dir);
  live.push(...servers, worker);
  const bases: string[] = [];
  for (const s of servers) {
    const [, url, rest] = await s.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)( \(state: [^)]*\))/);
    expect(rest).toMatch(/PostgreSQL.*posts on the shared queue/);
    bases.push(url!);
  }
  await worker.waitFor(/ready \(postgres\)/);

  const body = (i: number) => ({
    account: i % 2 ? 'north' : 'south',
    videoUrl: `${sb.url}/media/sample.mp4?s${i}`,
    title: `served row ${i} #tokpipe`,
    privacyLevel: 'SELF_ONLY',
  });
  // Rows 0-2 on server A, 3-5 on server B; row 6 on both with one Idempotency-Key.
  const ids: Array<{ id: string; on: number }> = [];
  for (let i = 0; i < 6; i++) {
    const on = i < 3 ? 0 : 1;
    const r = await call(bases[on]!, key, 'POST', '/v1/posts', body(i));
    expect([i, r.status]).toEqual([i, 201]);
    ids.push({ id: r.json.jobId as string, on });
  }
  const twice = await Promise.all(
    bases.map((b) => call(b, key, 'POST', '/v1/posts', body(6), { 'idempotency-key': 'served-6' })),
  );
  expect(twice.map((r) => r.status).sort()).toEqual([200, 201]);
  expect(twice[0]!.json.jobId).toBe(twice[1]!.json.jobId);
  ids.push({ id: twice[0]!.json.jobId as string, on: 0 });

  // Each post, read from the server it was NOT created on, ends published with its timeline.
  for (const { id, on } of ids) {
    const other = bases[1 - on]!;
    let post: Record<string, unknown> = {};
    for (let n = 0; post.state !== 'published'; n++) {
      if (n > 600) throw new Error(`post ${id} not published: ${JSON.stringify(post)}`);
      if (n) await new Promise((r) => setTimeout(r, 100));
      const r = await call(other, key, 'GET', `/v1/posts/${id}`);
      expect(r.status).toBe(200);
      post = r.json;
    }
    const steps = (post.timeline as Array<{ step: string }>).map((s) => s.step);
    expect(steps).toEqual(['job_queued', 'attempt_started', 'job_accepted', 'job_published']);
    expect(post.publishId).toEqual(expect.any(String));
  }
  for (let i = 0; i <= 6; i++)
    expect([i, sb.admin.posts().filter((p) => p.title === `served row ${i} #tokpipe`).length]).toEqual([i, 1]);
  for (const base of bases) {
    const listed = await call(base, key, 'GET', '/v1/posts?state=published');
    expect((listed.json.posts as Array<{ jobId: string }>).map((p) => p.jobId).sort()).toEqual(
      ids.map((x) => x.id).sort(),
    );
  }

  for (const p of [...servers, worker]) p.child.kill('SIGTERM');
  for (const r of await Promise.all([...servers, worker].map((p) => p.exited))) expect(r.code).toBe(0);
}, 100_000);
