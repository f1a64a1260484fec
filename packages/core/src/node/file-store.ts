// FileStore: the durable, zero-setup KeyValueStore (one file in the working directory).
//
// Layout: an append-only log. Line 1 is a header; every later line is one record
//   <16 hex of sha256(json)> <json>\n     json = ["s", key, value] | ["d", key]
// Each set/delete is written and fsync'ed before its promise resolves, so a resolved write
// survives `kill -9` and power loss. A crash mid-write can only tear the LAST line: on open, a
// tail line that is incomplete or fails its checksum is dropped and the file truncated there.
// A bad line followed by good ones is not a torn write but damage, and opening refuses it
// rather than silently losing data.
//
// Compaction rewrites the live entries to a temp file, fsyncs it and renames it over the log
// (atomic on POSIX), so a crash leaves either the old or the new log, never a mix.
// Single process: a lock file holding our pid keeps a second process out; a lock left by a
// killed process (pid no longer alive) is taken over.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { KeyValueStore } from '../ports';

const HEADER = '#tokpipe-kv v1\n';
const CHECKSUM_HEX = 16;

export interface FileStoreOptions {
  /** Compact when the log is larger than this many bytes and more than `compactRatio` × the live data. */
  compactMinBytes?: number;
  compactRatio?: number;
  /** Take a stale lock or skip locking (tests that simulate a crash in-process). Default true. */
  lock?: boolean;
}

export class FileStoreError extends Error {
  override readonly name = 'FileStoreError';
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

type LogRecord = ['s', string, string] | ['d', string];

function checksum(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, CHECKSUM_HEX);
}

function encode(record: LogRecord): Buffer {
  const json = JSON.stringify(record);
  return Buffer.from(`${checksum(json)} ${json}\n`, 'utf8');
}

