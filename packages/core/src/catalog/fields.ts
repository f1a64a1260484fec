// The fields adapters generate their UI from: n8n properties, Zapier inputFields and Make parameters
// all come from here, so no adapter hard-codes a field, a limit or an option list.
import { defaultPostLimits, FIELDS_BY_KIND } from '../schemas/post';
import { defaultPollSchedule } from '../polling';
import { PRIVACY_OPTIONS } from './privacy';

export type OperationId =
  | 'post_video'
  | 'post_photos'
  | 'get_status'
  | 'get_creator_info'
  | 'cancel_post'
  | 'list_videos';
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
  /** A short plain-words gloss shown under the field, where the label is TikTok's own term. */
  hint?: string;
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
  {
    id: 'post_video',
    label: 'Post a Video',
    description:
      "Post a video to TikTok (direct to the profile, or as a draft to the creator's inbox) from a URL or a file.",
    scopes: ['video.publish', 'video.upload'],
  },
  {
    id: 'post_photos',
    label: 'Post Photos',
    description: 'Post a photo carousel (up to 35 photos from verified https URLs), direct or as a draft.',
    scopes: ['video.publish', 'video.upload'],
  },
  {
    id: 'get_status',
    label: 'Get Post Status',
    description:
      'Check where a post is: processing, in the inbox, published (with post ids) or failed (with the reason).',
    scopes: ['video.publish', 'video.upload'],
  },
  {
    id: 'get_creator_info',
    label: 'Get Creator Info',
    description:
      "The creator's nickname, allowed privacy levels, disabled interactions and longest allowed video; call before posting.",
    scopes: ['video.publish'],
  },
  {
    id: 'cancel_post',
    label: 'Cancel a Post',
    description: 'Cancel a post whose media TikTok is still downloading from a URL (best effort).',
    scopes: ['video.publish', 'video.upload'],
  },
  {
    id: 'list_videos',
    label: 'List Videos',
    description: "The account's public videos, newest first, 20 per page.",
    scopes: ['video.list'],
  },
]);

/** The modes in which TikTok takes `field` (undefined: both), from the schema's fields-by-kind table. */
const modesTaking = (field: string): readonly PostMode[] | undefined => {
  const kinds = FIELDS_BY_KIND[field] ?? [];
  const modes = (['direct', 'draft'] as const).filter((m) => kinds.some((k) => k.startsWith(m)));
  return modes.length === 2 ? undefined : modes;
};

