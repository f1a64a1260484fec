// The tools, as a table: name, words (from core's catalog where it has them), annotations, input
// and output shapes, and what each does with the backend. server.ts registers them all.
import { catalog, inputError, isTokpipeError, type ErrorLayer, type JobState, type OperationId } from '@tokpipe/core';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { PostingService, WaitOptions } from '@tokpipe/core';
import { explainCode } from './explain';
import {
  accountArg,
  accountShape,
  catalogShape,
  creatorInfoShape,
  deadLetterShape,
  errorShape,
  explanationShape,
  postShape,
  regionArg,
  validationShape,
  waitArg,
  type Shape,
} from './schemas';
import { specFrom, type PostArgs } from './specs';
import { errorView } from '@tokpipe/core';

export interface ToolContext {
  backend: PostingService;
  /** Progress notifications for the call (no-op when the client sent no progress token). */
  progress: NonNullable<WaitOptions['onProgress']>;
}

export interface ToolDef {
  name: string;
  title: string;
  description: string;
  annotations: ToolAnnotations;
  input: Shape;
  output: Shape;
  /** Returns the structured output (a plain object matching `output`). */
  run(args: Record<string, unknown>, ctx: ToolContext): Promise<object>;
  /** The tool posts: a post that ends dead is reported as a tool error (carrying the post). */
  reportsFailedPost?: boolean;
}

/** Core's job states and error layers as records: the compiler fails here if core adds one. */
const JOB_STATES: Readonly<Record<JobState, string>> = {
  queued: 'waiting for its account',
  retry_wait: 'a retryable failure, waiting to retry',
  deferred: 'waiting for a daily cap or its publish time',
  posting: 'being sent',
  accepted: 'TikTok has it, status being tracked',
  unconfirmed: 'no final status in time, left to reconciliation',
  unknown: 'the post request may or may not have created a post, left to reconciliation',
  published: 'PUBLISH_COMPLETE',
  delivered: "in the creator's inbox",
  dead: 'in the dead-letter queue',
};
const ERROR_LAYERS: Readonly<Record<ErrorLayer, true>> = {
  input: true,
  structural: true,
  transport: true,
  application: true,
  async: true,
  oauth: true,
};
const keysOf = <K extends string>(record: Readonly<Record<K, unknown>>) => Object.keys(record) as [K, ...K[]];

const opDescription = (id: OperationId): string => catalog.operations.find((o) => o.id === id)!.description;

// Annotations, by what a tool does to the world. Posting is additive (never destroys), and repeating
// the same post returns the first one (idempotent); replaying a dead letter posts anew.
const READ_LOCAL: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
const READ_TIKTOK: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
};
const POST: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
};
const REPLAY: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: true,
};

const POST_NOTE =
  ' Every check runs before anything is sent (validate_post runs them alone). The same call again returns the first post (reused: true)' +
  ' instead of posting twice: pass idempotencyKey, or tokpipe derives one from account, media, caption and publish time.';

async function postAndMaybeWait(
  args: PostArgs,
  ctx: ToolContext,
  mode: 'direct' | 'draft',
  media: 'video' | 'photos' | 'either',
) {
  const view = await ctx.backend.post(specFrom(args, mode, media));
  if (args.wait !== true || !view.jobId) return view;
  const waited = await ctx.backend.status({ jobId: view.jobId }, { onProgress: ctx.progress });
  return { ...waited, reused: view.reused };
}

const postTool = (
  name: string,
  title: string,
  description: string,
  input: Shape,
  mode: 'direct' | 'draft',
  media: 'video' | 'photos' | 'either',
): ToolDef => ({
  name,
  title,
  description: description + POST_NOTE,
  annotations: POST,
  input: { account: accountArg, region: regionArg, ...input, wait: waitArg },
  output: postShape.shape,
  reportsFailedPost: true,
  run: (args, ctx) => postAndMaybeWait(args, ctx, mode, media),
});

