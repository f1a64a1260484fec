// The embedded database has one owner process: simultaneous openers get exactly one owner, the rest a
// refusal naming the owner and pointing at DATABASE_URL; an owner killed with -9 leaves no stale lock.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireOwnership, EngineInUseError } from '../src';

const repoRoot = path.resolve(__dirname, '../../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'tokpipe-owner-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function contender(): { child: ChildProcess; said: Promise<string> } {
  const child = spawn(
    process.execPath,
    ['-r', path.join(repoRoot, 'test/chaos/ts-hook.js'), path.join(__dirname, 'ownership-child.ts'), dir],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  children.push(child);
  const said = new Promise<string>((resolve) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
  });
  return { child, said };
}

test('in one process: a second opener is refused with the owner and DATABASE_URL; after release it opens', async () => {
  const first = await acquireOwnership(dir, 'campaign run');
  const refused = await acquireOwnership(dir).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(EngineInUseError);
  expect((refused as EngineInUseError).owner.pid).toBe(process.pid);
  expect((refused as Error).message).toMatch(/in use by process \d+ \(tokpipe campaign run\).*DATABASE_URL/);
  await first.release();
  await (await acquireOwnership(dir)).release();
});

test('five processes opening at the same moment: exactly one owner; killed with -9, the next opener owns it', async () => {
  const five = Array.from({ length: 5 }, contender);
  const said = await Promise.all(five.map((c) => c.said));
  expect(said.filter((s) => s === 'owner')).toHaveLength(1);
  const owner = five[said.indexOf('owner')]!.child;
  for (const s of said.filter((x) => x !== 'owner'))
    expect(s).toMatch(new RegExp(`^refused ${owner.pid}: .*DATABASE_URL`));
  owner.kill('SIGKILL');
  await new Promise((r) => owner.once('exit', r));
  const next = contender();
  expect(await next.said).toBe('owner');
  next.child.stdin!.end();
  await new Promise((r) => next.child.once('exit', r));
}, 60_000);
