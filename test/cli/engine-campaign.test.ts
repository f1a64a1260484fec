// `tokpipe` on the shared engine as users run it: two `campaign run` processes started at the same
// moment from two working directories (two --store paths) on one PostgreSQL post every row once, and
// each reports every row's true outcome (the other run's rows followed, not `unknown`);
// `accounts list` answers while a campaign runs; on the embedded engine (the default) a second process
// becomes the owner's client: read-only commands and a second `campaign run` work, never a duplicate.
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Sandbox } from '@tokpipe/sandbox';
import { jobCounts, migrate, openEmbedded, openPostgres } from '../../packages/engine/src';
import type { TestDatabase } from '../../packages/engine/test/databases';
import { runCli, startCli, writeSandboxTokenFile } from './helpers';
import { startPostgresCliWorld, type PostgresCliWorld } from './postgres-world';

let sb: Sandbox;
let env: NodeJS.ProcessEnv;
let database: TestDatabase;
const dirs: string[] = [];

let world: PostgresCliWorld;
beforeAll(async () => {
  ({ sb, env, database } = world = await startPostgresCliWorld('tokpipe-cli-engine-'));
});
afterAll(async () => {
  await world.close();
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

/** A loopback port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-cli-engine-'));
  dirs.push(dir);
  return dir;
}

async function addAccount(dir: string, name: string, runEnv = env): Promise<void> {
  const openId = sb.admin.createUser({ username: name }).openId;
  const file = path.join(dir, `${name}.json`);
  await writeSandboxTokenFile(sb, file, openId);
  const r = await runCli(['accounts', 'add', name, '--token-file', file], runEnv, dir);
  expect([r.code, r.stderr]).toEqual([0, '']);
}

it('two campaign runs at the same moment on one PostgreSQL: every row posted once, no 429 of ours', async () => {
  const [a, b] = [await tempDir(), await tempDir()];
  await addAccount(a, 'north');
  await addAccount(a, 'south');
  const titles = Array.from({ length: 8 }, (_, i) => `engine row ${i} #tokpipe`);
  const lines = [
    'account,video_url,title,privacy,idempotency_key',
    ...titles.map(
      (t, i) => `${i % 2 ? 'north' : 'south'},${sb.url}/media/sample.mp4?e${i},"${t}",PUBLIC_TO_EVERYONE,engine-${i}`,
    ),
  ];
  for (const dir of [a, b]) await fs.writeFile(path.join(dir, 'c.csv'), lines.join('\n') + '\n');

  const runs = [
    startCli(['campaign', 'run', 'c.csv', '--json'], env, a),
    startCli(['campaign', 'run', 'c.csv', '--json'], env, b),
  ];
  // Read-only commands answer while campaigns run (no store lock on the shared engine).
  const listed = await runCli(['accounts', 'list', '--json'], env, a);
  expect((JSON.parse(listed.stdout) as Array<{ id: string }>).map((x) => x.id).sort()).toEqual(['north', 'south']);
  const results = await Promise.all(runs.map((r) => r.exited));
  for (const r of results) expect(r.stderr).not.toMatch(/Error|error:/);
  for (const title of titles)
    expect([title, sb.admin.posts().filter((p) => p.title === title).length]).toEqual([title, 1]);
  expect(sb.admin.requests().filter((r) => r.errorCode === 'rate_limit_exceeded' && r.fault === null)).toEqual([]);
  // Each run posts the rows whose job it created first and follows the others' rows: both reports
  // show every row published (none `unknown` until a reconcile), whichever process posted it.
  for (const r of results) {
    const jobs = (JSON.parse(r.stdout) as { jobs: Array<{ state: string }> }).jobs;
    expect(jobs.map((j) => j.state)).toEqual(titles.map(() => 'published'));
    expect(r.code).toBe(0);
  }
  const reconciled = await runCli(['reconcile', '--json'], env, b);
  expect(reconciled.code).toBe(0);
  expect((JSON.parse(reconciled.stdout) as { stillOpen: unknown[] }).stillOpen).toEqual([]);
}, 120_000);

it('embedded store: while a process owns it, `accounts list`, `dlq list` and two `campaign run`s work as its clients; each row once', async () => {
  const dir = await tempDir();
  const embedded: NodeJS.ProcessEnv = { ...env };
  delete embedded.DATABASE_URL; // the default: the embedded database under .tokpipe/pgdata
  await addAccount(dir, 'solo', embedded);
  // This test process takes the owner's place (as a running `campaign run` or `tokpipe serve` would).
  const owner = await openEmbedded(path.join(dir, '.tokpipe', 'pgdata'), { command: 'campaign run' });
  try {
    const titles = Array.from({ length: 4 }, (_, i) => `solo row ${i} #tokpipe`);
    const rows = titles.map((t, i) => `solo,${sb.url}/media/sample.mp4?s${i},"${t}",SELF_ONLY`);
    await fs.writeFile(path.join(dir, 's.csv'), ['account,video_url,title,privacy', ...rows].join('\n') + '\n');
    const runs = [0, 1].map(() => startCli(['campaign', 'run', 's.csv', '--json'], embedded, dir));
    const [listed, dlq] = await Promise.all([
      runCli(['accounts', 'list', '--json'], embedded, dir),
      runCli(['dlq', 'list', '--json'], embedded, dir),
    ]);
    expect([listed.code, listed.stderr]).toEqual([0, '']);
    expect((JSON.parse(listed.stdout) as Array<{ id: string }>).map((x) => x.id)).toEqual(['solo']);
    expect([dlq.code, dlq.stderr]).toEqual([0, '']);
    JSON.parse(dlq.stdout);
    for (const r of await Promise.all(runs.map((run) => run.exited))) {
      expect([[0, 4].includes(r.code ?? -1), r.stderr]).toEqual([true, expect.not.stringMatching(/in use|Error/)]);
    }
    for (const title of titles)
      expect([title, sb.admin.posts().filter((p) => p.title === title).length]).toEqual([title, 1]);
    // The clients' writes are in the owner's database.
    const { rows: ledger } = await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM tokpipe.ledger');
    expect(ledger[0]!.n).toBe(titles.length);
  } finally {
    await owner.close();
  }
}, 240_000);

it('campaign submit queues rows once; two `tokpipe worker` processes post each row once and stop cleanly', async () => {
  const dir = await tempDir();
  await addAccount(dir, 'east');
  await addAccount(dir, 'west');
  const titles = Array.from({ length: 6 }, (_, i) => `queued row ${i} #tokpipe`);
  const lines = [
    'account,video_url,title,privacy',
    ...titles.map((t, i) => `${i % 2 ? 'east' : 'west'},${sb.url}/media/sample.mp4?q${i},"${t}",SELF_ONLY`),
  ];
  await fs.writeFile(path.join(dir, 'q.csv'), lines.join('\n') + '\n');
  const submitted = await runCli(['campaign', 'submit', 'q.csv', '--json'], env, dir);
  expect(JSON.parse(submitted.stdout)).toMatchObject({ created: 6, existing: 0 });
  expect(JSON.parse((await runCli(['campaign', 'submit', 'q.csv', '--json'], env, dir)).stdout)).toMatchObject({
    created: 0,
    existing: 6,
  });

  const workers = [
    startCli(['worker', '--concurrency', '2'], env, dir),
    startCli(['worker', '--concurrency', '2'], env, dir),
  ];
  await Promise.all(workers.map((w) => w.waitFor(/ready \(postgres\)/)));
  const db = openPostgres(database.url);
  try {
    for (let i = 0; (await jobCounts(db)).published !== 6; i++) {
      if (i > 1200) throw new Error(`rows not published: ${JSON.stringify(await jobCounts(db))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await db.close();
  }
  for (const w of workers) w.child.kill('SIGTERM');
  for (const r of await Promise.all(workers.map((w) => w.exited)))
    expect([r.code, r.stderr]).toEqual([0, expect.stringMatching(/stopped/)]);
  for (const title of titles)
    expect([title, sb.admin.posts().filter((p) => p.title === title).length]).toEqual([title, 1]);
}, 180_000);

it('one CSV without an idempotency_key column through `campaign run` and `campaign submit` + a worker at once: each row posted once', async () => {
  const dir = await tempDir();
  await addAccount(dir, 'both');
  const titles = Array.from({ length: 6 }, (_, i) => `both ways ${i} #tokpipe`);
  const rows = titles.map((t, i) => `both,${sb.url}/media/sample.mp4?b${i},"${t}",SELF_ONLY`);
  await fs.writeFile(path.join(dir, 'b.csv'), ['account,video_url,title,privacy', ...rows].join('\n') + '\n');
  const submitted = await runCli(['campaign', 'submit', 'b.csv', '--json'], env, dir);
  expect(JSON.parse(submitted.stdout)).toMatchObject({ created: 6, existing: 0 });
  // The same rows, both ways at the same moment: the run's pipeline and the worker derive one ledger key
  // per row (core's attemptKeyFor), so whichever reaches TikTok first posts it and the other meets it.
  const worker = startCli(['worker', '--concurrency', '2'], env, dir);
  const run = startCli(['campaign', 'run', 'b.csv', '--json'], env, dir);
  await worker.waitFor(/ready \(postgres\)/);
  const ran = await run.exited;
  expect(ran.stderr).not.toMatch(/Error|error:/);
  const db = openPostgres(database.url);
  try {
    const queued = (JSON.parse(submitted.stdout) as { jobs: string[] }).jobs;
    const settled = async () =>
      (
        await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM tokpipe.jobs WHERE id = ANY($1) AND state NOT IN ('queued', 'posting', 'retry')`,
          [queued],
        )
      ).rows[0]!.n;
    for (let i = 0; (await settled()) !== 6; i++) {
      if (i > 1200) throw new Error(`queued rows not settled: ${JSON.stringify(await jobCounts(db))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await db.close();
  }
  worker.child.kill('SIGTERM');
  expect((await worker.exited).code).toBe(0);
  for (const title of titles)
    expect([title, sb.admin.posts().filter((p) => p.title === title).length]).toEqual([title, 1]);
  // And one accepted init per row: the second path never sent its own.
  const inits = sb.admin
    .requests({ endpoint: 'video.init' })
    .filter((r) => r.errorCode === null)
    .map((r) => (r.body as { post_info?: { title?: string } } | null)?.post_info?.title);
  expect(titles.map((t) => inits.filter((x) => x === t).length)).toEqual(titles.map(() => 1));
}, 180_000);

it('campaign submit: a row queued by an earlier version (its id from the file name and request) is not queued again', async () => {
  const dir = await tempDir();
  const row = 'east,https://cdn.example.com/legacy.mp4,legacy row,SELF_ONLY';
  await fs.writeFile(path.join(dir, 'legacy.csv'), `account,video_url,title,privacy\n${row}\n`);
  const db = openPostgres(database.url);
  try {
    await migrate(db);
    // The id the earlier `campaign submit` gave this row (pinned: it must not change for queued rows).
    await db.query(
      `INSERT INTO tokpipe.jobs (id, account, spec, state, updated_at) VALUES ('job_a29302568f30003efdf3982d', 'east', '{}', 'published', 0)`,
    );
    const submitted = await runCli(['campaign', 'submit', 'legacy.csv', '--json'], env, dir);
    expect([submitted.code, JSON.parse(submitted.stdout)]).toEqual([
      0,
      expect.objectContaining({ created: 0, existing: 1 }),
    ]);
  } finally {
    await db.close();
  }
});

it('campaign run --webhook-port on the engine: events finish the jobs and are recorded in the shared table', async () => {
  const dir = await tempDir();
  await addAccount(dir, 'hooks');
  const titles = Array.from({ length: 3 }, (_, i) => `hooked row ${i} #tokpipe`);
  const lines = [
    'account,video_url,title,privacy',
    ...titles.map((t, i) => `hooks,${sb.url}/media/sample.mp4?h${i},"${t}",SELF_ONLY`),
  ];
  await fs.writeFile(path.join(dir, 'h.csv'), lines.join('\n') + '\n');
  const publishIds: string[] = [];
  // TikTok's webhook URL points at the run's port before the run starts, so no event goes out before it is
  // set; one sent before the run listens is redelivered by TikTok.
  const port = await freePort();
  sb.admin.setConfig({ webhookUrl: `http://127.0.0.1:${port}/` });
  const cli = startCli(['campaign', 'run', 'h.csv', '--webhook-port', String(port), '--json'], env, dir);
  await cli.waitFor(/receiving TikTok webhooks on http:\/\/127\.0\.0\.1:\d+\//);
  try {
    const result = await cli.exited;
    expect(result.code).toBe(0);
    const jobs = (JSON.parse(result.stdout) as { jobs: Array<{ state: string; publishId: string }> }).jobs;
    expect(jobs.map((j) => j.state)).toEqual(['published', 'published', 'published']);
    publishIds.push(...jobs.map((j) => j.publishId));
  } finally {
    sb.admin.setConfig({ webhookUrl: null });
  }
  const db = openPostgres(database.url);
  try {
    const { rows } = await db.query<{ publish_id: string }>(
      `SELECT publish_id FROM tokpipe.webhook_events WHERE event = 'post.publish.complete' AND publish_id = ANY($1)`,
      [publishIds],
    );
    // Every event the run received is recorded once (one that came after the run ended is not its to record).
    const received = sb.admin
      .webhooks()
      .filter((d) => d.event === 'post.publish.complete' && publishIds.includes(d.publishId ?? ''))
      .filter((d) => d.attempts.some((a) => a.status !== null && a.status < 300))
      .map((d) => d.publishId);
    expect(received.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.publish_id).sort()).toEqual([...new Set(received)].sort());
  } finally {
    await db.close();
  }
}, 120_000);

it('two campaign runs at the same moment on one embedded store: one owns it, the other is its client; each row posted once', async () => {
  const dir = await tempDir();
  const embedded: NodeJS.ProcessEnv = { ...env };
  delete embedded.DATABASE_URL;
  await addAccount(dir, 'twin', embedded);
  const titles = Array.from({ length: 6 }, (_, i) => `twin row ${i} #tokpipe`);
  const rows = titles.map((t, i) => `twin,${sb.url}/media/sample.mp4?t${i},"${t}",SELF_ONLY`);
  await fs.writeFile(path.join(dir, 't.csv'), ['account,video_url,title,privacy', ...rows].join('\n') + '\n');
  const runs = [0, 1].map(() => startCli(['campaign', 'run', 't.csv', '--json'], embedded, dir));
  // A read-only command meanwhile: a client of whichever process owns the database (or its owner).
  const listed = await runCli(['accounts', 'list', '--json'], embedded, dir);
  expect([listed.code, (JSON.parse(listed.stdout) as Array<{ id: string }>).map((x) => x.id)]).toEqual([0, ['twin']]);
  const results = await Promise.all(runs.map((r) => r.exited));
  // Neither is refused: both run (exit 0, or 4 when a row the other one posted is still open to it).
  for (const r of results)
    expect([[0, 4].includes(r.code ?? -1), r.stderr]).toEqual([true, expect.not.stringMatching(/in use|Error/)]);
  for (const title of titles)
    expect([title, sb.admin.posts().filter((p) => p.title === title).length]).toEqual([title, 1]);
}, 240_000);
