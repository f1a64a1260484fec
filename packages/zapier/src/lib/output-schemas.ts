// What the creates, searches and triggers return, declared once and generated from core's vocabulary:
// core names each field (camelCase) and labels it; Zapier gets the same fields in snake_case, flat, the
// same keys whether or not something failed.
import {
  CREATOR_INFO_FIELDS,
  ERROR_FIELDS,
  errorRecord,
  POST_OUTCOME_FIELDS,
  postOutcomeRecord,
  PRIVACY_OPTIONS,
  VIDEO_FIELDS,
  type CreatorInfo,
  type ErrorDetails,
  type PostOutcome,
  type ReplyField,
} from '@tokpipe/core';

type FieldType = ReplyField['type'];
type Row = Record<string, unknown>;

export interface ZapierOutputField {
  key: string;
  label: string;
  type: 'string' | 'integer' | 'boolean' | 'datetime';
  primary?: boolean;
}

const ZAPIER_TYPE: Readonly<Record<FieldType, ZapierOutputField['type']>> = {
  string: 'string',
  string_list: 'string',
  url: 'string',
  number: 'integer',
  boolean: 'boolean',
  datetime: 'datetime',
};

/** core's camelCase name as Zapier's key. */
export const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const snakeKeys = (record: object): Row => Object.fromEntries(Object.entries(record).map(([k, v]) => [snake(k), v]));

function outputFields(
  fields: ReadonlyArray<{ name: string; label: string; type: FieldType }>,
  primary?: string,
): ZapierOutputField[] {
  return fields.map((f) => ({
    key: `${snake(f.name)}${f.type === 'string_list' ? '[]' : ''}`,
    label: f.label,
    type: ZAPIER_TYPE[f.type],
    ...(f.name === primary ? { primary: true } : {}),
  }));
}

// ---------------------------------------------------------------- a post's outcome (creates, search, trigger)

const NO_ERROR: Row = Object.fromEntries(ERROR_FIELDS.map((f) => [snake(f.name), null]));

/** Core's error record in Zapier's keys; every key null when nothing failed. */
export function errorOutput(error: ErrorDetails | null): Row {
  return error ? snakeKeys(errorRecord(error)) : { ...NO_ERROR };
}

export function postOutput(outcome: PostOutcome): Row {
  return { id: outcome.publishId ?? '', ...snakeKeys(postOutcomeRecord(outcome)), ...errorOutput(outcome.error) };
}

export const postOutputFields = [...outputFields(POST_OUTCOME_FIELDS, 'publishId'), ...outputFields(ERROR_FIELDS)];

export const postSample = postOutput({
  publishId: 'v_pub_url~v2.123456789',
  status: 'ACCEPTED',
  postIds: [],
  attempts: 1,
  idempotencyKey: '5d41402abc4b2a76b9719d911017c592a4f6e1b1c7c0e3e6d1d5c8e9f0a1b2c3',
  reused: false,
  error: null,
});

/** The Post Status Changed trigger: one item per status a post reaches. */
const STATUS_ITEM_FIELDS = new Set([
  'publish_id',
  'status',
  'done',
  'published',
  'post_ids[]',
  ...outputFields(ERROR_FIELDS).map((f) => f.key),
]);
export const statusItemFields: ZapierOutputField[] = [
  ...postOutputFields.filter((f) => STATUS_ITEM_FIELDS.has(f.key)),
  { key: 'mode', label: 'Mode (direct or draft)', type: 'string' },
  { key: 'created_at', label: 'Posted At', type: 'datetime' },
];

// ---------------------------------------------------------------- creator info, the video list, privacy levels

export function creatorOutput(info: CreatorInfo, openId: string): Row {
  const fields = CREATOR_INFO_FIELDS.map((f) => [snake(f.name), info[f.name as keyof CreatorInfo] ?? null]);
  return { id: openId, open_id: openId, ...Object.fromEntries(fields) };
}

export const creatorOutputFields: ZapierOutputField[] = [
  { key: 'open_id', label: 'Open ID', type: 'string', primary: true },
  ...outputFields(CREATOR_INFO_FIELDS),
];

export const creatorSample = creatorOutput(
  {
    nickname: 'TikTok Official',
    username: 'tiktok',
    avatarUrl: 'https://lf16-tt4d.tiktokcdn.com/obj/avatar.jpeg',
    privacyLevelOptions: PRIVACY_OPTIONS.filter((o) => o.value !== 'FOLLOWER_OF_CREATOR').map((o) => o.value),
    commentDisabled: false,
    duetDisabled: false,
    stitchDisabled: true,
    maxVideoPostDurationSec: 300,
  } as CreatorInfo,
  'afd97af1-b87b-48b9-ac98-410aghda5344',
);

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** One video of TikTok's list, read tolerantly: ids are exact strings, create_time epoch seconds. */
export function videoOutput(video: Record<string, unknown>): Row {
  const value = (f: ReplyField): unknown => {
    const raw = video[f.source];
    if (f.type === 'datetime') return typeof raw === 'number' ? new Date(raw * 1000).toISOString() : null;
    if (f.type === 'number') return typeof raw === 'number' ? raw : null;
    return text(raw);
  };
  return Object.fromEntries(VIDEO_FIELDS.map((f) => [snake(f.name), value(f)]));
}

export const videoOutputFields = outputFields(VIDEO_FIELDS, 'id');

export const videoSample = videoOutput({
  id: '7311111111111111111',
  create_time: 1_764_093_600,
  title: 'Hello from tokpipe #zapier',
  video_description: 'Hello from tokpipe #zapier',
  share_url: 'https://www.tiktok.com/@tiktok/video/7311111111111111111',
  cover_image_url: 'https://p16-sign.tiktokcdn-us.com/obj/cover.jpeg',
  duration: 12,
  embed_link: 'https://www.tiktok.com/embed/v2/7311111111111111111',
});

export const privacyLevelFields: ZapierOutputField[] = [
  { key: 'id', label: 'Privacy Level', type: 'string', primary: true },
  { key: 'label', label: 'Label', type: 'string' },
];
