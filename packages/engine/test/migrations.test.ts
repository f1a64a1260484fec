// A database made by the previous schema version upgrades in place, keeping what it holds.
import { currentVersion, latestVersion, migrate } from '../src';
import { engines, type EngineUnderTest } from './databases';

describe.each(engines())('migrations on %s', (_name, start) => {
  let engine: EngineUnderTest;
  beforeAll(async () => {
    engine = await start();
  }, 120_000);
  afterAll(() => engine.cleanup());

  test('version 1 with data upgrades to the latest version; data kept; running again does nothing', async () => {
    const db = await engine.open();
    expect(await currentVersion(db)).toBe(0);
    expect(await migrate(db, { to: 1 })).toEqual({ from: 0, to: 1, applied: [1] });
    await db.query(`INSERT INTO tokpipe.jobs (id, account, spec, state, updated_at) VALUES ('row-1', 'brand', '{"mode":"direct"}', 'queued', 5)`);
    await db.query(`INSERT INTO tokpipe.ledger (key, state, entry) VALUES ('k1', 'initiated', '{"key":"k1"}')`);

    const upgraded = await migrate(db);
    expect(upgraded.from).toBe(1);
    expect(upgraded.to).toBe(latestVersion);
    expect(upgraded.applied[0]).toBe(2);
    const jobs = await db.query<{ id: string; state: string; spec: { mode: string }; owner: string | null }>('SELECT id, state, spec, owner FROM tokpipe.jobs');
    expect(jobs.rows).toEqual([{ id: 'row-1', state: 'queued', spec: { mode: 'direct' }, owner: null }]);
    expect((await db.query('SELECT key FROM tokpipe.ledger')).rows).toEqual([{ key: 'k1' }]);
    await db.query(`INSERT INTO tokpipe.dlq (job_id, account, code, message, at) VALUES ('row-1', 'brand', 'x', 'y', 1)`);

    expect(await migrate(db)).toEqual({ from: latestVersion, to: latestVersion, applied: [] });
    const versions = await db.query<{ version: number }>('SELECT version FROM tokpipe.schema_migrations ORDER BY version');
    expect(versions.rows.map((r) => r.version)).toEqual(Array.from({ length: latestVersion }, (_, i) => i + 1));
  });

  test('two openers migrating at once apply each migration once', async () => {
    const [a, b] = [await engine.open(), await engine.open()];
    await a.exec('DROP SCHEMA tokpipe CASCADE');
    const results = await Promise.all([migrate(a), migrate(b)]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(Array.from({ length: latestVersion }, (_, i) => i + 1));
    expect(await currentVersion(a)).toBe(latestVersion);
  });
});
