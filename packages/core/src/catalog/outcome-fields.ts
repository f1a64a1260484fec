// What a post's outcome looks like to an adapter's user: the fields, what each means, and the flat
// record built from a PostOutcome. Adapters show these (renamed to their platform's case if they must).
import type { ErrorDetails } from '../errors/types';
import type { PostOutcome } from '../poster';
import { isFinalStatus, OUTCOME_STATUSES } from './statuses';

export interface OutputField {
  /** Key in the record (camelCase; `snake_case(name)` where a platform wants that). */
  name: string;
  label: string;
  type: 'string' | 'string_list' | 'number' | 'boolean';
  description: string;
}

export const POST_OUTCOME_FIELDS: readonly OutputField[] = Object.freeze([
  {
    name: 'publishId',
    label: 'Publish ID',
    type: 'string',
    description: "TikTok's id for this post (empty when the post request's outcome is unknown).",
  },
  { name: 'status', label: 'Status', type: 'string', description: `One of ${OUTCOME_STATUSES.join(', ')}.` },
  {
    name: 'done',
    label: 'Done',
    type: 'boolean',
    description: 'TikTok gave a final answer (published, in the inbox, or failed).',
  },
  { name: 'published', label: 'Published', type: 'boolean', description: 'The status is PUBLISH_COMPLETE.' },
  {
    name: 'postIds',
    label: 'Public Post IDs',
    type: 'string_list',
    description: 'The public post ids as exact strings (filled after moderation).',
  },
  {
    name: 'attempts',
    label: 'Post Attempts',
    type: 'number',
    description: 'Post requests sent, re-posts after a retryable failure included.',
  },
  {
    name: 'idempotencyKey',
    label: 'Duplicate-Protection Key',
    type: 'string',
    description: 'The same key is never posted twice.',
  },
  {
    name: 'reused',
    label: 'Answered From an Earlier Identical Post',
    type: 'boolean',
    description: 'Nothing was posted: an earlier post with this key was returned.',
  },
] satisfies OutputField[]);

export const ERROR_FIELDS: readonly OutputField[] = Object.freeze([
  {
    name: 'error',
    label: 'Failure Message',
    type: 'string',
    description: "What happened, in words, with TikTok's own text when it gave one.",
  },
  {
    name: 'problem',
    label: 'Problem',
    type: 'string',
    description: "The problem alone: TikTok's message or the field and what is wrong with it.",
  },
  {
    name: 'layer',
    label: 'Failure Layer',
    type: 'string',
    description: 'input, structural, transport, application, async or oauth.',
  },
  {
    name: 'code',
    label: 'TikTok Error Code',
    type: 'string',
    description: "TikTok's error.code, the OAuth error, the network failure kind, or tokpipe's own code.",
  },
  {
    name: 'failReason',
    label: 'TikTok Fail Reason',
    type: 'string',
    description: 'Why TikTok failed an accepted post.',
  },
  {
    name: 'disposition',
    label: 'What Happens Next',
    type: 'string',
    description:
      'retry, retry_after_refresh, wait_for_quota, route_to_another_account, fix_input, needs_human, reauthorize or unknown_outcome.',
  },
  {
    name: 'category',
    label: 'Failure Category',
    type: 'string',
    description: 'retryable, not_retryable or needs_human.',
  },
  {
    name: 'retryable',
    label: 'Retryable',
    type: 'boolean',
    description: 'Running it again later can succeed and cannot post twice.',
  },
  { name: 'action', label: 'What To Do', type: 'string', description: 'One line telling you what to do.' },
  { name: 'logId', label: 'TikTok log_id', type: 'string', description: 'Quote it to TikTok support.' },
  { name: 'httpStatus', label: 'HTTP Status', type: 'number', description: "The HTTP status of TikTok's reply." },
  { name: 'field', label: 'Field', type: 'string', description: 'For input errors: the field that is wrong.' },
] satisfies OutputField[]);

export interface PostOutcomeRecord {
  publishId: string | null;
  status: PostOutcome['status'];
  done: boolean;
  published: boolean;
  postIds: string[];
  attempts: number;
  idempotencyKey: string;
  reused: boolean;
}

export interface ErrorRecord {
  error: string;
  problem: string | null;
  layer: ErrorDetails['layer'];
  code: string;
  failReason: string | null;
  disposition: ErrorDetails['disposition'];
  category: ErrorDetails['category'];
  retryable: boolean;
  action: string;
  logId: string | null;
  httpStatus: number | null;
  field: string | null;
}

/** The outcome as the flat record POST_OUTCOME_FIELDS describes. */
export function postOutcomeRecord(outcome: PostOutcome): PostOutcomeRecord {
  return {
    publishId: outcome.publishId,
    status: outcome.status,
    done: isFinalStatus(outcome.status),
    published: outcome.status === 'PUBLISH_COMPLETE',
    postIds: outcome.postIds,
    attempts: outcome.attempts,
    idempotencyKey: outcome.idempotencyKey,
    reused: outcome.reused,
  };
}

/** A failure as the flat record ERROR_FIELDS describes (no secrets: ErrorDetails never holds any). */
export function errorRecord(details: ErrorDetails): ErrorRecord {
  return {
    error: details.message,
    problem: details.problem ?? null,
    layer: details.layer,
    code: details.code,
    failReason: details.failReason ?? null,
    disposition: details.disposition,
    category: details.category,
    retryable: details.retryable,
    action: details.action,
    logId: details.logId ?? null,
    httpStatus: details.httpStatus ?? null,
    field: details.field ?? null,
  };
}