export const fields: readonly CatalogField[] = Object.freeze([
  {
    name: 'mode',
    label: 'Post Mode',
    type: 'options',
    required: true,
    default: 'direct',
    operations: POST_OPS,
    options: [
      { value: 'direct', label: 'Direct post', description: 'Publish to the profile (scope video.publish)' },
      {
        value: 'draft',
        label: 'Draft to inbox',
        description: 'The creator finishes the post in the TikTok app (scope video.upload)',
      },
    ],
    description:
      "Direct posts go straight to the profile; drafts land in the creator's TikTok inbox for them to finish.",
  },
  {
    name: 'videoUrl',
    label: 'Video URL',
    type: 'url',
    required: false,
    operations: VIDEO_OPS,
    placeholder: 'https://media.example.com/videos/clip.mp4',
    description:
      'Public https URL on a domain or URL prefix verified for your TikTok app (no redirects). Give this or a video file.',
  },
  {
    name: 'videoFile',
    label: 'Video File',
    type: 'file',
    required: false,
    operations: VIDEO_OPS,
    description: 'MP4, MOV or WebM up to 4 GB, uploaded in chunks. Give this or a video URL.',
  },
  {
    name: 'photoUrls',
    label: 'Photo URLs',
    type: 'url_list',
    required: true,
    operations: PHOTO_OPS,
    limits: { maxItems: defaultPostLimits.maxPhotos },
    description: `1 to ${defaultPostLimits.maxPhotos} JPEG/WebP https URLs (at most 1080p, 20 MB each) on a verified domain.`,
  },
  {
    name: 'coverIndex',
    label: 'Cover Photo',
    type: 'number',
    required: false,
    default: 0,
    operations: PHOTO_OPS,
    limits: { min: 0, max: defaultPostLimits.maxPhotos - 1 },
    description: 'Which photo is the cover, counting from 0.',
  },
  {
    name: 'title',
    label: 'Title',
    hint: 'The caption shown with the post (TikTok calls it title)',
    type: 'text',
    required: false,
    operations: POST_OPS,
    modes: modesTaking('title'),
    limits: { maxLength: defaultPostLimits.maxVideoTitleLength, lengthUnit: 'utf16' },
    description: `Video caption up to ${defaultPostLimits.maxVideoTitleLength} characters (photo title up to ${defaultPostLimits.maxPhotoTitleLength}); #hashtags and @mentions work. Draft videos take no caption: the creator writes it in the app.`,
  },
  {
    name: 'description',
    label: 'Description',
    type: 'text',
    required: false,
    operations: PHOTO_OPS,
    limits: { maxLength: defaultPostLimits.maxDescriptionLength, lengthUnit: 'utf16' },
    description: `Photo post description, up to ${defaultPostLimits.maxDescriptionLength} characters.`,
  },
  {
    name: 'privacyLevel',
    label: 'Privacy Level',
    hint: 'Who can view the post',
    type: 'options',
    required: false,
    requiredInModes: ['direct'],
    modes: modesTaking('privacyLevel'),
    operations: POST_OPS,
    options: PRIVACY_OPTIONS,
    description:
      "Required for direct posts and deliberately without a default (TikTok's rules): pick one of the creator's allowed levels (Get Creator Info).",
  },
  {
    name: 'disableComment',
    label: 'Disable Comments',
    type: 'boolean',
    required: false,
    default: false,
    modes: modesTaking('disableComment'),
    operations: POST_OPS,
    description: 'Turn comments off for this post. Forced on if the creator disabled comments.',
  },
  {
    name: 'disableDuet',
    label: 'Disable Duet',
    type: 'boolean',
    required: false,
    default: false,
    modes: modesTaking('disableDuet'),
    operations: VIDEO_OPS,
    description: 'Turn Duet off. Forced on for private accounts.',
  },
  {
    name: 'disableStitch',
    label: 'Disable Stitch',
    type: 'boolean',
    required: false,
    default: false,
    modes: modesTaking('disableStitch'),
    operations: VIDEO_OPS,
    description: 'Turn Stitch off. Forced on for private accounts.',
  },
  {
    name: 'videoCoverTimestampMs',
    label: 'Cover Frame (ms)',
    type: 'number',
    required: false,
    modes: modesTaking('videoCoverTimestampMs'),
    operations: VIDEO_OPS,
    limits: { min: 0 },
    advanced: true,
    description: 'Millisecond of the video to use as the cover; the first frame if empty.',
  },
  {
    name: 'brandContentToggle',
    label: 'Paid Partnership',
    type: 'boolean',
    required: false,
    default: false,
    modes: modesTaking('brandContentToggle'),
    operations: POST_OPS,
    description: 'The post promotes a third-party brand (shown as "Paid partnership").',
  },
  {
    name: 'brandOrganicToggle',
    label: 'Promotes Own Business',
    type: 'boolean',
    required: false,
    default: false,
    modes: modesTaking('brandOrganicToggle'),
    operations: POST_OPS,
    description: "The post promotes the creator's own business.",
  },
  {
    name: 'isAigc',
    label: 'AI-Generated',
    type: 'boolean',
    required: false,
    default: false,
    modes: modesTaking('isAigc'),
    operations: VIDEO_OPS,
    description: 'Label the video "Creator labeled as AI-generated".',
  },
  {
    name: 'autoAddMusic',
    label: 'Add Recommended Music',
    type: 'boolean',
    required: false,
    default: false,
    modes: modesTaking('autoAddMusic'),
    operations: PHOTO_OPS,
    description: 'Let TikTok add recommended music to the photo post (the creator can change it later).',
  },
  {
    name: 'publishAt',
    label: 'Intended Publish Time',
    type: 'datetime',
    required: false,
    operations: POST_OPS,
    advanced: true,
    description:
      'ISO-8601 time this post is meant for. Part of the duplicate-protection key: the same media, caption and time is never posted twice.',
  },
  {
    name: 'idempotencyKey',
    label: 'Idempotency Key',
    type: 'string',
    required: false,
    operations: POST_OPS,
    advanced: true,
    description:
      'Your own key for duplicate protection; by default tokpipe derives one from account, media, caption and publish time.',
  },
  {
    name: 'waitForCompletion',
    label: 'Wait for TikTok',
    type: 'boolean',
    required: false,
    default: true,
    operations: POST_OPS,
    description: `Poll until TikTok publishes (or delivers the draft), for up to ${defaultPollSchedule.budgetMs / 60_000} minutes; otherwise return as soon as TikTok accepts the post.`,
  },
  {
    name: 'publishId',
    label: 'Publish ID',
    type: 'string',
    required: true,
    operations: ['get_status', 'cancel_post'],
    placeholder: 'v_pub_url~v2.123456789',
    description: 'The publish_id returned when the post was created.',
  },
  {
    name: 'cursor',
    label: 'Cursor',
    type: 'string',
    required: false,
    operations: ['list_videos'],
    advanced: true,
    description: 'From the previous page, to fetch the next one.',
  },
  {
    name: 'maxCount',
    label: 'Page Size',
    type: 'number',
    required: false,
    default: 20,
    operations: ['list_videos'],
    limits: { min: 1, max: 20 },
    description: 'Videos per page, 1 to 20.',
  },
] satisfies CatalogField[]);

/** The fields an operation shows, in catalog order. */
export function fieldsFor(operation: OperationId): CatalogField[] {
  return fields.filter((f) => f.operations.includes(operation));
}
