// Body checks for the Content Posting endpoints. Each returns the message of the first problem,
// naming the field, or null. The sandbox answers those with 400 invalid_param.
import { chunkBounds, type SandboxConfig } from './config';

export const PRIVACY_LEVELS = ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY'];
export const MAX_VIDEO_BYTES = 4 * 1024 * 1024 * 1024;
export const MAX_PHOTOS = 35;

type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

const VIDEO_POST_BOOLEANS = [
  'disable_duet',
  'disable_stitch',
  'disable_comment',
  'brand_content_toggle',
  'brand_organic_toggle',
  'is_aigc',
];
const PHOTO_POST_BOOLEANS = ['disable_comment', 'auto_add_music', 'brand_content_toggle', 'brand_organic_toggle'];

function checkBooleans(info: Obj, names: string[]): string | null {
  for (const n of names) if (n in info && typeof info[n] !== 'boolean') return `post_info.${n} must be a boolean`;
  return null;
}

function checkText(info: Obj, field: string, max: number): string | null {
  if (!(field in info) || info[field] === null) return null;
  if (typeof info[field] !== 'string') return `post_info.${field} must be a string`;
  // TikTok counts UTF-16 code units ("runes"), which is what String.length measures.
  if ((info[field] as string).length > max) return `post_info.${field} is longer than ${max} UTF-16 runes`;
  return null;
}

/** privacy_level: present and a known enum value (membership in the creator's options is checked later, 403). */
export function checkPrivacyEnum(info: Obj): string | null {
  if (!('privacy_level' in info) || info.privacy_level === undefined) return null;
  if (typeof info.privacy_level !== 'string' || !PRIVACY_LEVELS.includes(info.privacy_level))
    return `post_info.privacy_level must be one of ${PRIVACY_LEVELS.join(', ')}`;
  return null;
}

export function checkVideoPostInfo(info: unknown, cfg: SandboxConfig): string | null {
  if (!isObj(info)) return 'post_info is required and must be an object';
  return (
    checkPrivacyEnum(info) ??
    checkText(info, 'title', cfg.videoTitleMax) ??
    checkBooleans(info, VIDEO_POST_BOOLEANS) ??
    ('video_cover_timestamp_ms' in info && !(isInt(info.video_cover_timestamp_ms) && info.video_cover_timestamp_ms >= 0)
      ? 'post_info.video_cover_timestamp_ms must be a non-negative integer'
      : null)
  );
}

export function checkPhotoPostInfo(info: unknown): string | null {
  if (!isObj(info)) return 'post_info is required and must be an object';
  return (
    checkPrivacyEnum(info) ??
    checkText(info, 'title', 90) ??
    checkText(info, 'description', 4000) ??
    checkBooleans(info, PHOTO_POST_BOOLEANS)
  );
}

function checkUrl(v: unknown, field: string): string | null {
  if (typeof v !== 'string' || v.length === 0) return `${field} is required for PULL_FROM_URL and must be a string`;
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return `${field} must be an http(s) URL`;
  } catch {
    return `${field} is not a valid URL`;
  }
  return null;
}

/** Video source_info for direct and inbox init: FILE_UPLOAD chunk rules or PULL_FROM_URL. */
export function checkVideoSource(src: unknown, cfg: SandboxConfig): string | null {
  if (!isObj(src)) return 'source_info is required and must be an object';
  if (src.source === 'PULL_FROM_URL') return checkUrl(src.video_url, 'source_info.video_url');
  if (src.source !== 'FILE_UPLOAD') return 'source_info.source must be FILE_UPLOAD or PULL_FROM_URL';
  const { video_size: size, chunk_size: chunk, total_chunk_count: count } = src;
  if (!isInt(size) || size <= 0)
    return 'source_info.video_size is required for FILE_UPLOAD and must be a positive integer';
  if (!isInt(chunk) || chunk <= 0)
    return 'source_info.chunk_size is required for FILE_UPLOAD and must be a positive integer';
  if (!isInt(count) || count <= 0)
    return 'source_info.total_chunk_count is required for FILE_UPLOAD and must be a positive integer';
  if (size > MAX_VIDEO_BYTES) return 'source_info.video_size exceeds the 4 GB maximum';
  const b = chunkBounds(cfg.mbUnit);
  if (size < b.min) {
    if (chunk !== size || count !== 1)
      return `source_info.chunk_size: a video under ${b.min} bytes must be uploaded whole (chunk_size = video_size, total_chunk_count = 1)`;
    return null;
  }
  if (chunk < b.min || chunk > b.max) return `source_info.chunk_size must be between ${b.min} and ${b.max} bytes`;
  if (chunk > size) return 'source_info.chunk_size must not exceed video_size';
  const expected = Math.floor(size / chunk);
  if (count !== expected) return `source_info.total_chunk_count must be floor(video_size / chunk_size) = ${expected}`;
  if (count > 1000) return 'source_info.total_chunk_count must be at most 1000';
  const last = size - (count - 1) * chunk;
  if (last > b.lastMax) return `source_info: the final chunk (${last} bytes) would exceed ${b.lastMax} bytes`;
  return null;
}

export function checkPhotoSource(src: unknown): string | null {
  if (!isObj(src)) return 'source_info is required and must be an object';
  if (src.source !== 'PULL_FROM_URL') return 'source_info.source must be PULL_FROM_URL (photos have no file upload)';
  const images = src.photo_images;
  if (!Array.isArray(images) || images.length === 0)
    return 'source_info.photo_images must be a non-empty array of URLs';
  if (images.length > MAX_PHOTOS) return `source_info.photo_images holds at most ${MAX_PHOTOS} URLs`;
  for (let i = 0; i < images.length; i++) {
    const problem = checkUrl(images[i], `source_info.photo_images[${i}]`);
    if (problem) return problem;
  }
  if (!isInt(src.photo_cover_index) || src.photo_cover_index < 0 || src.photo_cover_index >= images.length)
    return `source_info.photo_cover_index is required and must be an integer from 0 to ${images.length - 1}`;
  return null;
}

/** Compares dotted versions ("31.8" < "31.10"). */
export function versionBelow(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}
