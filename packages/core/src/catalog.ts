// The field catalog adapters generate their UI from: n8n properties, Zapier inputFields and Make
// parameters all come from here, so no adapter hard-codes a field, a limit or an option list.
// `toPostRequest` turns the flat values an adapter collected back into a PostRequest.
import { inputError } from './errors/classify';
import { defaultPollSchedule, type PollSchedule } from './polling';
import { defaultPostLimits, FIELDS_BY_KIND, postKind, PRIVACY_LEVELS } from './schemas/post';
import type { ByteSource, PostRequest } from './types';

export type OperationId = 'post_video' | 'post_photos' | 'get_status' | 'get_creator_info' | 'cancel_post' | 'list_videos';
export type FieldType = 'string' | 'text' | 'url' | 'url_list' | 'boolean' | 'number' | 'options' | 'file' | 'datetime';
export type PostMode = 'direct' | 'draft';

export interface FieldOption {
  value: string;
  label: string;
  description?: string;
}

export interface CatalogField {
  /** Key of the value in the flat record adapters collect (and pass to toPostRequest). */
  name: string;
  label: string;
  type: FieldType;
  /** Required in every mode. `requiredInModes` narrows it (privacy: direct posts only). */
  required: boolean;
  requiredInModes?: readonly PostMode[];
  /** Modes in which the field means anything (absent: all). Adapters hide it otherwise. */
  modes?: readonly PostMode[];
  options?: readonly FieldOption[];
  default?: string | number | boolean;
  description: string;
  placeholder?: string;
  limits?: { maxLength?: number; maxItems?: number; min?: number; max?: number; lengthUnit?: 'utf16' };
  operations: readonly OperationId[];
  /** Marked when the field is sensitive or advanced (adapters put these under "Additional options"). */
  advanced?: boolean;
}

export interface CatalogOperation {
  id: OperationId;
  label: string;
  description: string;
  /** The OAuth scopes the operation needs (any one, depending on mode). */
  scopes: readonly string[];
}

const VIDEO_OPS: readonly OperationId[] = ['post_video'];
const PHOTO_OPS: readonly OperationId[] = ['post_photos'];
const POST_OPS: readonly OperationId[] = ['post_video', 'post_photos'];

export const operations: readonly CatalogOperation[] = Object.freeze([
  { id: 'post_video', label: 'Post a Video', description: 'Post a video to TikTok (direct to the profile, or as a draft to the creator\'s inbox) from a URL or a file.', scopes: ['video.publish', 'video.upload'] },
  { id: 'post_photos', label: 'Post Photos', description: 'Post a photo carousel (up to 35 photos from verified https URLs), direct or as a draft.', scopes: ['video.publish', 'video.upload'] },
  { id: 'get_status', label: 'Get Post Status', description: 'Check where a post is: processing, in the inbox, published (with post ids) or failed (with the reason).', scopes: ['video.publish', 'video.upload'] },
  { id: 'get_creator_info', label: 'Get Creator Info', description: 'The creator\'s nickname, allowed privacy levels, disabled interactions and longest allowed video; call before posting.', scopes: ['video.publish'] },
  { id: 'cancel_post', label: 'Cancel a Post', description: 'Cancel a post whose media TikTok is still downloading from a URL (best effort).', scopes: ['video.publish', 'video.upload'] },
  { id: 'list_videos', label: 'List Videos', description: 'The account\'s public videos, newest first, 20 per page.', scopes: ['video.list'] },
]);

const privacyOptions: FieldOption[] = [
  { value: 'PUBLIC_TO_EVERYONE', label: 'Everyone', description: 'Public accounts only' },
  { value: 'MUTUAL_FOLLOW_FRIENDS', label: 'Friends (mutual followers)' },
  { value: 'FOLLOWER_OF_CREATOR', label: 'Followers', description: 'Private accounts only' },
  { value: 'SELF_ONLY', label: 'Only me', description: 'Unaudited apps can only post this' },
];
if (privacyOptions.some((o, i) => o.value !== PRIVACY_LEVELS[i])) throw new Error('catalog privacy options out of sync with PRIVACY_LEVELS');

const directOnly = (field: string): readonly PostMode[] | undefined => {
  const kinds = FIELDS_BY_KIND[field] ?? [];
  const modes = (['direct', 'draft'] as const).filter((m) => kinds.some((k) => k.startsWith(m)));
  return modes.length === 2 ? undefined : modes;
};

