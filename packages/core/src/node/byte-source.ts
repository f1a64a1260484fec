// ByteSource over a file: each read opens the file, reads exactly one range and closes it, so memory
// is bounded by the range asked for. Identity is the hex sha256 of the content, streamed (idempotency
// adds the "sha256:" prefix, so a file with and without identity() gives the same key).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { inputError } from '../errors/classify';
import type { ByteSource } from '../types';

// Large reads: hashing a 1 GiB file in the default 64 KiB pieces spends most of its time in I/O calls.
const HASH_READ_BYTES = 8 * 1024 * 1024;

const CONTENT_TYPE_BY_EXTENSION: Readonly<Record<string, NonNullable<ByteSource['contentType']>>> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.qt': 'video/quicktime',
  '.webm': 'video/webm',
};

/** A ByteSource over the file at `path`; a missing or unreadable path is an input error naming it. */
export async function fileByteSource(path: string): Promise<ByteSource> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw inputError('videoFile', code === 'ENOENT' ? `${path} does not exist` : `${path} cannot be read (${code ?? 'error'})`);
  }
  if (!info.isFile()) throw inputError('videoFile', `${path} is not a file`);
  const size = info.size;
  let identity: Promise<string> | undefined;
  return {
    size,
    contentType: CONTENT_TYPE_BY_EXTENSION[extname(path).toLowerCase()],
    async read(offset: number, length: number): Promise<Uint8Array> {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
        throw new RangeError(`read ${offset}+${length} is outside ${path} (${size} bytes)`);
      }
      const handle = await open(path, 'r');
      try {
        const buffer = Buffer.alloc(length);
        let filled = 0;
        while (filled < length) {
          const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
          if (bytesRead === 0) break; // the file shrank: the caller sees a short read
          filled += bytesRead;
        }
        return filled === length ? buffer : buffer.subarray(0, filled);
      } finally {
        await handle.close();
      }
    },
    identity(): Promise<string> {
      identity ??= new Promise<string>((resolve, reject) => {
        const hash = createHash('sha256');
        createReadStream(path, { highWaterMark: HASH_READ_BYTES })
          .on('data', (chunk) => hash.update(chunk))
          .on('error', reject)
          .on('end', () => resolve(hash.digest('hex')));
      });
      return identity;
    },
  };
}
