// SqlStore keeps core's KeyValueStore contract on both engines, routes the ledger and tokens to their
// tables, and its compare-and-set refuses a stale writer. A FileStore is imported once, losslessly.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AccountRegistry, VirtualClock } from '@tokpipe/core';
import { FileStore } from '@tokpipe/core/node';
import { importFileStore, migrate, SqlStore, sqlTokenStore, type Db } from '../src';
import { engines, type EngineUnderTest } from './databases';

describe.each(engines())('SqlStore on %s', (_name, start) => {
  let engine: EngineUnderTest;
  let db: Db;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tokpipe-import-'));
  beforeAll(async () => {
    engine = await start();
    db = await engine.open();
    await migrate(db);
  }, 120_000);
  afterAll(async () => {
    await engine.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('get/set/delete/list in key order across the routed tables', async () => {
    const store = new SqlStore(db);
    await store.set('tokpipe/pipeline/job/b', '{"id":"b"}');
    await store.set('tokpipe/ledger/k1', JSON.stringify({ key: 'k1', state: 'initiated', publishId: 'p1' }));
    await store.set('tokpipe/tokens/brand', '{"access_token":"a"}');
    await store.set('tokpipe/pipeline/job/a', '{"id":"a"}');
    expect((await store.list('tokpipe/pipeline/job/')).map(([k]) => k)).toEqual([
      'tokpipe/pipeline/job/a',
      'tokpipe/pipeline/job/b',
    ]);
    expect((await store.list('tokpipe/')).map(([k]) => k)).toEqual([
      'tokpipe/ledger/k1',
      'tokpipe/pipeline/job/a',
      'tokpipe/pipeline/job/b',
      'tokpipe/tokens/brand',
    ]);
    expect((await db.query('SELECT state, publish_id FROM tokpipe.ledger WHERE key = $1', ['k1'])).rows).toEqual([
      { state: 'initiated', publish_id: 'p1' },
    ]);
    expect(await sqlTokenStore(db, 'brand').load()).toEqual({ access_token: 'a' });
    await store.delete('tokpipe/pipeline/job/a');
    expect(await store.get('tokpipe/pipeline/job/a')).toBeUndefined();
  });

  test('compare-and-set: absent -> one winner; a writer that read an older value loses', async () => {
    const store = new SqlStore(db);
    const key = 'tokpipe/ledger/race';
    const v1 = JSON.stringify({ key: 'race', state: 'reserved', reservation: 'a' });
    const v1b = JSON.stringify({ key: 'race', state: 'reserved', reservation: 'b' });
    const results = await Promise.all([
      store.compareAndSet(key, undefined, v1),
      store.compareAndSet(key, undefined, v1b),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const current = (await store.get(key))!;
    const next = JSON.stringify({ ...JSON.parse(current), state: 'intent' });
    expect(await store.compareAndSet(key, current, next)).toBe(true);
    expect(
      await store.compareAndSet(key, current, JSON.stringify({ key: 'race', state: 'intent', reservation: 'x' })),
    ).toBe(false);
    expect(JSON.parse((await store.get(key))!).state).toBe('intent');
    expect(await store.compareAndSet('plain', undefined, '1')).toBe(true);
    expect(await store.compareAndSet('plain', '0', '2')).toBe(false);
    expect(await store.compareAndSet('plain', '1', '2')).toBe(true);
  });

  test('a FileStore is imported once: accounts, tokens, ledger and jobs as they were; the file is kept renamed', async () => {
    const file = path.join(dir, `tokpipe-${_name}.db`);
    const fileStore = FileStore.open(file);
    const clock = new VirtualClock();
    const accounts = new AccountRegistry(fileStore, clock);
    await accounts.load();
    await accounts.add({
      id: 'shop',
      token: { access_token: 'acc', refresh_token: 'ref', expires_at: 1, scope: 'video.publish', open_id: 'o1' },
    });
    await fileStore.set(
      'tokpipe/ledger/old',
      JSON.stringify({ key: 'old', state: 'final', status: 'PUBLISH_COMPLETE' }),
    );
    await fileStore.set('tokpipe/pipeline/job/j1', '{"id":"j1","state":"published"}');
    const before = await fileStore.list('');
    fileStore.close();

    const first = await importFileStore(db, file);
    expect(first).toMatchObject({ entries: before.length, imported: true, renamedTo: `${file}.imported` });
    expect(existsSync(`${file}.imported`)).toBe(true);
    const store = new SqlStore(db);
    for (const [key, value] of before) expect([key, await store.get(key)]).toEqual([key, value]);
    expect((await sqlTokenStore(db, 'shop').load())?.refresh_token).toBe('ref');
    const imported = new AccountRegistry(store, clock);
    await imported.load();
    expect(imported.list().map((a) => a.id)).toEqual(['shop']);
    expect(await importFileStore(db, file)).toMatchObject({ imported: false, entries: 0 });
  });
});
