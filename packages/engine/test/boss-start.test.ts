// Several processes starting pg-boss at the same moment on a fresh database (N `tokpipe worker`, or
// servers and workers started together): each start succeeds, and the queues exist once.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { migrate, QUEUES, startBoss } from '../src';
import { createPostgresDatabase, engines } from './databases';

const repoRoot = path.resolve(__dirname, '../../..');

describe.each(engines())(
  'pg-boss started three times at once in one process on a fresh %s database',
  (_name, start) => {
    test('all three starts succeed', async () => {
      const engine = await start();
      try {
        const dbs = [await engine.open(), await engine.open(), await engine.open()];
        await Promise.all(dbs.map((db) => migrate(db)));
        const bosses = await Promise.all(dbs.map((db) => startBoss(db, { supervise: false })));
        const queues = await dbs[0]!.query<{ name: string }>('SELECT name FROM pgboss.queue ORDER BY name');
        expect(queues.rows.map((r) => r.name)).toEqual(Object.values(QUEUES).sort());
        for (const boss of bosses) await boss.stop({ graceful: false, close: false });
      } finally {
        await engine.cleanup();
      }
    }, 60_000);
  },
);

/** Child processes (boss-start-child.ts) that migrate, wait until all are ready, then start pg-boss at
 * one moment; their last lines. */
async function startInChildren(url: string, n: number): Promise<string[]> {
  const children = Array.from({ length: n }, () =>
    spawn(
      process.execPath,
      ['-r', path.join(repoRoot, 'test/chaos/ts-hook.js'), path.join(__dirname, 'boss-start-child.ts'), url],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    ),
  );
  const outputs = children.map(() => '');
  const ready = children.map(
    (child, i) =>
      new Promise<void>((resolve) =>
        child.stdout.on('data', (d: Buffer) => {
          outputs[i] += d.toString();
          if (outputs[i]!.includes('ready\n')) resolve();
        }),
      ),
  );
  const exited = children.map((child) => new Promise((resolve) => child.on('exit', resolve)));
  await Promise.all(ready);
  for (const child of children) child.stdin.end('go\n');
  await Promise.all(exited);
  return outputs.map((o) => o.trim().split('\n').pop()!);
}

test('three processes start pg-boss at once on a fresh PostgreSQL database: all succeed', async () => {
  const database = await createPostgresDatabase();
  try {
    expect(await startInChildren(database.url, 3)).toEqual(['started', 'started', 'started']);
  } finally {
    await database.drop();
  }
}, 60_000);
