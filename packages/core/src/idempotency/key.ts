// Idempotency keys: the same account posting the same asset with the same caption for the same
// publish time is the same post, however many times a workflow re-runs.
import { createHash } from 'node:crypto';
import type { ByteSource, MediaSource, PostRequest } from '../types';
import { inputError } from '../errors/classify';

export interface IdempotencyParts {
  openId: string;
  /** `sha256:<hex>` of the file, the source's own `scheme:value` identity, or the URL(s) (see assetIdentity). */
  asset: string;
  caption: string;
  /** Intended publish time (ISO-8601), '' when "now". */
  publishAt?: string;
}

export function idempotencyKey(parts: IdempotencyParts): string {
  // A JSON array keeps the fields apart: ("ab","c") and ("a","bc") never collide.
  const material = JSON.stringify(['tokpipe/v1', parts.openId, parts.asset, parts.caption, parts.publishAt ?? '']);
  return createHash('sha256').update(material, 'utf8').digest('hex');
}

const HASH_CHUNK = 8 * 1024 * 1024;

/** Streaming sha256 of a ByteSource, memory bounded by one chunk. */
export async function sha256OfByteSource(source: ByteSource, chunkSize = HASH_CHUNK): Promise<string> {
  const hash = createHash('sha256');
  const reused = source.readInto ? new Uint8Array(Math.min(chunkSize, source.size)) : undefined;
  for (let offset = 0; offset < source.size; offset += chunkSize) {
    const length = Math.min(chunkSize, source.size - offset);
    if (reused && source.readInto) {
      const target = reused.subarray(0, length);
      hash.update(target.subarray(0, await source.readInto(target, offset)));
    } else {
      hash.update(await source.read(offset, length));
    }
  }
  return hash.digest('hex');
}

/** File content hash, or the URL(s) exactly as given. */
export async function assetIdentity(media: MediaSource): Promise<string> {
  switch (media.type) {
    case 'video_url':
      return `url:${media.url}`;
    case 'photo_urls':
      return `photos:${JSON.stringify([media.urls, media.coverIndex ?? 0])}`;
    case 'video_file': {
      const given = media.file.identity ? await media.file.identity() : undefined;
      if (given === undefined && media.file.onePass) {
        // Hashing would consume the stream and leave nothing to upload.
        throw inputError(
          'media.file.identity',
          'a one-pass stream cannot be hashed for the idempotency key and then uploaded: give the source an identity (e.g. the sha256 the platform computed) or pass idempotencyKey',
        );
      }
      // An identity with its own scheme ("zapier-file:<url>") is kept as given; a bare hex digest is a sha256.
      if (given !== undefined && given.includes(':')) return given;
      return `sha256:${given ?? (await sha256OfByteSource(media.file))}`;
    }
  }
}

/** The key for a post request: the caller's own key when given, else the computed one. */
export async function postIdempotencyKey(request: PostRequest, openId: string | undefined): Promise<string> {
  if (request.idempotencyKey) return request.idempotencyKey;
  return idempotencyKey({
    openId: openId ?? '',
    asset: await assetIdentity(request.media),
    caption: JSON.stringify([request.title ?? '', request.description ?? '']),
    publishAt: request.publishAt,
  });
}
