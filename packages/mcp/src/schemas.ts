// Tool input shapes from core's job field shape (schemas/job.ts, generated from the field catalog),
// and the output shapes of what the tools return. Limits are not enforced here: core's own validation
// checks them and names the field (one source of truth).
import { catalog, errorViewSchema, jobFieldShape, postViewSchema, type PostMode } from '@tokpipe/core';
import { z, type ZodTypeAny } from 'zod';

export type Shape = Record<string, ZodTypeAny>;

/** Extra words a field needs in an agent's hands (where the catalog speaks of a UI). */
const AGENT_NOTES: Readonly<Record<string, string>> = {
  videoFile: 'A path to the file on the machine running tokpipe.',
  idempotencyKey:
    'Calling again with the same key (or the same content without one) returns the first post, never a second one.',
};

/** Fields the tools replace or fix: the mode is the tool itself, waiting is the `wait` argument. */
const NOT_AN_ARGUMENT: ReadonlySet<string> = new Set(['mode', 'waitForCompletion']);

/** The catalog's fields of these operations that mean something in `mode` (core's job field shape). */
export function catalogShape(
  operations: Array<'post_video' | 'post_photos'>,
  mode: PostMode | undefined,
  allOptional = false,
): Shape {
  // The dry run takes any string for an option field, so core's check reports a wrong value with
  // the other problems instead of the SDK refusing the whole call (the options are in the words).
  return jobFieldShape(operations, { mode, allOptional, omit: NOT_AN_ARGUMENT, notes: AGENT_NOTES });
}

export const accountArg = z
  .string()
  .optional()
  .describe(
    'The account to post from (list_accounts). Optional with one account; otherwise tokpipe picks by caps, region and health.',
  );
export const regionArg = z
  .string()
  .optional()
  .describe('Only accounts with this region tag may take the post (when no account is named).');
export const waitArg = z
  .boolean()
  .optional()
  .describe(
    `Wait for TikTok's final status (up to ${catalog.pollSchedule.budgetMs / 60_000} minutes, with progress notifications).` +
      ' Default false: get_post_status can wait later.',
  );

const privacyLevels = catalog.privacyLevels as unknown as [string, ...string[]];

export const errorShape = errorViewSchema;

export const postShape = postViewSchema;

export const creatorInfoShape = z.object({
  account: z.string(),
  nickname: z.string().nullable(),
  username: z.string().nullable(),
  privacyLevelOptions: z.array(z.enum(privacyLevels)),
  commentDisabled: z.boolean(),
  duetDisabled: z.boolean(),
  stitchDisabled: z.boolean(),
  maxVideoPostDurationSec: z.number().nullable(),
});

export const validationShape = {
  valid: z.boolean(),
  account: z.string().nullable(),
  issues: z.array(z.object({ field: z.string(), message: z.string(), code: z.string() })),
  checks: z.array(z.object({ check: z.string(), ok: z.boolean(), detail: z.string().optional() })),
  warnings: z.array(z.string()),
  creatorInfo: creatorInfoShape.nullable(),
  idempotencyKey: z.string().nullable(),
};

export const accountShape = z.object({
  id: z.string(),
  status: z.string(),
  statusReason: z.string().nullable(),
  region: z.string().nullable(),
  scopes: z.array(z.string()),
  health: z.object({ breaker: z.string(), score: z.number(), queued: z.number() }),
  caps: z.object({
    directPerDay: z.number(),
    draftsPer24h: z.number(),
    remainingDirect: z.number(),
    remainingDraft: z.number(),
  }),
  auth: z.object({
    connected: z.boolean(),
    accessExpiresAt: z.number().nullable(),
    refreshExpiresAt: z.number().nullable(),
    accessExpired: z.boolean(),
  }),
});

export const deadLetterShape = z.object({
  jobId: z.string(),
  account: z.string().nullable(),
  label: z.string().nullable(),
  at: z.number(),
  attempts: z.number(),
  publishId: z.string().nullable(),
  error: errorShape,
});

export const explanationShape = z.object({
  layer: z.string(),
  code: z.string(),
  class: z.enum(['retryable', 'not_retryable', 'needs_human']),
  disposition: z.string(),
  retryable: z.boolean(),
  meaning: z.string(),
  action: z.string(),
  when: z.string().optional().describe('When this reading applies (the same code can mean different things)'),
  documentedHttpStatus: z.array(z.number()).optional(),
});
