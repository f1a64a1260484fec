// Facts the Zapier and Make adapters show beyond the post form (added by the adapters' helper): TikTok's
// OAuth scopes and what each grants, the fields of creator info and of the video list as an adapter
// outputs them, and which final statuses can still change.
import type { OutputField } from './outcome-fields';
import { FINAL_STATUSES } from './statuses';

export interface TikTokScope {
  name: string;
  /** What granting it allows, in the user's words. */
  label: string;
}

/** The scopes a connection asks for: profile (connection label), direct posts, drafts, the video list. */
export const TIKTOK_SCOPES: readonly TikTokScope[] = Object.freeze([
  { name: 'user.info.basic', label: 'Read your TikTok profile (open_id, display name, avatar)' },
  { name: 'video.publish', label: 'Post content directly to your TikTok profile' },
  { name: 'video.upload', label: 'Send drafts to your TikTok inbox' },
  { name: 'video.list', label: 'Read your public TikTok videos' },
]);

/** An output field read from one key of TikTok's reply. */
export interface ReplyField extends Omit<OutputField, 'type'> {
  type: OutputField['type'] | 'url' | 'datetime';
  /** The key in TikTok's reply (creator_info's data, or one video of the video list). */
  source: string;
}

export const CREATOR_INFO_FIELDS: readonly ReplyField[] = Object.freeze([
  {
    name: 'nickname',
    source: 'creator_nickname',
    label: 'Nickname',
    type: 'string',
    description: "The creator's display name.",
  },
  {
    name: 'username',
    source: 'creator_username',
    label: 'Username',
    type: 'string',
    description: "The creator's @handle.",
  },
  {
    name: 'avatarUrl',
    source: 'creator_avatar_url',
    label: 'Avatar URL',
    type: 'url',
    description: "The creator's avatar.",
  },
  {
    name: 'privacyLevelOptions',
    source: 'privacy_level_options',
    label: 'Allowed Privacy Levels',
    type: 'string_list',
    description: 'The privacy levels this creator may post with now.',
  },
  {
    name: 'commentDisabled',
    source: 'comment_disabled',
    label: 'Comments Disabled',
    type: 'boolean',
    description: 'The creator turned comments off.',
  },
  {
    name: 'duetDisabled',
    source: 'duet_disabled',
    label: 'Duet Disabled',
    type: 'boolean',
    description: 'The creator turned duets off.',
  },
  {
    name: 'stitchDisabled',
    source: 'stitch_disabled',
    label: 'Stitch Disabled',
    type: 'boolean',
    description: 'The creator turned stitches off.',
  },
  {
    name: 'maxVideoPostDurationSec',
    source: 'max_video_post_duration_sec',
    label: 'Longest Allowed Video (s)',
    type: 'number',
    description: 'The longest video this creator may post, in seconds.',
  },
] satisfies ReplyField[]);

/** One public video from the Display API's video list (create_time is epoch seconds). */
export const VIDEO_FIELDS: readonly ReplyField[] = Object.freeze([
  { name: 'id', source: 'id', label: 'Video ID', type: 'string', description: "The video's id (an exact string)." },
  {
    name: 'createdAt',
    source: 'create_time',
    label: 'Created At',
    type: 'datetime',
    description: 'When the video was posted.',
  },
  { name: 'title', source: 'title', label: 'Title', type: 'string', description: "The video's title." },
  {
    name: 'description',
    source: 'video_description',
    label: 'Description',
    type: 'string',
    description: "The video's description.",
  },
  {
    name: 'shareUrl',
    source: 'share_url',
    label: 'Share URL',
    type: 'url',
    description: 'The link to share the video.',
  },
  {
    name: 'coverImageUrl',
    source: 'cover_image_url',
    label: 'Cover Image URL',
    type: 'url',
    description: "The video's cover image (expires after a few hours).",
  },
  {
    name: 'durationSec',
    source: 'duration',
    label: 'Duration (s)',
    type: 'number',
    description: "The video's length in seconds.",
  },
  {
    name: 'embedLink',
    source: 'embed_link',
    label: 'Embed Link',
    type: 'url',
    description: 'The link to embed the video.',
  },
] satisfies ReplyField[]);

/** The video list's `fields` query: every source key above. */
export const VIDEO_LIST_QUERY_FIELDS = VIDEO_FIELDS.map((f) => f.source).join(',');

/** Final for the app, but not for TikTok: a draft in the inbox becomes PUBLISH_COMPLETE once the creator posts it. */
export const AWAITING_CREATOR_STATUSES: ReadonlySet<string> = new Set(['SEND_TO_USER_INBOX']);

/** After these a post's status never changes again: there is no point fetching it. */
export function neverChangesAgain(status: string | undefined): boolean {
  return status !== undefined && FINAL_STATUSES.has(status) && !AWAITING_CREATOR_STATUSES.has(status);
}

/** TikTok's error codes meaning "this account has no post with that publish_id": a search finds nothing. */
export const PUBLISH_ID_NOT_FOUND_CODES: ReadonlySet<string> = new Set([
  'invalid_publish_id',
  'token_not_authorized_for_specified_publish_id',
]);

/** A post.publish.* webhook event as an adapter outputs it. `content.x` is a key of the event's content,
 * which TikTok sends as a JSON string. */
export const POST_EVENT_FIELDS: readonly ReplyField[] = Object.freeze([
  {
    name: 'event',
    source: 'event',
    label: 'Event',
    type: 'string',
    description: 'TikTok\'s event name, e.g. post.publish.complete ("publicly" always spelled right).',
  },
  {
    name: 'createdAt',
    source: 'create_time',
    label: 'Created At',
    type: 'datetime',
    description: 'When TikTok raised the event.',
  },
  {
    name: 'openId',
    source: 'user_openid',
    label: 'Open ID',
    type: 'string',
    description: 'The account the event is about.',
  },
  {
    name: 'publishId',
    source: 'content.publish_id',
    label: 'Publish ID',
    type: 'string',
    description: 'The post the event is about.',
  },
  {
    name: 'publishType',
    source: 'content.publish_type',
    label: 'Publish Type',
    type: 'string',
    description: 'DIRECT_PUBLISH or INBOX_SHARE.',
  },
  {
    name: 'postId',
    source: 'content.post_id',
    label: 'Post ID',
    type: 'string',
    description: 'The public post id, once TikTok gives one.',
  },
  {
    name: 'failReason',
    source: 'content.reason',
    label: 'Fail Reason',
    type: 'string',
    description: 'Why TikTok failed the post (post.publish.failed).',
  },
] satisfies ReplyField[]);
