// core's Pipeline on the engine's job table (tokpipe.pipeline_jobs): two pipelines on one PostgreSQL
// (two `campaign run` processes) submit the same rows at the same moment; each row is posted once,
// by the pipeline whose INSERT created its job, and the other follows that row, so both report every
// row's true outcome. A pipeline that stops leaves its open rows to the next one, which takes them
// over at once (its owner lock is gone) and posts them once. Older databases keep their jobs.
import {
  createPoster,
  Ledger,
  Pipeline,
  TokenManager,
  oauthRefresher,
  TikTokOAuth,
  type Job,
  type JobSpec,
} from '@tokpipe/core';
import { axiosTransport } from '@tokpipe/core/node';
import { migrate, openPostgres, SqlJobStore, SqlStore } from '../src';
import { createPostgresDatabase, type TestDatabase } from './databases';
import { startWorld, trackDb, type World } from './world';

let world: World;
let database: TestDatabase;
const opened: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  world = await startWorld({ moderationDelayMs: 0 });
  database = await createPostgresDatabase();
  const db = openPostgres(database.url);
  await migrate(db);
  await db.close();
}, 60_000);
afterAll(async () => {
  for (const o of opened.reverse()) await o.close().catch(() => undefined);
  await world.close();
  await database.drop();
});

/** One "process": its own connection pool, job store (owner lock), ledger and posters. */
async function openProcess(): Promise<{ pipeline: Pipeline; jobStore: SqlJobStore; close(): Promise<void> }> {
  const { clock, sb } = world;
  const db = trackDb(openPostgres(database.url), clock);
  const store = new SqlStore(db);
  const jobStore = await SqlJobStore.open(db);
  const transport = clock.trackTransport(axiosTransport({ defaultTimeoutMs: 5_000 }));
  const oauth = new TikTokOAuth({
    clientKey: world.clientKey,
    clientSecret: world.clientSecret,
    transport,
    baseUrl: sb.url,
    clock,
  });
  const pipeline = await Pipeline.open({
    store,
    jobStore,
    clock,
    random: () => 0.5,
    ledger: new Ledger(store, clock),
    follow: { everyMs: 1_000 },
    posterFor: (_account, { tokens, limiter }) =>
      createPoster({
        baseUrl: sb.url,
        transport,
        clock,
        store,
        limiter,
        random: () => 0.5,
        auth: new TokenManager({ store: tokens, clock, refresh: oauthRefresher(oauth) }),
      }),
  });
  let closed = false;
  const proc = {
    pipeline,
    jobStore,
    async close() {
      if (closed) return;
      closed = true;
      await pipeline.shutdown();
      await jobStore.close();
      await db.close();
    },
  };
  opened.push(proc);
  return proc;
}

async function addAccount(pipeline: Pipeline, id: string): Promise<void> {
  const user = world.sb.admin.createUser({ username: id });
  const token = world.sb.admin.issueToken(user.openId);
  await pipeline.accounts.add({
    id,
    token: {
      access_token: token.accessToken,
      refresh_token: token.refreshToken,
      expires_at: world.clock.now() + token.expiresIn * 1000,
      scope: token.scope,
      open_id: user.openId,
    },
  });
}

const specs = (prefix: string, accounts: string[], n: number): JobSpec[] =>
  Array.from({ length: n }, (_, i) => ({
    account: accounts[i % accounts.length]!,
    mode: 'direct',
    media: { type: 'video_url', url: `${world.sb.url}/media/sample.mp4?${prefix}${i}` },
    title: `${prefix} ${i}`,
    privacyLevel: 'SELF_ONLY',
    idempotencyKey: `${prefix}-${i}`,
  }));

const postsTitled = (title: string) => world.sb.admin.posts().filter((p) => p.title === title).length;

test('two pipelines submit the same rows at the same moment: each posted once, both report every row published', async () => {
  const [a, b] = [await openProcess(), await openProcess()];
  await addAccount(a.pipeline, 'north');
  await addAccount(a.pipeline, 'south');
  await b.pipeline.accounts.load();
  const rows = specs('twin', ['north', 'south'], 12);
  const [submittedA, submittedB] = await Promise.all([a.pipeline.submitMany(rows), b.pipeline.submitMany(rows)]);
  // Each row was created by exactly one of them; the other follows it.
  const createdBy = rows.map((_, i) => Number(submittedA[i]!.created) + Number(submittedB[i]!.created));
  expect(createdBy).toEqual(rows.map(() => 1));
  await Promise.all([a.pipeline.drain(), b.pipeline.drain()]);
  for (const spec of rows) expect([spec.title, postsTitled(spec.title!)]).toEqual([spec.title, 1]);
  const states = (jobs: Job[]) => jobs.map((j) => [j.spec.idempotencyKey, j.state]);
  const expected = rows.map((r) => [r.idempotencyKey, 'published']);
  expect(states(a.pipeline.listJobs())).toEqual(expected);
  expect(states(b.pipeline.listJobs())).toEqual(expected);
  await Promise.all([a.close(), b.close()]);
}, 60_000);

test('a pipeline that stops with rows queued: the next one takes them over at once and posts each once', async () => {
  const a = await openProcess();
  await addAccount(a.pipeline, 'east');
  const rows = specs('handover', ['east'], 4);
  // A is stopping (Ctrl-C) as its rows are queued: nothing is sent, and its owner lock goes with its connection.
  a.pipeline.stop();
  expect((await a.pipeline.submitMany(rows)).every((s) => s.created)).toBe(true);
  await a.close();
  expect(rows.map((r) => postsTitled(r.title!))).toEqual([0, 0, 0, 0]);

  const b = await openProcess();
  expect((await b.pipeline.submitMany(rows)).some((s) => s.created)).toBe(false);
  await b.pipeline.drain();
  for (const spec of rows) expect([spec.title, postsTitled(spec.title!)]).toEqual([spec.title, 1]);
  expect(
    b.pipeline
      .listJobs()
      .filter((j) => j.spec.title?.startsWith('handover'))
      .map((j) => j.state),
  ).toEqual(rows.map(() => 'published'));
  await b.close();
}, 60_000);

test('migration 4 moves the jobs an older version kept in tokpipe.kv into the job table', async () => {
  const older = await createPostgresDatabase();
  const db = openPostgres(older.url);
  try {
    await migrate(db, { to: 3 });
    const job = { id: 'job_old', seq: 7, state: 'unknown', account: 'brand', publishId: 'p_1', postIds: [] };
    await db.query('INSERT INTO tokpipe.kv (key, value) VALUES ($1, $2)', [
      `tokpipe/pipeline/job/${job.id}`,
      JSON.stringify(job),
    ]);
    await migrate(db);
    const { rows } = await db.query('SELECT id, seq, state, account, publish_id, owner FROM tokpipe.pipeline_jobs');
    expect(rows).toEqual([
      { id: 'job_old', seq: 7, state: 'unknown', account: 'brand', publish_id: 'p_1', owner: null },
    ]);
    expect((await db.query(`SELECT key FROM tokpipe.kv WHERE key LIKE 'tokpipe/pipeline/job/%'`)).rows).toEqual([]);
    const store = await SqlJobStore.open(db);
    expect(await store.loadAll()).toEqual([job]);
    await store.close();
  } finally {
    await db.close();
    await older.drop();
  }
});
