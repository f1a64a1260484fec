// The shapes of what the posting service returns (service.ts: ErrorView, PostView), as zod schemas, declared
// once: the MCP tools' output schemas and the server's OpenAPI document both build on them.
import { z } from 'zod';

export const errorViewSchema = z.object({
  class: z
    .enum(['retryable', 'not_retryable', 'needs_human'])
    .describe('retryable: tokpipe retries; not_retryable: fix something first; needs_human: a person must act'),
  code: z.string().describe("TikTok's error.code, fail_reason, OAuth error, transport kind, or tokpipe code"),
  layer: z.string(),
  disposition: z.string(),
  retryable: z.boolean(),
  action: z.string().describe('What to do, in one line'),
  message: z.string(),
  failReason: z.string().optional(),
  logId: z.string().optional().describe("TikTok's log_id, for support tickets"),
  field: z.string().optional(),
  httpStatus: z.number().optional(),
});

export const postViewSchema = z.object({
  jobId: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  reused: z.boolean().describe('True: an earlier call with the same key made this post; nothing new was posted'),
  account: z.string().nullable(),
  state: z.string(),
  status: z.string().nullable(),
  final: z.boolean(),
  publishId: z.string().nullable(),
  postIds: z.array(z.string()).describe('Public post ids as exact strings (19-digit ids)'),
  attempts: z.number(),
  label: z.string().nullable(),
  error: errorViewSchema.nullable(),
});
