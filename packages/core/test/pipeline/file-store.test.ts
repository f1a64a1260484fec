// FileStore: durability across reopen, torn tails, damage, compaction, and a real kill -9.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { FileStore, FileStoreError } from '../../src/node/file-store';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokpipe-fs-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('entries survive close and reopen; list is prefix-filtered and sorted; delete sticks', async () => {
  const file = path.join(dir, 'store.db');
  const a = FileStore.open(file);
  await a.set('job/2', '{"n":2}');
  await a.set('job/1', '{"n":1}');
  await a.set('acct/x', 'X');
  await a.set('job/1', '{"n":11}');
  await a.delete('acct/x');
  a.close();

  const b = FileStore.open(file);
  expect(await b.list('job/')).toEqual([
    ['job/1', '{"n":11}'],
    ['job/2', '{"n":2}'],
  ]);
  expect(await b.get('acct/x')).toBeUndefined();
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  b.close();
});

test('a torn last record (crash mid-write) is dropped and later writes are kept', async () => {
  const file = path.join(dir, 'store.db');
  const a = FileStore.open(file);
  await a.set('k1', 'v1');
  await a.set('k2', 'v2');
  a.close();
  // Half of a record, no newline: what a kill -9 during write() leaves.
  fs.appendFileSync(file, '0123456789abcdef ["s","k3","v');

  const b = FileStore.open(file);
  expect(await b.get('k1')).toBe('v1');
  expect(await b.get('k2')).toBe('v2');
  expect(await b.get('k3')).toBeUndefined();
  await b.set('k4', 'v4');
  b.close();

  const c = FileStore.open(file);
  expect((await c.list('')).map(([k]) => k)).toEqual(['k1', 'k2', 'k4']);
  c.close();
});

test('a complete last line with a bad checksum is treated as torn too', async () => {
  const file = path.join(dir, 'store.db');
  const a = FileStore.open(file);
  await a.set('k1', 'v1');
  a.close();
  fs.appendFileSync(file, 'ffffffffffffffff ["s","k2","v2"]\n');
  const b = FileStore.open(file);
  expect(await b.list('')).toEqual([['k1', 'v1']]);
  b.close();
});

test('damage before the last record is refused instead of silently losing data', async () => {
  const file = path.join(dir, 'store.db');
  const a = FileStore.open(file);
  await a.set('k1', 'v1');
  await a.set('k2', 'v2');
  await a.set('k3', 'v3');
  a.close();
  const text = fs.readFileSync(file, 'utf8').replace('"v2"', '"vX"');
  fs.writeFileSync(file, text);
  expect(() => FileStore.open(file)).toThrow(FileStoreError);
  expect(() => FileStore.open(file)).toThrow(/damaged at byte/);
});

test('a file that is not a store is refused with a message naming it', () => {
  const file = path.join(dir, 'notes.txt');
  fs.writeFileSync(file, 'hello world, this is not a store\n');
  expect(() => FileStore.open(file)).toThrow(/notes\.txt is not a tokpipe store/);
});

test('compaction shrinks the log, keeps every live entry, and ignores a temp file left by a crash', async () => {
  const file = path.join(dir, 'store.db');
  const a = FileStore.open(file, { compactMinBytes: 4096, compactRatio: 2 });
  for (let i = 0; i < 500; i++) await a.set(`job/${i % 10}`, `value-${i}`);
  // 500 records of ~40 bytes would be ~20 kB without compaction.
  expect(a.sizeOnDisk()).toBeLessThan(4096 * 2);
  a.close();
  fs.writeFileSync(`${file}.compact-tmp`, 'half-written compaction');

  const b = FileStore.open(file);
  const entries = await b.list('job/');
  expect(entries).toHaveLength(10);
  expect(entries[9]).toEqual(['job/9', 'value-499']);
  expect(fs.existsSync(`${file}.compact-tmp`)).toBe(false);
  b.close();
});

test('a second open while the store is in use is refused; a lock left by a dead process is taken over', async () => {
  const file = path.join(dir, 'store.db');
  const a = FileStore.open(file);
  expect(() => FileStore.open(file)).toThrow(/already open/);
  a.close();
  // A lock file naming a process that no longer exists (pid 2^22 - 1 is above Linux's default pid_max).
  fs.writeFileSync(`${file}.lock`, '4194303');
  const b = FileStore.open(file);
  await b.set('k', 'v');
  b.close();
  expect(fs.existsSync(`${file}.lock`)).toBe(false);
});

// The child compiles file-store.ts with SWC (already a dev dependency) and writes keys forever,
// printing each key only after set() resolved. We SIGKILL it mid-stream.
const CHILD = `
const Module = require('module');
const swc = require(process.argv[2]);
const src = process.argv[3];
const { code } = swc.transformFileSync(src, { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } });
const m = new Module(src, module); m.filename = src; m.paths = module.paths; m._compile(code, src);
const store = m.exports.FileStore.open(process.argv[4], { compactMinBytes: 8192 });
(async () => {
  for (let i = 0; ; i++) {
    await store.set('k/' + String(i).padStart(8, '0'), 'value-' + i + '-' + 'x'.repeat(i % 50));
    if (i % 7 === 0) await store.delete('k/' + String(i - 3).padStart(8, '0'));
    process.stdout.write(i + '\\n');
  }
})();
`;

test('kill -9 at an arbitrary moment loses no acknowledged write', async () => {
  const file = path.join(dir, 'store.db');
  const script = path.join(dir, 'child.js');
  fs.writeFileSync(script, CHILD);
  const swcPath = require.resolve('@swc/core');
  const src = path.resolve(__dirname, '../../src/node/file-store.ts');
  const child = spawn(process.execPath, [script, swcPath, src, file], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: path.resolve(__dirname, '../../../..'),
  });
  let acked = -1;
  let buffer = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) acked = Number(line);
      if (acked >= 400 && !child.killed) {
        child.kill('SIGKILL');
      }
    });
    child.on('exit', () => resolve());
  });
  expect(acked).toBeGreaterThanOrEqual(400);

  const store = FileStore.open(file);
  for (let i = 0; i <= acked; i++) {
    const key = 'k/' + String(i).padStart(8, '0');
    const deleted = [...Array(Math.floor(acked / 7) + 1).keys()].some((j) => j * 7 - 3 === i);
    expect(await store.get(key)).toBe(deleted ? undefined : `value-${i}-${'x'.repeat(i % 50)}`);
  }
  store.close();
});
