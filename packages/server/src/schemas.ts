// The API's bodies and replies as zod schemas: requests are validated with them (unknown fields refused,
// naming the field) and /openapi.json is generated from them. The post body is core's job field shape
// (schemas/job.ts, from the catalog): the same fields the MCP tools and the adapters take.
import {
  errorViewSchema,
  jobFieldShape,
  postViewSchema,
  SERVER_EVENTS,
  SERVER_POST_FIELDS,
  type ServerEvent,
} from '@tokpipe/core';
import { z } from 'zod';
import { API_KEY_SCOPES } from './keys';

/** Not taken over HTTP: a server-side file path (the server pulls URLs), and waiting (GET the post). */
const NOT_OVER_HTTP: ReadonlySet<string> = new Set(['mode', 'waitForCompletion', 'videoFile']);

export const postBodySchema = z
  .object({
    mode: z.enum(['direct', 'draft']).default('direct').describe('direct: published; draft: sent to the inbox'),
    account: z.string().min(1).optional().describe(SERVER_POST_FIELDS.account.description),
    region: z.string().min(1).optional().describe('Only accounts with this region tag may take the post'),
    label: z.string().max(200).optional().describe('Free text shown in lists and reports'),
    serverUpload: z.boolean().optional().describe(SERVER_POST_FIELDS.serverUpload.description),
    ...z.object(jobFieldShape(['post_video', 'post_photos'], { omit: NOT_OVER_HTTP })).partial().shape,
  })
  .strict();
export type PostBody = z.infer<typeof postBodySchema>;

export const listPostsQuerySchema = z
  .object({
    account: z.string().optional(),
    state: z.string().optional(),
    since: z.string().datetime({ offset: true }).optional().describe('Only posts submitted at or after (ISO 8601)'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

export const replayBodySchema = z
  .object({
    account: z.string().min(1).optional().describe('Replay on another account'),
    force: z.boolean().optional().describe('Needed for unknown outcomes (a person checked TikTok)'),
  })
  .strict();

/** Core's SERVER_EVENTS (catalog/server-api.ts). */
export const SUBSCRIPTION_EVENTS = SERVER_EVENTS;
export type SubscriptionEvent = ServerEvent;

export const subscriptionBodySchema = z
  .object({
    targetUrl: z.string().url().describe('Where deliveries are POSTed'),
    events: z.array(z.enum(SUBSCRIPTION_EVENTS)).min(1),
    accounts: z
      .array(z.string().min(1))
      .optional()
      .describe('Only events of these accounts (default: all the key may see)'),
    label: z.string().max(200).optional(),
  })
  .strict();

/** Core's ErrorView (service/service.ts). */
export const eventsQuerySchema = z
  .object({
    type: z.enum(SUBSCRIPTION_EVENTS).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(3),
  })
  .strict();

export const errorSchema = errorViewSchema;

/** core's TimelineStep (service/timeline.ts), with the time as ISO 8601. */
export const timelineStepSchema = z.object({
  at: z.string().describe('ISO 8601'),
  step: z.string().describe('The pipeline event (job_queued, attempt_started, job_accepted, retry_scheduled, ...)'),
  account: z.string().optional(),
  attempt: z.number().optional(),
  publishId: z.string().optional(),
  status: z.string().optional(),
  postIds: z.array(z.string()).optional(),
  delayMs: z.number().optional(),
  note: z.string().optional(),
  error: errorSchema.optional().describe("The step's failure: TikTok's code, message and log_id, our class and action"),
  raw: z.unknown().optional().describe("TikTok's reply for that failure, tokens and secrets removed"),
});

/** Core's PostView (service/service.ts), with submittedAt and the timeline. */
export const postSchema = postViewSchema.extend({
  submittedAt: z.string(),
  timeline: z.array(timelineStepSchema).optional(),
});

export const accountSchema = z.object({
  id: z.string(),
  status: z.string(),
  statusReason: z.string().nullable(),
  region: z.string().nullable(),
  scopes: z.array(z.string()),
  health: z.object({ breaker: z.string(), score: z.number(), queued: z.number() }),
  caps: z.object({
    directPerDay: z.number(),
    draftsPer24h: z.number(),
    usedDirectToday: z.number(),
    usedDraftToday: z.number(),
    remainingDirect: z.number(),
    remainingDraft: z.number(),
  }),
  auth: z.object({
    connected: z.boolean(),
    accessExpiresAt: z.string().nullable(),
    refreshExpiresAt: z.string().nullable(),
    accessExpired: z.boolean(),
  }),
});

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  code: z.string(),
  class: z.enum(['retryable', 'not_retryable', 'needs_human']).optional(),
  disposition: z.string().optional(),
  layer: z.string().optional(),
  action: z.string().optional(),
  logId: z.string().optional(),
  field: z.string().optional(),
  issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

export const subscriptionSchema = z.object({
  id: z.string(),
  targetUrl: z.string(),
  events: z.array(z.enum(SUBSCRIPTION_EVENTS)),
  accounts: z.array(z.string()).nullable(),
  label: z.string().nullable(),
  status: z.enum(['active', 'paused']),
  pausedReason: z.string().nullable(),
  consecutiveFailures: z.number(),
  createdAt: z.string(),
  secret: z.string().optional().describe('Shown once, at creation: verify Tokpipe-Signature with it'),
});

export const deliverySchema = z.object({
  id: z.string(),
  subscriptionId: z.string(),
  eventId: z.string(),
  event: z.enum(SUBSCRIPTION_EVENTS),
  state: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.array(z.object({ at: z.string(), status: z.number().nullable(), error: z.string().nullable() })),
  nextAttemptAt: z.string().nullable(),
});

export const keyScopeSchema = z.enum(API_KEY_SCOPES);