/** Parses one line; undefined when it is torn or damaged. */
function decode(line: string): LogRecord | undefined {
  if (line.length < CHECKSUM_HEX + 2 || line[CHECKSUM_HEX] !== ' ') return undefined;
  const json = line.slice(CHECKSUM_HEX + 1);
  if (checksum(json) !== line.slice(0, CHECKSUM_HEX)) return undefined;
  try {
    const parsed: unknown = JSON.parse(json);
    if (!Array.isArray(parsed)) return undefined;
    if (parsed[0] === 's' && typeof parsed[1] === 'string' && typeof parsed[2] === 'string')
      return ['s', parsed[1], parsed[2]];
    if (parsed[0] === 'd' && typeof parsed[1] === 'string') return ['d', parsed[1]];
  } catch {
    return undefined;
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class FileStore implements KeyValueStore {
  private readonly data = new Map<string, string>();
  private fd: number | undefined;
  private logBytes = 0;
  private liveBytes = 0;
  private readonly lockPath: string;
  private readonly compactMinBytes: number;
  private readonly compactRatio: number;
  private readonly useLock: boolean;

  /** Opens (or creates) the store at `file`. Synchronous so a CLI can open it before anything else runs. */
  static open(file: string, options: FileStoreOptions = {}): FileStore {
    return new FileStore(path.resolve(file), options);
  }

  private constructor(
    readonly file: string,
    options: FileStoreOptions,
  ) {
    this.lockPath = `${file}.lock`;
    this.compactMinBytes = options.compactMinBytes ?? 1 << 20;
    this.compactRatio = options.compactRatio ?? 2;
    this.useLock = options.lock ?? true;
    if (this.useLock) this.acquireLock();
    try {
      this.load();
    } catch (err) {
      this.releaseLock();
      throw err;
    }
  }

  async get(key: string): Promise<string | undefined> {
    return this.data.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    if (typeof key !== 'string' || key === '') throw new TypeError('FileStore.set: key must be a non-empty string');
    if (typeof value !== 'string') throw new TypeError(`FileStore.set(${key}): value must be a string`);
    this.append(['s', key, value]);
    const previous = this.data.get(key);
    if (previous !== undefined) this.liveBytes -= this.entrySize(key, previous);
    this.data.set(key, value);
    this.liveBytes += this.entrySize(key, value);
    this.maybeCompact();
  }

  async delete(key: string): Promise<void> {
    const previous = this.data.get(key);
    if (previous === undefined) return;
    this.append(['d', key]);
    this.data.delete(key);
    this.liveBytes -= this.entrySize(key, previous);
    this.maybeCompact();
  }

  async list(prefix: string): Promise<Array<[string, string]>> {
    const out: Array<[string, string]> = [];
    for (const [key, value] of this.data) if (key.startsWith(prefix)) out.push([key, value]);
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** Rewrites the log with only the live entries. */
  compact(): void {
    this.ensureOpen();
    const tmp = `${this.file}.compact-tmp`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      const parts: Buffer[] = [Buffer.from(HEADER, 'utf8')];
      for (const [key, value] of this.data) parts.push(encode(['s', key, value]));
      const all = Buffer.concat(parts);
      fs.writeSync(fd, all);
      fs.fsyncSync(fd);
      this.logBytes = all.length;
    } finally {
      fs.closeSync(fd);
    }
    fs.closeSync(this.fd!);
    fs.renameSync(tmp, this.file);
    this.syncDir();
    this.fd = fs.openSync(this.file, 'a', 0o600);
  }

  /** Size of the log file in bytes (for tests and `tokpipe` diagnostics). */
  sizeOnDisk(): number {
    return this.logBytes;
  }

  close(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
    this.releaseLock();
  }

  private entrySize(key: string, value: string): number {
    return encode(['s', key, value]).length;
  }

  private append(record: LogRecord): void {
    this.ensureOpen();
    const buf = encode(record);
    let written = 0;
    while (written < buf.length) written += fs.writeSync(this.fd!, buf, written, buf.length - written);
    fs.fsyncSync(this.fd!);
    this.logBytes += buf.length;
  }

  private ensureOpen(): void {
    if (this.fd === undefined) throw new FileStoreError(`store ${this.file} is closed`, this.file);
  }

  private maybeCompact(): void {
    if (this.logBytes > this.compactMinBytes && this.logBytes > this.compactRatio * (this.liveBytes + HEADER.length))
      this.compact();
  }

  private load(): void {
    // A temp file left by a crash during compaction: the rename never happened, the log is intact.
    fs.rmSync(`${this.file}.compact-tmp`, { force: true });
    let content: Buffer;
    try {
      content = fs.readFileSync(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      content = Buffer.alloc(0);
    }
    const header = Buffer.from(HEADER, 'utf8');
    if (content.length < header.length) {
      // Missing, or torn while being created: start fresh (nothing was ever acknowledged).
      if (!header.subarray(0, content.length).equals(content)) {
        throw new FileStoreError(`${this.file} is not a tokpipe store (unknown header)`, this.file);
      }
      this.createFresh(header);
      return;
    }
    if (!content.subarray(0, header.length).equals(header)) {
      throw new FileStoreError(`${this.file} is not a tokpipe store (unknown header)`, this.file);
    }
    let offset = header.length;
    let goodEnd = offset;
    while (offset < content.length) {
      const newline = content.indexOf(0x0a, offset);
      const record = newline === -1 ? undefined : decode(content.toString('utf8', offset, newline));
      if (!record) {
        const rest = newline === -1 ? -1 : content.indexOf(0x0a, newline + 1);
        // Only the very last line can be torn by a crash; anything else is damage.
        if (newline !== -1 && rest !== -1) {
          throw new FileStoreError(
            `${this.file} is damaged at byte ${offset} (a record other than the last is invalid); refusing to drop data`,
            this.file,
          );
        }
        break;
      }
      if (record[0] === 's') this.data.set(record[1], record[2]);
      else this.data.delete(record[1]);
      offset = newline + 1;
      goodEnd = offset;
    }
    this.fd = fs.openSync(this.file, 'r+', 0o600);
    if (goodEnd < content.length) {
      fs.ftruncateSync(this.fd, goodEnd);
      fs.fsyncSync(this.fd);
    }
    fs.closeSync(this.fd);
    this.fd = fs.openSync(this.file, 'a', 0o600);
    this.logBytes = goodEnd;
    this.liveBytes = 0;
    for (const [key, value] of this.data) this.liveBytes += this.entrySize(key, value);
    this.maybeCompact();
  }

  private createFresh(header: Buffer): void {
    const fd = fs.openSync(this.file, 'w', 0o600);
    fs.writeSync(fd, header);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    this.syncDir();
    this.fd = fs.openSync(this.file, 'a', 0o600);
    this.logBytes = header.length;
  }

  private syncDir(): void {
    try {
      const dirFd = fs.openSync(path.dirname(this.file), 'r');
      try {
        fs.fsyncSync(dirFd);
      } finally {
        fs.closeSync(dirFd);
      }
    } catch {
      // Some file systems refuse fsync on a directory; the rename itself is still atomic.
    }
  }

  private acquireLock(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = fs.openSync(this.lockPath, 'wx', 0o600);
        fs.writeSync(fd, String(process.pid));
        fs.closeSync(fd);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number(fs.readFileSync(this.lockPath, 'utf8').trim());
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
          throw new FileStoreError(`store ${this.file} is in use by process ${pid} (lock ${this.lockPath})`, this.file);
        }
        if (pid === process.pid) {
          throw new FileStoreError(`store ${this.file} is already open in this process; close it first`, this.file);
        }
        // Left behind by a process that died (kill -9): take it over.
        fs.rmSync(this.lockPath, { force: true });
      }
    }
    throw new FileStoreError(`could not take the lock ${this.lockPath}`, this.file);
  }

  private releaseLock(): void {
    if (!this.useLock) return;
    try {
      if (fs.readFileSync(this.lockPath, 'utf8').trim() === String(process.pid))
        fs.rmSync(this.lockPath, { force: true });
    } catch {
      // Already gone.
    }
  }
}