export const tools: readonly ToolDef[] = [
  {
    name: 'creator_info',
    title: 'Get creator info',
    description: opDescription('get_creator_info'),
    annotations: READ_TIKTOK,
    input: { account: accountArg },
    output: creatorInfoShape.shape,
    run: async (args, ctx) => ctx.backend.accounts.creatorInfo(args.account as string | undefined),
  },
  {
    name: 'validate_post',
    title: 'Validate a post (dry run)',
    description:
      'A dry run of a post: every check tokpipe makes before sending it (fields, file, account, scope, daily cap, and the' +
      ' creator_info pre-flight for direct posts, asked only when everything else passed). Nothing is posted. Returns every' +
      ' problem at once, each naming its field.',
    annotations: READ_TIKTOK,
    input: {
      mode: z
        .enum(['direct', 'draft'])
        .optional()
        .describe("direct (default): publish to the profile; draft: send to the creator's inbox"),
      account: accountArg,
      region: regionArg,
      ...catalogShape(['post_video', 'post_photos'], undefined, true),
    },
    output: validationShape,
    async run(args, ctx) {
      const mode = args.mode === 'draft' ? 'draft' : 'direct';
      try {
        return await ctx.backend.validate(specFrom(args, mode, 'either'));
      } catch (error) {
        if (!isTokpipeError(error) || error.details.layer !== 'input') throw error;
        const view = errorView(error.details);
        const field = view.field ?? '(input)';
        const message = view.message.replace(`${field}: `, '');
        return {
          valid: false,
          account: null,
          issues: [{ field, message, code: view.code }],
          checks: [{ check: 'media', ok: false }],
          warnings: [],
          creatorInfo: null,
          idempotencyKey: null,
        };
      }
    },
  },
  postTool(
    'post_video',
    'Post a video',
    "Publish a video to the creator's TikTok profile, from a URL or a file.",
    catalogShape(['post_video'], 'direct'),
    'direct',
    'video',
  ),
  postTool(
    'post_photos',
    'Post photos',
    "Publish a photo carousel to the creator's TikTok profile (up to 35 https photo URLs).",
    catalogShape(['post_photos'], 'direct'),
    'direct',
    'photos',
  ),
  postTool(
    'post_to_inbox',
    'Send a draft to the inbox',
    "Send a video (URL or file) or photos to the creator's TikTok inbox as a draft; they finish the post in the app.",
    catalogShape(['post_video', 'post_photos'], 'draft'),
    'draft',
    'either',
  ),
  {
    name: 'get_post_status',
    title: 'Get post status',
    description:
      `${opDescription('get_status')} Give the jobId or publishId a posting tool returned.` +
      ' With wait, waits for a final status with progress notifications.',
    annotations: READ_TIKTOK,
    input: {
      jobId: z.string().optional().describe('The jobId a posting tool returned'),
      publishId: z
        .string()
        .optional()
        .describe(catalog.fields.find((f) => f.name === 'publishId')!.description),
      account: z.string().optional().describe('For a publish_id tokpipe did not post: the account to ask TikTok with'),
      wait: waitArg,
      maxWaitSeconds: z
        .number()
        .optional()
        .describe(`Longest wait in seconds (default ${catalog.pollSchedule.budgetMs / 1000})`),
    },
    output: postShape.shape,
    async run(args, ctx) {
      const ref = {
        jobId: args.jobId as string | undefined,
        publishId: args.publishId as string | undefined,
        account: args.account as string | undefined,
      };
      if (args.maxWaitSeconds !== undefined && !((args.maxWaitSeconds as number) > 0))
        throw inputError('maxWaitSeconds', 'must be more than 0');
      const wait =
        args.wait === true
          ? {
              onProgress: ctx.progress,
              ...(args.maxWaitSeconds ? { budgetMs: (args.maxWaitSeconds as number) * 1000 } : {}),
            }
          : undefined;
      return ctx.backend.status(ref, wait);
    },
  },
  {
    name: 'list_posts',
    title: 'List posts',
    description: 'Posts tokpipe knows about, newest first, with their state, TikTok status, post ids and last error.',
    annotations: READ_LOCAL,
    input: {
      account: z.string().optional(),
      state: z
        .enum(keysOf(JOB_STATES))
        .describe(
          Object.entries(JOB_STATES)
            .map(([state, meaning]) => `${state}: ${meaning}`)
            .join('; '),
        )
        .optional(),
      limit: z.number().int().min(1).max(200).optional().describe('At most this many (default 20)'),
    },
    output: { posts: z.array(postShape) },
    run: async (args, ctx) => ({
      posts: await ctx.backend.list(args as { account?: string; state?: string; limit?: number }),
    }),
  },
  {
    name: 'list_accounts',
    title: 'List accounts',
    description:
      'The connected TikTok accounts: status, health (circuit breaker, score, queue), daily caps left and token expiry (never the token).',
    annotations: READ_LOCAL,
    input: {},
    output: { accounts: z.array(accountShape) },
    run: async (_args, ctx) => ({ accounts: await ctx.backend.accounts.list() }),
  },
  {
    name: 'explain_error',
    title: 'Explain an error',
    description:
      'What a TikTok error code, fail_reason, OAuth error, transport failure or tokpipe code means, whether tokpipe retries it,' +
      " and what to do. Give a jobId to explain that post's last error.",
    annotations: READ_LOCAL,
    input: {
      code: z
        .string()
        .optional()
        .describe('e.g. spam_risk_too_many_posts, url_ownership_unverified, video_pull_failed, invalid_grant, timeout'),
      layer: z.enum(keysOf(ERROR_LAYERS)).optional(),
      jobId: z.string().optional(),
    },
    output: { known: z.boolean(), explanations: z.array(explanationShape), jobError: errorShape.nullable() },
    async run(args, ctx) {
      const jobError = args.jobId ? await ctx.backend.jobError(String(args.jobId)) : null;
      const code = (args.code as string | undefined) ?? jobError?.failReason ?? jobError?.code;
      if (!code) throw inputError('code', 'give a code or a jobId');
      return { ...explainCode(code, args.layer as ErrorLayer | undefined), jobError };
    },
  },
  {
    name: 'dlq_list',
    title: 'List the dead-letter queue',
    description:
      'Posts that will not succeed by retrying, each with its classification, TikTok log_id and the action to take.',
    annotations: READ_LOCAL,
    input: {},
    output: { deadLetters: z.array(deadLetterShape) },
    run: async (_args, ctx) => ({ deadLetters: await ctx.backend.dlq.list() }),
  },
  {
    name: 'dlq_replay',
    title: 'Replay a dead letter',
    description:
      'Posts a dead-lettered job again (after its cause is fixed), optionally through another account. An unknown outcome may' +
      ' already be on TikTok: it replays only with force, after a person checked the account.',
    annotations: REPLAY,
    input: {
      jobId: z.string(),
      account: z.string().optional(),
      force: z
        .boolean()
        .optional()
        .describe('Replay an unknown outcome (only after checking the post is not on TikTok)'),
      wait: waitArg,
    },
    output: postShape.shape,
    reportsFailedPost: true,
    async run(args, ctx) {
      const options: { account?: string; force?: boolean } = { force: args.force === true };
      if (typeof args.account === 'string') options.account = args.account;
      const view = await ctx.backend.dlq.replay(String(args.jobId), options);
      return args.wait === true ? ctx.backend.status({ jobId: view.jobId! }, { onProgress: ctx.progress }) : view;
    },
  },
  {
    name: 'reconcile',
    title: 'Reconcile',
    description:
      'Checks every post whose outcome is not known yet (no final status, or a lost reply to the post request) with' +
      ' TikTok, and settles what it can.',
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    input: {},
    output: { checked: z.number(), resolved: z.number(), stillOpen: z.array(postShape) },
    run: async (_args, ctx) => ctx.backend.reconcile(),
  },
];
