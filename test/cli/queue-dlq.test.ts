// `tokpipe dlq` on PostgreSQL sees the shared queue's dead jobs: a row queued by `campaign submit` that
// TikTok fails (worked by `tokpipe worker`) is in `dlq list --json` and `dlq show`, `dlq replay` queues
// it again for the workers with a new ledger key, and it is posted once more.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Sandbox } from '@tokpipe/sandbox';
import { openPostgres, type Db } from '../../packages/engine/src';
import type { TestDatabase } from '../../packages/engine/test/databases';
import { runCli, startCli, writeSandboxTokenFile } from './helpers';
import { startPostgresCliWorld, type PostgresCliWorld } from './postgres-world';

let sb: Sandbox;
let env: NodeJS.ProcessEnv;
let database: TestDatabase;
let dir: string;

let world: PostgresCliWorld;
beforeAll(async () => {
  ({ sb, env, database, dir } = world = await startPostgresCliWorld('tokpipe-cli-dlq-'));
});
afterAll(async () => {
  await world.close();
});

/** Waits (100 ms real turns) until the row is in `state`. */
async function rowState(db: Db, id: string, state: string): Promise<void> {
  for (let i = 0; ; i++) {
    const { rows } = await db.query<{ state: string }>('SELECT state FROM tokpipe.jobs WHERE id = $1', [id]);
    if (rows[0]?.state === state) return;
    if (i > 600) throw new Error(`job ${id} is ${rows[0]?.state}, not ${state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('a dead queue job is listed, shown and replayed by `tokpipe dlq`; the replay posts it once', async () => {
  const openId = sb.admin.createUser({ username: 'deadq' }).openId;
  await writeSandboxTokenFile(sb, path.join(dir, 'deadq.json'), openId);
  const added = await runCli(['accounts', 'add', 'deadq', '--token-file', 'deadq.json'], env, dir);
  expect([added.code, added.stderr]).toEqual([0, '']);
  const title = 'dead queue row #tokpipe';
  await fs.writeFile(
    path.join(dir, 'd.csv'),
    `account,video_url,title,privacy\ndeadq,${sb.url}/media/sample.mp4?dq,"${title}",SELF_ONLY\n`,
  );
  sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'duration_check_failed' }]);
  const submitted = await runCli(['campaign', 'submit', 'd.csv', '--json'], env, dir);
  const [jobId] = (JSON.parse(submitted.stdout) as { jobs: string[] }).jobs;
  const worker = startCli(['worker'], env, dir);
  const db = openPostgres(database.url);
  try {
    await worker.waitFor(/ready \(postgres\)/);
    await rowState(db, jobId!, 'dead');

    const listed = await runCli(['dlq', 'list', '--json'], env, dir);
    expect([listed.code, listed.stderr]).toEqual([0, '']);
    const entries = JSON.parse(listed.stdout) as Array<{ jobId: string; account: string; error: { code: string } }>;
    expect(entries).toEqual([
      expect.objectContaining({
        jobId,
        account: 'deadq',
        error: expect.objectContaining({ code: 'duration_check_failed' }),
      }),
    ]);
    const table = await runCli(['dlq', 'list'], env, dir);
    expect(table.stdout).toContain(jobId);
    const shown = await runCli(['dlq', 'show', jobId!, '--json'], env, dir);
    expect(JSON.parse(shown.stdout)).toMatchObject({ jobId, spec: { title } });

    const replayed = await runCli(['dlq', 'replay', jobId!, '--json'], env, dir);
    expect([replayed.code, replayed.stderr]).toEqual([0, '']);
    expect(JSON.parse(replayed.stdout)).toEqual({ jobId, account: 'deadq', state: 'queued' });
    await rowState(db, jobId!, 'published');
    // A second replay finds nothing dead to replay.
    const again = await runCli(['dlq', 'replay', jobId!], env, dir);
    expect(again.code).not.toBe(0);
    expect(JSON.parse((await runCli(['dlq', 'list', '--json'], env, dir)).stdout)).toEqual([]);
  } finally {
    await db.close();
    worker.child.kill('SIGTERM');
    await worker.exited;
  }
  const inits = sb.admin
    .requests({ endpoint: 'video.init' })
    .filter((r) => (r.body as { post_info?: { title?: string } } | null)?.post_info?.title === title);
  expect(inits).toHaveLength(2);
  expect(sb.admin.posts().filter((p) => p.title === title && p.status === 'PUBLISH_COMPLETE')).toHaveLength(1);
}, 120_000);
