// ByteSource over a file: each read opens the file, reads exactly one range and closes it, so memory
// is bounded by the range asked for. Identity is the hex sha256 of the content, streamed (idempotency
// adds the "sha256:" prefix, so a file with and without identity() gives the same key).
import { createHash } from 'node:crypto';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { videoContentTypeForFileName } from '../catalog/media';
import { inputError } from '../errors/classify';
import type { VideoContentType } from '../catalog/media';
import { mediaMismatch, sniffMedia, SNIFF_BYTES } from '../media-sniff';
import type { ByteSource } from '../types';

// Hash block: large enough that I/O calls are few, small enough to stay in cache between read and hash.
const HASH_READ_BYTES = 1024 * 1024;

/** The first bytes of a file (fewer if it is shorter). */
export async function readHead(path: string, length = SNIFF_BYTES): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(length);
    return head.subarray(0, await fill(handle, head, 0));
  } finally {
    await handle.close();
  }
}

/** A local video, checked before anything is sent: links resolved (the real file is what is read), and
 * its bytes must be MP4, MOV or WebM; the content type comes from the bytes, not the extension. */
export async function videoFileSource(path: string, field = 'videoFile'): Promise<ByteSource> {
  const real = await realpath(path).catch((error: NodeJS.ErrnoException) => {
    throw inputError(
      field,
      error.code === 'ENOENT' ? `${path} does not exist` : `${path} cannot be read (${error.code ?? 'error'})`,
    );
  });
  const source = await fileByteSource(real, field);
  const head = await readHead(real);
  const mismatch = mediaMismatch(head, 'video');
  if (mismatch) throw inputError(field, `${path} ${mismatch}`);
  return { ...source, contentType: sniffMedia(head) as VideoContentType };
}

/** A ByteSource over the file at `path`; a missing or unreadable path is an input error naming it. */
export async function fileByteSource(path: string, field = 'videoFile'): Promise<ByteSource> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw inputError(
      field,
      code === 'ENOENT' ? `${path} does not exist` : `${path} cannot be read (${code ?? 'error'})`,
    );
  }
  if (!info.isFile()) throw inputError(field, `${path} is not a file`);
  const size = info.size;
  const checkRange = (offset: number, length: number): void => {
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > size
    ) {
      throw new RangeError(`read ${offset}+${length} is outside ${path} (${size} bytes)`);
    }
  };
  async function readInto(target: Uint8Array, offset: number): Promise<number> {
    checkRange(offset, target.byteLength);
    const handle = await open(path, 'r');
    try {
      return await fill(handle, target, offset);
    } finally {
      await handle.close();
    }
  }
  let identity: Promise<string> | undefined;
  return {
    size,
    contentType: videoContentTypeForFileName(path),
    readInto,
    async read(offset: number, length: number): Promise<Uint8Array> {
      checkRange(offset, length);
      // Every byte is overwritten by the read (a short read is cut off), so no zero-fill is needed.
      const buffer = Buffer.allocUnsafe(length);
      const filled = await readInto(buffer, offset);
      return filled === length ? buffer : buffer.subarray(0, filled); // the file shrank: a short read
    },
    identity(): Promise<string> {
      identity ??= hashFile(path);
      return identity;
    },
  };
}

/** Reads until `target` is full or the file ends; returns the bytes read. */
async function fill(handle: FileHandle, target: Uint8Array, position: number): Promise<number> {
  let filled = 0;
  while (filled < target.byteLength) {
    const { bytesRead } = await handle.read(target, filled, target.byteLength - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

/** sha256 of the file. Two reused buffers: the next block is read (in libuv's pool) while this one is
 * hashed, and no fresh memory is touched per block (page faults cost more than the read itself). */
async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(path, 'r');
  try {
    const buffers = [Buffer.allocUnsafe(HASH_READ_BYTES), Buffer.allocUnsafe(HASH_READ_BYTES)] as const;
    let position = 0;
    let which = 0;
    let pending = fill(handle, buffers[which]!, position);
    for (;;) {
      const n = await pending;
      if (n === 0) break;
      const current = buffers[which]!;
      position += n;
      which ^= 1;
      pending = n < HASH_READ_BYTES ? Promise.resolve(0) : fill(handle, buffers[which]!, position);
      hash.update(n === HASH_READ_BYTES ? current : current.subarray(0, n));
    }
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}
