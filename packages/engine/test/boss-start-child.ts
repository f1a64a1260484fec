// Child of boss-start.test.ts: one process starting pg-boss on the database in argv[2], as a
// `tokpipe worker` does at start (migrate, then pg-boss). It says "ready" after migrating and starts
// pg-boss when a line arrives on stdin (so the test starts all children at one moment); then prints
// "started" or the error's message.
import { migrate, openPostgres, startBoss } from '../src';

async function main(): Promise<void> {
  const db = openPostgres(process.argv[2]!);
  try {
    await migrate(db);
    process.stdout.write('ready\n');
    await new Promise((resolve) => process.stdin.once('data', resolve));
    const boss = await startBoss(db, { supervise: false });
    await boss.stop({ graceful: false, close: false });
    process.stdout.write('started\n');
  } catch (error) {
    process.stdout.write(`failed: ${(error as Error).message}\n`);
  } finally {
    await db.close();
  }
}

void main();
