// A Zapier file field arrives as a URL. Core uploads from a ByteSource, so the file is downloaded
// (through z.request) and served from memory in chunks.
import { inputError, type ByteSource } from '@tokpipe/core';
import type { ZObject } from 'zapier-platform-core';

/** Zapier's own ceiling for files handed to a step is about 120 MB; bigger videos need a URL. */
export const MAX_FILE_BYTES = 120 * 1024 * 1024;

const CONTENT_TYPES: Readonly<Record<string, NonNullable<ByteSource['contentType']>>> = {
  'video/mp4': 'video/mp4',
  'video/quicktime': 'video/quicktime',
  'video/webm': 'video/webm',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
};

function contentTypeOf(header: string | undefined, url: string): ByteSource['contentType'] {
  const fromHeader = header ? CONTENT_TYPES[header.split(';')[0]!.trim().toLowerCase()] : undefined;
  const extension = /\.([a-z0-9]+)(?:$|[?#])/i.exec(url)?.[1]?.toLowerCase();
  return fromHeader ?? (extension ? CONTENT_TYPES[extension] : undefined);
}

export async function downloadVideo(z: ZObject, url: string): Promise<ByteSource> {
  if (!/^https?:\/\//i.test(url)) throw inputError('videoFile', 'must be a file from an earlier step (Zapier passes it as a URL)');
  const response = await z.request({ url, method: 'GET', raw: true, skipThrowForStatus: true, merge: false } as Parameters<ZObject['request']>[0]);
  if (response.status >= 400) throw inputError('videoFile', `could not be downloaded (HTTP ${response.status})`);
  const declared = Number(response.getHeader('content-length'));
  if (declared > MAX_FILE_BYTES) throw inputError('videoFile', `is ${declared} bytes; files up to ${MAX_FILE_BYTES} bytes can go through Zapier, use a video URL for bigger ones`);
  const bytes: Buffer = await (response as unknown as { buffer(): Promise<Buffer> }).buffer();
  if (bytes.length === 0) throw inputError('videoFile', 'is empty');
  if (bytes.length > MAX_FILE_BYTES) throw inputError('videoFile', `is ${bytes.length} bytes; files up to ${MAX_FILE_BYTES} bytes can go through Zapier, use a video URL for bigger ones`);
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
    contentType: contentTypeOf(response.getHeader('content-type'), url),
  };
}
