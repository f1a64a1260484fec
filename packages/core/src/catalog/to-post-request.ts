// Flat values an adapter collected (keys = catalog field names) back into a PostRequest.
import { inputError } from '../errors/classify';
import { FIELDS_BY_KIND, postKind } from '../schemas/post';
import type { ByteSource, PostRequest } from '../types';
import { fieldsFor, type FieldType, type PostMode } from './fields';

/** Fields the adapter's media and mode choice already stand for. */
const MEDIA_AND_MODE = ['mode', 'videoUrl', 'videoFile', 'photoUrls', 'coverIndex', 'waitForCompletion'];

/** Flat adapter values (keys = catalog field names) → PostRequest. Values that are empty, or that hold
 * a UI default for a field the chosen kind of post does not take, are dropped; anything else goes to
 * validation as given, so a real mistake is still reported with its field name. */
export function toPostRequest(
  operation: 'post_video' | 'post_photos',
  values: Record<string, unknown>,
  videoFile?: ByteSource,
): PostRequest {
  const present = (v: unknown) => v !== undefined && v !== null && v !== '';
  const mode = (present(values.mode) ? values.mode : 'direct') as PostMode;
  let media: PostRequest['media'];
  if (operation === 'post_photos') {
    const urls = toList(values.photoUrls);
    media = present(values.coverIndex)
      ? { type: 'photo_urls', urls, coverIndex: asGiven(values.coverIndex, Number) as number }
      : { type: 'photo_urls', urls };
  } else if (videoFile) {
    if (present(values.videoUrl)) throw inputError('videoUrl', 'give a video URL or a video file, not both');
    media = { type: 'video_file', file: videoFile };
  } else if (present(values.videoUrl)) {
    media = { type: 'video_url', url: asGiven(values.videoUrl, (t) => t.trim()) as string };
  } else {
    throw inputError('videoUrl', 'is required (or give a video file)');
  }
  const req: Record<string, unknown> = { mode, media };
  const kind = postKind({ mode, media } as PostRequest);
  for (const field of fieldsFor(operation)) {
    if (MEDIA_AND_MODE.includes(field.name)) continue;
    if (!present(values[field.name])) continue;
    const value = coerce(field.type, values[field.name]);
    const applies = FIELDS_BY_KIND[field.name]?.includes(kind) ?? true;
    if (!applies && value === field.default) continue;
    req[field.name] = value;
  }
  return req as unknown as PostRequest;
}

/** Text converted; anything else as given, so validation names the field (never String()/Number() on an
 * object, whose toString may throw). */
const asGiven = (value: unknown, convert: (text: string) => unknown): unknown =>
  typeof value === 'string' ? convert(value) : value;

/** Platforms hand booleans over as true/false or as the words "true"/"false"/"yes"/"no". */
const TRUE_WORDS = new Set(['true', 'yes', '1', 'on']);
const FALSE_WORDS = new Set(['false', 'no', '0', 'off']);

/** A number or boolean given as text becomes one; a word that is neither true nor false stays as
 * given, so validation names the field. */
function coerce(type: FieldType, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (type === 'number') return Number(value);
  const word = value.trim().toLowerCase();
  if (type === 'boolean' && (TRUE_WORDS.has(word) || FALSE_WORDS.has(word))) return TRUE_WORDS.has(word);
  return value;
}

/** A flat value as its catalog type wants it (a server body is checked strictly: no words for booleans). */
export function typedFieldValue(type: FieldType, value: unknown): unknown {
  return type === 'url_list' ? toList(value) : coerce(type, value);
}

function toList(value: unknown): string[] {
  if (Array.isArray(value))
    return value
      .map((v) => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : v))
      .filter(Boolean) as string[];
  if (typeof value === 'string')
    return value
      .split(/[\n,]+/)
      .map((v) => v.trim())
      .filter(Boolean);
  return [];
}
