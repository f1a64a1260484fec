// The embedded database shared by its owner with other processes: a second process becomes the owner's
// client (its statements, errors and transactions run on the owner's PGlite), a client killed inside a
// transaction leaves nothing behind and does not block the owner, and the owner's close waits for clients.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEmbedded, SqlStore, type Db } from '../src';

const repoRoot = path.resolve(__dirname, '../../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'tokpipe-shared-'));
const children: ChildProcess[] = [];
let owner: Db | undefined;
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await owner?.close();
  rmSync(dir, { recursive: true, force: true });
});

function child(scenario: string, key = ''): { child: ChildProcess; lines: unknown[]; next(): Promise<unknown> } {
  const c = spawn(
    process.execPath,
    ['-r', path.join(repoRoot, 'test/chaos/ts-hook.js'), path.join(__dirname, 'shared-child.ts'), dir, scenario, key],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(c);
  const lines: unknown[] = [];
  const waiting: Array<(line: unknown) => void> = [];
  let buffer = '';
  c.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = JSON.parse(buffer.slice(0, i)) as unknown;
      buffer = buffer.slice(i + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  return {
    child: c,
    lines,
    next: () => (lines.length ? Promise.resolve(lines.shift()) : new Promise((r) => waiting.push(r))),
  };
}

test('a second process works as the owner’s client: same rows, errors and transactions; one winner per key', async () => {
  owner = await openEmbedded(dir);
  const store = new SqlStore(owner);
  const [a, b] = [child('work', 'k1'), child('work', 'k1')];
  const said = await Promise.all([a, b].map(async (c) => [await c.next(), await c.next(), await c.next()]));
  for (const [types, , error] of said) {
    expect(types).toEqual({ date: true, big: expect.any(String), bytes: [1, 2] });
    expect(error).toEqual({ error: '42P01' }); // PostgreSQL's SQLSTATE reaches the client
  }
  // Both clients raced to reserve one ledger key: exactly one won.
  expect(said.map((s) => (s[1] as { won: boolean }).won).sort()).toEqual([false, true]);
  expect(await Promise.all([a.next(), b.next()])).toEqual(['closed', 'closed']);
  expect(await store.get('committed-by-client')).toBe('yes');
  expect(await store.get('rolled-back-by-client')).toBeUndefined();
}, 60_000);

test('a client killed with -9 inside its transaction: rolled back, the owner goes on', async () => {
  const holder = child('hold-tx');
  expect(await holder.next()).toBe('in tx');
  holder.child.kill('SIGKILL');
  const store = new SqlStore(owner!);
  // The owner's next statement waits for the dead client's transaction to be rolled back, not forever.
  expect(await store.get('held-by-dead-client')).toBeUndefined();
  await store.set('after', 'ok');
  expect(await store.get('after')).toBe('ok');
}, 60_000);

test('the owner’s close waits for its clients to finish', async () => {
  const holder = child('hold-tx');
  expect(await holder.next()).toBe('in tx');
  const closing = (owner as Db).close();
  owner = undefined;
  let closed = false;
  void closing.then(() => (closed = true));
  await new Promise((r) => setImmediate(r));
  expect(closed).toBe(false);
  holder.child.kill('SIGKILL');
  await closing;
  // Free again: the next process owns it.
  const next = await openEmbedded(dir);
  expect(await new SqlStore(next).get('held-by-dead-client')).toBeUndefined();
  await next.close();
}, 60_000);

test('an owner killed with -9: its client is told to run again; the next opener owns the database', async () => {
  const own = child('own');
  expect(await own.next()).toBe('open');
  const client = await openEmbedded(dir); // the directory is owned: this process is its client
  const store = new SqlStore(client);
  expect(await store.get('after')).toBe('ok');
  own.child.kill('SIGKILL');
  await new Promise((r) => own.child.once('exit', r));
  await expect(store.get('after')).rejects.toThrow(/ended while this one was using it; run the command again/);
  await client.close();
  const next = await openEmbedded(dir);
  expect(await new SqlStore(next).get('after')).toBe('ok');
  await next.close();
}, 60_000);
