// What every create, search and status trigger item returns: TikTok's answer plus core's
// classification, flat (Zapier maps flat keys best), the same keys whether or not something failed.
import type { ErrorDetails, PostOutcome } from '@tokpipe/core';
import { userMessage } from './errors';

export interface PostOutput {
  id: string;
  publish_id: string;
  status: string;
  post_ids: string[];
  attempts: number;
  idempotency_key: string | null;
  deduplicated: boolean;
  error_category: string | null;
  error_code: string | null;
  fail_reason: string | null;
  retryable: boolean | null;
  action: string | null;
  error_message: string | null;
  log_id: string | null;
}

export function classificationOf(error: ErrorDetails | null): Pick<PostOutput, 'error_category' | 'error_code' | 'fail_reason' | 'retryable' | 'action' | 'error_message' | 'log_id'> {
  return {
    error_category: error?.category ?? null,
    error_code: error?.code ?? null,
    fail_reason: error?.failReason ?? null,
    retryable: error ? error.retryable : null,
    action: error?.action ?? null,
    error_message: error ? userMessage(error) : null,
    log_id: error?.logId ?? null,
  };
}

export function postOutput(outcome: PostOutcome, id = outcome.publishId ?? ''): PostOutput {
  return {
    id,
    publish_id: outcome.publishId ?? '',
    status: outcome.status,
    post_ids: outcome.postIds,
    attempts: outcome.attempts,
    idempotency_key: outcome.idempotencyKey || null,
    deduplicated: outcome.reused,
    ...classificationOf(outcome.error),
  };
}

export const postOutputFields = [
  { key: 'publish_id', label: 'Publish ID', type: 'string', primary: true },
  { key: 'status', label: 'Status (ACCEPTED, PROCESSING_UPLOAD, PROCESSING_DOWNLOAD, SEND_TO_USER_INBOX, PUBLISH_COMPLETE, FAILED, UNCONFIRMED)', type: 'string' },
  { key: 'post_ids[]', label: 'Public Post IDs', type: 'string' },
  { key: 'attempts', label: 'Post Attempts', type: 'integer' },
  { key: 'idempotency_key', label: 'Duplicate-Protection Key', type: 'string' },
  { key: 'deduplicated', label: 'Answered From an Earlier Identical Post', type: 'boolean' },
  { key: 'error_category', label: 'Failure Category (retryable, not_retryable, needs_human)', type: 'string' },
  { key: 'error_code', label: 'TikTok Error Code', type: 'string' },
  { key: 'fail_reason', label: 'TikTok Fail Reason', type: 'string' },
  { key: 'retryable', label: 'Retryable', type: 'boolean' },
  { key: 'action', label: 'What To Do', type: 'string' },
  { key: 'error_message', label: 'Failure Message', type: 'string' },
  { key: 'log_id', label: 'TikTok log_id', type: 'string' },
] as const;

export const postSample: PostOutput = {
  id: 'v_pub_url~v2.123456789',
  publish_id: 'v_pub_url~v2.123456789',
  status: 'ACCEPTED',
  post_ids: [],
  attempts: 1,
  idempotency_key: '5d41402abc4b2a76b9719d911017c592a4f6e1b1c7c0e3e6d1d5c8e9f0a1b2c3',
  deduplicated: false,
  error_category: null,
  error_code: null,
  fail_reason: null,
  retryable: null,
  action: null,
  error_message: null,
  log_id: null,
};
