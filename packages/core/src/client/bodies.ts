// PostRequest → the exact init call TikTok expects. One place decides endpoint, post_mode and which
// post_info fields are sent, so the poster and every adapter send the same thing.
import { inputError } from '../errors/classify';
import type { Endpoint } from '../errors/table';
import { validatePostRequest, type PostKind, type PostLimits } from '../schemas/post';
import type { PostRequest, PrivacyLevel } from '../types';
import { planChunks, sourceInfoFor, type ChunkPlan, type ChunkPlanOptions } from '../upload/plan';
import type {
  CreatorInfo,
  DirectVideoInitBody,
  InboxVideoInitBody,
  PhotoInitBody,
  PhotoPostInfo,
  VideoPostInfo,
} from './types';

export type InitCall =
  | { endpoint: 'video_init'; body: DirectVideoInitBody; plan?: ChunkPlan }
  | { endpoint: 'inbox_video_init'; body: InboxVideoInitBody; plan?: ChunkPlan }
  | { endpoint: 'content_init'; body: PhotoInitBody };

/** PostRequest field → TikTok post_info field (sent only when set). */
const VIDEO_POST_INFO_FIELDS: ReadonlyArray<[keyof PostRequest, keyof VideoPostInfo]> = [
  ['title', 'title'],
  ['privacyLevel', 'privacy_level'],
  ['disableDuet', 'disable_duet'],
  ['disableStitch', 'disable_stitch'],
  ['disableComment', 'disable_comment'],
  ['videoCoverTimestampMs', 'video_cover_timestamp_ms'],
  ['brandContentToggle', 'brand_content_toggle'],
  ['brandOrganicToggle', 'brand_organic_toggle'],
  ['isAigc', 'is_aigc'],
];

const PHOTO_POST_INFO_FIELDS: ReadonlyArray<[keyof PostRequest, keyof PhotoPostInfo]> = [
  ['title', 'title'],
  ['description', 'description'],
  ['privacyLevel', 'privacy_level'],
  ['disableComment', 'disable_comment'],
  ['autoAddMusic', 'auto_add_music'],
  ['brandContentToggle', 'brand_content_toggle'],
  ['brandOrganicToggle', 'brand_organic_toggle'],
];

function pick<T>(req: PostRequest, fields: ReadonlyArray<[keyof PostRequest, keyof T]>): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [from, to] of fields) if (req[from] !== undefined) out[to as string] = req[from];
  return out as Partial<T>;
}

/** TikTok's post_info for a video or photo post as a template: each of `fields` (PostRequest names) that
 * this kind of post sends, valued by `valueOf` (for adapters that send the init themselves, e.g. Make's
 * IML). The same tables as buildInitCall, so a template never names a field TikTok would not take. */
export type FieldValue = (field: string) => unknown;

export function postInfoTemplate(
  media: 'video' | 'photo',
  fields: readonly string[],
  valueOf: FieldValue,
): Record<string, unknown> {
  const table: ReadonlyArray<readonly [string, string]> =
    media === 'video' ? VIDEO_POST_INFO_FIELDS : PHOTO_POST_INFO_FIELDS;
  return Object.fromEntries(table.filter(([from]) => fields.includes(from)).map(([from, to]) => [to, valueOf(from)]));
}

/** A URL post's whole init body as a template (see postInfoTemplate). `valueOf` also gives the media's
 * URLs ('videoUrl', 'photoUrls', 'coverIndex') and, for photos, TikTok's post_mode ('postMode'). */
export function urlInitBodyTemplate(
  kind: PostKind,
  fields: readonly string[],
  valueOf: FieldValue,
): Record<string, unknown> {
  if (kind === 'direct_photo' || kind === 'draft_photo') {
    const source_info = {
      source: 'PULL_FROM_URL',
      photo_images: valueOf('photoUrls'),
      photo_cover_index: valueOf('coverIndex'),
    };
    return {
      media_type: 'PHOTO',
      post_mode: valueOf('postMode'),
      post_info: postInfoTemplate('photo', fields, valueOf),
      source_info,
    };
  }
  const source_info = { source: 'PULL_FROM_URL', video_url: valueOf('videoUrl') };
  // A video draft takes no post_info: the creator writes it in the app.
  return kind === 'draft_video'
    ? { source_info }
    : { post_info: postInfoTemplate('video', fields, valueOf), source_info };
}

/** The init endpoint and body for a request (validated first: throws TokpipeError on bad input). */
export function buildInitCall(
  req: PostRequest,
  options: { limits?: Partial<PostLimits>; chunks?: ChunkPlanOptions } = {},
): InitCall {
  validatePostRequest(req, options.limits);
  const media = req.media;
  if (media.type === 'photo_urls') {
    const body: PhotoInitBody = {
      media_type: 'PHOTO',
      post_mode: req.mode === 'direct' ? 'DIRECT_POST' : 'MEDIA_UPLOAD',
      post_info: pick<PhotoPostInfo>(req, PHOTO_POST_INFO_FIELDS),
      source_info: { source: 'PULL_FROM_URL', photo_images: [...media.urls], photo_cover_index: media.coverIndex ?? 0 },
    };
    return { endpoint: 'content_init', body };
  }
  const plan = media.type === 'video_file' ? planChunks(media.file.size, options.chunks) : undefined;
  const source_info = plan
    ? sourceInfoFor(plan)
    : { source: 'PULL_FROM_URL' as const, video_url: (media as { url: string }).url };
  if (req.mode === 'draft') return { endpoint: 'inbox_video_init', body: { source_info }, ...(plan ? { plan } : {}) };
  const post_info = pick<VideoPostInfo>(req, VIDEO_POST_INFO_FIELDS) as VideoPostInfo;
  return { endpoint: 'video_init', body: { post_info, source_info }, ...(plan ? { plan } : {}) };
}

/** The scope an init call needs (direct posts: video.publish, drafts: video.upload). */
export function requiredScope(req: Pick<PostRequest, 'mode'>): 'video.publish' | 'video.upload' {
  return req.mode === 'direct' ? 'video.publish' : 'video.upload';
}

/** Endpoints a request will call, for limiter and scope checks. */
export function initEndpointFor(req: Pick<PostRequest, 'mode' | 'media'>): Endpoint {
  if (req.media.type === 'photo_urls') return 'content_init';
  return req.mode === 'direct' ? 'video_init' : 'inbox_video_init';
}

/** Pre-flight against the creator's current settings (creator_info): the privacy level must be one
 * the creator offers. Throws TokpipeError layer 'input' naming the field. */
export function checkAgainstCreatorInfo(req: PostRequest, info: Pick<CreatorInfo, 'privacyLevelOptions'>): void {
  if (req.mode !== 'direct' || req.privacyLevel === undefined) return;
  const options: readonly PrivacyLevel[] = info.privacyLevelOptions;
  if (options.length > 0 && !options.includes(req.privacyLevel)) {
    throw inputError(
      'privacyLevel',
      `${req.privacyLevel} is not offered to this creator right now; choose one of ${options.join(', ')}`,
      'creator_cannot_post',
    );
  }
}
