// Which statements a published post costs (diagnostic for engine_sql_round_trips_per_post).
import { axiosTransport } from '@tokpipe/core/node';
import { jobCounts, migrate, openPostgres, startBoss, startWorker, submitPosts, type Db } from '../packages/engine/src';
import { createPostgresDatabase } from '../packages/engine/test/databases';
import { seedAccount, startWorld, trackDb, video } from '../packages/engine/test/world';

function histogram(db: Db, counts: Map<string, number>): Db {
  const note = (sql: string) => {
    const key = sql.replace(/\s+/g, ' ').trim().slice(0, 70);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  const wrap = (inner: Db): Db => ({
    kind: inner.kind,
    query: (sql, params) => (note(sql), inner.query(sql, params)),
    exec: (sql) => (note(sql), inner.exec(sql)),
    transaction: (fn) => (note('BEGIN/COMMIT'), inner.transaction((tx) => fn(wrap(tx)))),
    close: () => inner.close(),
  });
  return wrap(db);
}

(async () => {
  const database = await createPostgresDatabase();
  const world = await startWorld();
  const counts = new Map<string, number>();
  const raw = openPostgres(database.url);
  await migrate(raw);
  const db = trackDb(histogram(raw, counts), world.clock);
  for (let a = 0; a < 5; a++) await seedAccount(world, db, `acct-${a}`);
  const w = await startWorker({
    db,
    clock: world.clock,
    transport: world.clock.trackTransport(axiosTransport()),
    baseUrl: world.sb.url,
    clientKey: world.clientKey,
    clientSecret: world.clientSecret,
    concurrency: 5,
    boss: { supervise: false },
  });
  const boss = await startBoss(raw, { supervise: false });
  counts.clear();
  await submitPosts(
    raw,
    boss,
    Array.from({ length: 20 }, (_, i) => ({ id: `t-${i}`, account: `acct-${i % 5}`, request: video(world, `t ${i}`) })),
    world.clock.now(),
  );
  while ((await jobCounts(raw)).published !== 20) await new Promise((r) => setTimeout(r, 50));
  await w.stop();
  const rows = [...counts].sort((a, b) => b[1] - a[1]);
  for (const [sql, n] of rows) console.log((n / 20).toFixed(2).padStart(6), sql);
  console.log('total per post', rows.reduce((s, [, n]) => s + n, 0) / 20);
  await boss.stop({ graceful: false, close: false });
  await world.close();
  await raw.close();
  await database.drop();
  process.exit(0);
})();