export const fields: readonly CatalogField[] = Object.freeze([
  { name: 'mode', label: 'Post Mode', type: 'options', required: true, default: 'direct', operations: POST_OPS,
    options: [
      { value: 'direct', label: 'Direct post', description: 'Publish to the profile (scope video.publish)' },
      { value: 'draft', label: 'Draft to inbox', description: 'The creator finishes the post in the TikTok app (scope video.upload)' },
    ],
    description: 'Direct posts go straight to the profile; drafts land in the creator\'s TikTok inbox for them to finish.' },
  { name: 'videoUrl', label: 'Video URL', type: 'url', required: false, operations: VIDEO_OPS, placeholder: 'https://media.example.com/videos/clip.mp4',
    description: 'Public https URL on a domain or URL prefix verified for your TikTok app (no redirects). Give this or a video file.' },
  { name: 'videoFile', label: 'Video File', type: 'file', required: false, operations: VIDEO_OPS,
    description: 'MP4, MOV or WebM up to 4 GB, uploaded in chunks. Give this or a video URL.' },
  { name: 'photoUrls', label: 'Photo URLs', type: 'url_list', required: true, operations: PHOTO_OPS, limits: { maxItems: defaultPostLimits.maxPhotos },
    description: `1 to ${defaultPostLimits.maxPhotos} JPEG/WebP https URLs (at most 1080p, 20 MB each) on a verified domain.` },
  { name: 'coverIndex', label: 'Cover Photo', type: 'number', required: false, default: 0, operations: PHOTO_OPS, limits: { min: 0, max: defaultPostLimits.maxPhotos - 1 },
    description: 'Which photo is the cover, counting from 0.' },
  { name: 'title', label: 'Caption', type: 'text', required: false, operations: POST_OPS, modes: directOnly('title'),
    limits: { maxLength: defaultPostLimits.maxVideoTitleLength, lengthUnit: 'utf16' },
    description: `Video caption up to ${defaultPostLimits.maxVideoTitleLength} characters (photo title up to ${defaultPostLimits.maxPhotoTitleLength}); #hashtags and @mentions work. Draft videos take no caption: the creator writes it in the app.` },
  { name: 'description', label: 'Description', type: 'text', required: false, operations: PHOTO_OPS, limits: { maxLength: defaultPostLimits.maxDescriptionLength, lengthUnit: 'utf16' },
    description: `Photo post description, up to ${defaultPostLimits.maxDescriptionLength} characters.` },
  { name: 'privacyLevel', label: 'Who Can View', type: 'options', required: false, requiredInModes: ['direct'], modes: directOnly('privacyLevel'), operations: POST_OPS, options: privacyOptions,
    description: 'Required for direct posts and deliberately without a default (TikTok\'s rules): pick one of the creator\'s allowed levels (Get Creator Info).' },
  { name: 'disableComment', label: 'Disable Comments', type: 'boolean', required: false, default: false, modes: directOnly('disableComment'), operations: POST_OPS,
    description: 'Turn comments off for this post. Forced on if the creator disabled comments.' },
  { name: 'disableDuet', label: 'Disable Duet', type: 'boolean', required: false, default: false, modes: directOnly('disableDuet'), operations: VIDEO_OPS,
    description: 'Turn Duet off. Forced on for private accounts.' },
  { name: 'disableStitch', label: 'Disable Stitch', type: 'boolean', required: false, default: false, modes: directOnly('disableStitch'), operations: VIDEO_OPS,
    description: 'Turn Stitch off. Forced on for private accounts.' },
  { name: 'videoCoverTimestampMs', label: 'Cover Frame (ms)', type: 'number', required: false, modes: directOnly('videoCoverTimestampMs'), operations: VIDEO_OPS, limits: { min: 0 }, advanced: true,
    description: 'Millisecond of the video to use as the cover; the first frame if empty.' },
  { name: 'brandContentToggle', label: 'Paid Partnership', type: 'boolean', required: false, default: false, modes: directOnly('brandContentToggle'), operations: POST_OPS,
    description: 'The post promotes a third-party brand (shown as "Paid partnership").' },
  { name: 'brandOrganicToggle', label: 'Promotes Own Business', type: 'boolean', required: false, default: false, modes: directOnly('brandOrganicToggle'), operations: POST_OPS,
    description: 'The post promotes the creator\'s own business.' },
  { name: 'isAigc', label: 'AI-Generated', type: 'boolean', required: false, default: false, modes: directOnly('isAigc'), operations: VIDEO_OPS,
    description: 'Label the video "Creator labeled as AI-generated".' },
  { name: 'autoAddMusic', label: 'Add Recommended Music', type: 'boolean', required: false, default: false, modes: directOnly('autoAddMusic'), operations: PHOTO_OPS,
    description: 'Let TikTok add recommended music to the photo post (the creator can change it later).' },
  { name: 'publishAt', label: 'Intended Publish Time', type: 'datetime', required: false, operations: POST_OPS, advanced: true,
    description: 'ISO-8601 time this post is meant for. Part of the duplicate-protection key: the same media, caption and time is never posted twice.' },
  { name: 'idempotencyKey', label: 'Idempotency Key', type: 'string', required: false, operations: POST_OPS, advanced: true,
    description: 'Your own key for duplicate protection; by default tokpipe derives one from account, media, caption and publish time.' },
  { name: 'waitForCompletion', label: 'Wait for TikTok', type: 'boolean', required: false, default: true, operations: POST_OPS,
    description: 'Poll until TikTok publishes (or delivers the draft), for up to 5 minutes; otherwise return as soon as TikTok accepts the post.' },
  { name: 'publishId', label: 'Publish ID', type: 'string', required: true, operations: ['get_status', 'cancel_post'], placeholder: 'v_pub_url~v2.123456789',
    description: 'The publish_id returned when the post was created.' },
  { name: 'cursor', label: 'Cursor', type: 'string', required: false, operations: ['list_videos'], advanced: true,
    description: 'From the previous page, to fetch the next one.' },
  { name: 'maxCount', label: 'Page Size', type: 'number', required: false, default: 20, operations: ['list_videos'], limits: { min: 1, max: 20 },
    description: 'Videos per page, 1 to 20.' },
] satisfies CatalogField[]);

