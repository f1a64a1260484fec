// What the creates, searches and triggers return, declared once and generated from core's vocabulary:
// core names each field (camelCase) and labels it; Zapier gets the same fields in snake_case, flat, the
// same keys whether or not something failed.
import {
  CREATOR_INFO_FIELDS,
  ERROR_FIELDS,
  errorRecord,
  POST_OUTCOME_FIELDS,
  postOutcomeRecord,
  replyRecord,
  SAMPLE_CREATOR_INFO,
  SAMPLE_SERVER_EVENT,
  SAMPLE_SERVER_POST,
  SERVER_EVENT_FIELDS,
  SERVER_POST_FIELDS,
  serverEventRecord,
  serverPostRecord,
  SAMPLE_OPEN_ID,
  SAMPLE_POST_OUTCOME,
  SAMPLE_VIDEO_REPLY,
  snakeCase,
  snakeCaseKeys,
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

function outputFields(
  fields: ReadonlyArray<{ name: string; label: string; type: FieldType }>,
  primary?: string,
): ZapierOutputField[] {
  return fields.map((f) => ({
    key: `${snakeCase(f.name)}${f.type === 'string_list' ? '[]' : ''}`,
    label: f.label,
    type: ZAPIER_TYPE[f.type],
    ...(f.name === primary ? { primary: true } : {}),
  }));
}

// ---------------------------------------------------------------- a post's outcome (creates, search, trigger)

const NO_ERROR: Row = Object.fromEntries(ERROR_FIELDS.map((f) => [snakeCase(f.name), null]));

/** Core's error record in Zapier's keys; every key null when nothing failed. */
export function errorOutput(error: ErrorDetails | null): Row {
  return error ? snakeCaseKeys(errorRecord(error)) : { ...NO_ERROR };
}

export function postOutput(outcome: PostOutcome): Row {
  return { id: outcome.publishId ?? '', ...snakeCaseKeys(postOutcomeRecord(outcome)), ...errorOutput(outcome.error) };
}

export const postOutputFields = [...outputFields(POST_OUTCOME_FIELDS, 'publishId'), ...outputFields(ERROR_FIELDS)];

export const postSample = postOutput(SAMPLE_POST_OUTCOME);

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
  const fields = CREATOR_INFO_FIELDS.map((f) => [snakeCase(f.name), info[f.name as keyof CreatorInfo] ?? null]);
  return { id: openId, open_id: openId, ...Object.fromEntries(fields) };
}

export const creatorOutputFields: ZapierOutputField[] = [
  { key: 'open_id', label: 'Open ID', type: 'string', primary: true },
  ...outputFields(CREATOR_INFO_FIELDS),
];

export const creatorSample = creatorOutput(SAMPLE_CREATOR_INFO, SAMPLE_OPEN_ID);

/** One video of TikTok's list, read tolerantly: ids are exact strings, create_time epoch seconds. */
export const videoOutput = (video: Record<string, unknown>): Row => snakeCaseKeys(replyRecord(VIDEO_FIELDS, video));

export const videoOutputFields = outputFields(VIDEO_FIELDS, 'id');

export const videoSample = videoOutput(SAMPLE_VIDEO_REPLY);

export const privacyLevelFields: ZapierOutputField[] = [
  { key: 'id', label: 'Privacy Level', type: 'string', primary: true },
  { key: 'label', label: 'Label', type: 'string' },
];

// ---------------------------------------------------------------- server mode: a post on the server, an event

export const serverPostOutput = (view: Row): Row => {
  const record = snakeCaseKeys(serverPostRecord(view));
  return { id: record.job_id ?? '', ...record };
};
export const serverPostFields = outputFields(SERVER_POST_FIELDS, 'jobId');
export const serverPostSample = serverPostOutput(SAMPLE_SERVER_POST);

/** A delivery's record (core's serverEventRecord) in Zapier's keys; its event id is the item's id. */
export const serverEventOutput = (record: Row): Row => ({ id: record.eventId, ...snakeCaseKeys(record) });
export const serverEventFields = outputFields(SERVER_EVENT_FIELDS, 'eventId');
export const serverEventSample = serverEventOutput(serverEventRecord(SAMPLE_SERVER_EVENT));
