// Child of shared-embedded.test.ts: opens the embedded database in argv[2] (as the owner's client when
// another process owns it) and runs scenario argv[3]; says what it saw on stdout, one line each.
import { openEmbedded, SqlStore } from '../src';

async function main(): Promise<void> {
  const [dir, scenario, key] = process.argv.slice(2) as [string, string, string];
  const db = await openEmbedded(dir, { command: `test ${scenario}` });
  const say = (line: unknown) => process.stdout.write(JSON.stringify(line) + '\n');
  if (scenario === 'work') {
    const { rows } = await db.query<{ at: Date; big: bigint | number; bytes: Uint8Array }>(
      `SELECT now() AS at, 9007199254740993::bigint AS big, '\\x0102'::bytea AS bytes`,
    );
    const row = rows[0]!;
    say({
      date: row.at instanceof Date,
      big: typeof row.big,
      bytes: row.bytes instanceof Uint8Array && [...row.bytes],
    });
    const store = new SqlStore(db);
    say({ won: await store.compareAndSet(`tokpipe/ledger/${key}`, undefined, JSON.stringify({ state: 'reserved' })) });
    const failed = await db.query('SELECT * FROM no_such_table').catch((e: { code?: string }) => e.code);
    say({ error: failed });
    await db.transaction(async (tx) => {
      await new SqlStore(tx).set('committed-by-client', 'yes');
    });
    await db
      .transaction(async (tx) => {
        await new SqlStore(tx).set('rolled-back-by-client', 'yes');
        throw new Error('no');
      })
      .catch(() => undefined);
    await db.close();
    say('closed');
  } else if (scenario === 'own') {
    say('open'); // the first opener of a free directory: the owner, until killed
  } else if (scenario === 'hold-tx') {
    void db.transaction(async (tx) => {
      await new SqlStore(tx).set('held-by-dead-client', 'yes');
      say('in tx');
      await new Promise(() => undefined); // killed here
    });
  }
}

main().catch((error: unknown) => {
  process.stdout.write(JSON.stringify({ failed: String(error) }) + '\n');
  process.exit(1);
});
