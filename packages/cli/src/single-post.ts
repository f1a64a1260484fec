// A single `tokpipe post` whose outcome TikTok never told us (the init reply was lost, or no final
// status in time) becomes a pipeline job in the same store, on an account bound to the token file
// it was posted with, so `tokpipe reconcile` follows it and `tokpipe resolve` settles it.
import { createHash } from 'node:crypto';
import type { ErrorDetails, Job, JobMedia, JobSpec, PostRequest } from '@tokpipe/core';
import type { TokenFileData } from '@tokpipe/core/node';
import type { Runtime } from './context';
import { openPipeline } from './pipeline-session';
import { resolveHint } from './commands/resolve';
import type { StateStore } from './state';

export interface SinglePost {
  tokenFile: string;
  token: Pick<TokenFileData, 'open_id' | 'scopes'>;
  /** The registered account the token file points at (its tokens moved into the state). */
  account?: string;
  request: PostRequest;
  /** The media as the user named it (a file by its absolute path). */
  media: JobMedia;
  outcome: { publishId?: string | null; idempotencyKey: string; attempts: number; error: ErrorDetails | null };
  startedAt: number;
}

/** The account the post's token file stands for: a registered account with the same open_id, or one
 * made for the token file (disabled: campaigns never route to it; it only follows posts). */
type Pipeline = Awaited<ReturnType<typeof openPipeline>>['pipeline'];

async function accountFor(pipeline: Pipeline, post: SinglePost): Promise<string> {
  if (post.account) return post.account;
  const registered = pipeline.accounts.list().find((a) => a.openId === post.token.open_id && !a.tokenLocation);
  if (registered) return registered.id;
  const id = `token-file.${createHash('sha256').update(post.tokenFile).digest('hex').slice(0, 10)}`;
  if (!pipeline.accounts.get(id)) {
    await pipeline.accounts.add({
      id,
      openId: post.token.open_id,
      scopes: post.token.scopes,
      tokenLocation: post.tokenFile,
    });
    const why = `follows the posts of \`tokpipe post\` with ${post.tokenFile}; campaigns do not use it`;
    await pipeline.accounts.setStatus(id, 'disabled', why);
  }
  return id;
}

export async function adoptSinglePost(rt: Runtime, state: StateStore, post: SinglePost): Promise<Job> {
  // The state stays open: the post command closes it.
  const session = await openPipeline(rt, { ...state, close: async () => undefined });
  const { pipeline } = session;
  try {
    const { request, outcome } = post;
    const spec: JobSpec = { mode: request.mode, media: post.media, label: 'tokpipe post' };
    if (request.title !== undefined) spec.title = request.title;
    if (request.privacyLevel !== undefined) spec.privacyLevel = request.privacyLevel;
    return await pipeline.adopt({
      account: await accountFor(pipeline, post),
      spec,
      attemptKey: outcome.idempotencyKey,
      state: outcome.publishId ? 'unconfirmed' : 'unknown',
      ...(outcome.publishId ? { publishId: outcome.publishId } : {}),
      intentAt: post.startedAt,
      attempts: outcome.attempts,
      ...(outcome.error ? { error: outcome.error } : {}),
    });
  } finally {
    await session.close();
  }
}

/** What the user can do next, as commands that work on the store the post recorded its job in. */
export function openPostAdvice(job: Job, storeFlag: string): string {
  const tail = storeFlag ? ` --store ${storeFlag}` : '';
  return [
    `TikTok may have this post, so tokpipe never sends it again on its own. It is recorded as job ${job.id}:`,
    `  \`tokpipe reconcile${tail}\` looks for it (its status, webhooks received, the account's public videos);`,
    `  ${resolveHint(`${job.id}${tail}`)}, by running this post command again.`,
  ].join('\n');
}
