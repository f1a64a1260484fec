// A Zapier file field arrives as a URL. Core uploads from a ByteSource: when the download declares
// its length, its body is streamed straight into the chunk uploader (memory: two chunks, and the
// download overlaps the upload inside Zapier's 30 s); without a length it is read into memory first.
import {
  bufferByteSource,
  inputError,
  streamByteSource,
  videoContentTypeForFileName,
  videoContentTypeOf,
  type ByteSource,
} from '@tokpipe/core';
import type { ZObject } from 'zapier-platform-core';
import { untilIdle } from '@tokpipe/core/node';
import { runtime } from './runtime';

/** Zapier's own ceiling for files handed to a step is about 120 MB; bigger videos need a URL. */
export const MAX_FILE_BYTES = 120 * 1024 * 1024;

const tooLarge = (size: string) =>
  inputError(
    'videoFile',
    `is ${size} bytes; files up to ${MAX_FILE_BYTES} bytes can go through Zapier, use a video URL for bigger ones`,
  );

/** The download's declared type if TikTok takes it, else the one its file name says (core's tables). */
function contentTypeOf(header: string | undefined, url: string): ByteSource['contentType'] {
  return videoContentTypeOf(header) ?? videoContentTypeForFileName(url.split(/[?#]/)[0]!);
}

export async function downloadVideo(z: ZObject, url: string): Promise<ByteSource> {
  if (!/^https?:\/\//i.test(url))
    throw inputError('videoFile', 'must be a file from an earlier step (Zapier passes it as a URL)');
  const response = await z.request({
    url,
    method: 'GET',
    raw: true,
    skipThrowForStatus: true,
    merge: false,
  } as Parameters<ZObject['request']>[0]);
  if (response.status >= 400) throw inputError('videoFile', `could not be downloaded (HTTP ${response.status})`);
  const declared = Number(response.getHeader('content-length'));
  if (declared > MAX_FILE_BYTES) throw tooLarge(String(declared));
  const contentType = contentTypeOf(response.getHeader('content-type'), url);
  const body = (response as unknown as { body?: AsyncIterable<Uint8Array> & { destroy?(): void } }).body;
  if (!body || !(Symbol.asyncIterator in body))
    throw inputError('videoFile', 'could not be downloaded (the reply has no body)');
  const idleMs = runtime().downloadIdleMs;
  const stalled = `stopped arriving: no data for ${Math.round(idleMs / 1000)} s (the file server dropped the download?)`;
  const bytes = untilIdle(body, idleMs, () => inputError('videoFile', stalled));
  if (Number.isSafeInteger(declared) && declared > 0) {
    // A stream cannot be hashed and then uploaded: the file's URL is its identity for the
    // idempotency key (a replayed step carries the same URL, so it is not posted twice).
    return streamByteSource({ size: declared, stream: bytes, contentType, identity: async () => `zapier-file:${url}` });
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of bytes) {
    size += part.byteLength;
    if (size > MAX_FILE_BYTES) {
      body.destroy?.();
      throw tooLarge(`over ${MAX_FILE_BYTES}`);
    }
    parts.push(part);
  }
  if (size === 0) throw inputError('videoFile', 'is empty');
  return bufferByteSource(Buffer.concat(parts, size), contentType);
}