/** The status polling schedule adapters show and use (10, 30, 60, 120 s, then every 120 s; 5 min budget). */
export const pollSchedule: Readonly<PollSchedule> = defaultPollSchedule;

export const catalog = Object.freeze({ operations, fields, pollSchedule, privacyLevels: PRIVACY_LEVELS, limits: defaultPostLimits });

/** The fields an operation shows, in catalog order. */
export function fieldsFor(operation: OperationId): CatalogField[] {
  return fields.filter((f) => f.operations.includes(operation));
}

/** Flat adapter values (keys = catalog field names) → PostRequest. Values that are empty, or that hold
 * a UI default for a field the chosen kind of post does not take, are dropped; anything else goes to
 * validation as given, so a real mistake is still reported with its field name. */
export function toPostRequest(operation: 'post_video' | 'post_photos', values: Record<string, unknown>, videoFile?: ByteSource): PostRequest {
  const mode = (values.mode ?? 'direct') as PostMode;
  const present = (v: unknown) => v !== undefined && v !== null && v !== '';
  let media: PostRequest['media'];
  if (operation === 'post_photos') {
    const urls = toList(values.photoUrls);
    media = present(values.coverIndex) ? { type: 'photo_urls', urls, coverIndex: Number(values.coverIndex) } : { type: 'photo_urls', urls };
  } else if (videoFile) {
    if (present(values.videoUrl)) throw inputError('videoUrl', 'give a video URL or a video file, not both');
    media = { type: 'video_file', file: videoFile };
  } else if (present(values.videoUrl)) {
    media = { type: 'video_url', url: String(values.videoUrl).trim() };
  } else {
    throw inputError('videoUrl', 'is required (or give a video file)');
  }
  const req: Record<string, unknown> = { mode, media };
  const kind = postKind({ mode, media } as PostRequest);
  for (const field of fieldsFor(operation)) {
    if (['mode', 'videoUrl', 'videoFile', 'photoUrls', 'coverIndex', 'waitForCompletion'].includes(field.name)) continue;
    const value = values[field.name];
    if (!present(value)) continue;
    const applies = FIELDS_BY_KIND[field.name]?.includes(kind) ?? true;
    if (!applies && value === field.default) continue;
    req[field.name] = field.type === 'number' && typeof value === 'string' ? Number(value) : value;
  }
  return req as unknown as PostRequest;
}

function toList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter(Boolean);
  if (typeof value === 'string') return value.split(/[\n,]+/).map((v) => v.trim()).filter(Boolean);
  return [];
}
