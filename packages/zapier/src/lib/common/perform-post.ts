// What the three creates share: the perform (fields from core's catalog in, core's poster does the
// post: validation, idempotency, retry, upload) and the platform settings that guard a connection.
import { tiktokRateLimits, toPostRequest, type PostMode } from '@tokpipe/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { postOutput, postOutputFields, postSample } from '../output-schemas';
import { connect } from './connection';
import { translated, zapierErrorFor } from './errors';
import { catalogFields } from './props';
import { downloadVideo } from './media';
import { rememberPost } from './recent-posts';
import { runtime } from './runtime';

export type PostOperation = 'post_video' | 'post_photos';

export async function performPost(z: ZObject, bundle: Bundle, operation: PostOperation, fixedMode?: PostMode) {
  const { poster, recent } = connect(z, bundle);
  return translated(z, async () => {
    const values: Record<string, unknown> = { ...bundle.inputData, ...(fixedMode ? { mode: fixedMode } : {}) };
    const file =
      operation === 'post_video' && typeof values.videoFile === 'string' && values.videoFile !== ''
        ? await downloadVideo(z, values.videoFile)
        : undefined;
    const request = toPostRequest(operation, values, file);
    // Zapier's 30 s cannot hold TikTok's processing: accept, and let the search / trigger follow it.
    const outcome = await poster.post(request, { wait: false });
    if (outcome.publishId && !outcome.reused) {
      const post = {
        publishId: outcome.publishId,
        mode: request.mode,
        createdAt: runtime().clock.now(),
        status: outcome.status,
        postIds: outcome.postIds,
      };
      // The post is made: a full list costs the trigger this entry, never the step its result.
      if (!(await rememberPost(recent, post)))
        z.console.log(`[tokpipe warn] Post Status Changed will not follow ${post.publishId}`);
    }
    if (outcome.error) throw zapierErrorFor(z, outcome.error);
    return postOutput(outcome);
  });
}

/** TikTok's init limit per token (6/min): Zapier queues the rest instead of failing them. One post at a
 * time per connection, so a replay and its original never race each other. */
const INIT_LIMIT = tiktokRateLimits.video_init!;
const throttle = {
  window: INIT_LIMIT.windowMs / 1000,
  limit: INIT_LIMIT.limit,
  scope: ['auth'] as Array<'auth'>,
  retry: true,
};
const lock = { key: 'tiktok_post', scope: ['auth'] as Array<'auth'>, timeout: 60 };

/** The operation settings every create carries. */
export const createSettings = { outputFields: [...postOutputFields], sample: postSample, throttle, lock };

/** A video create in one mode: its fields are the catalog's for that mode, its perform the one above. */
export function videoCreate(opts: { key: string; noun: string; label: string; description: string; mode: PostMode }) {
  return {
    key: opts.key,
    noun: opts.noun,
    display: { label: opts.label, description: opts.description },
    operation: {
      inputFields: catalogFields('post_video', opts.mode, ['mode']),
      perform: (z: ZObject, bundle: Bundle) => performPost(z, bundle, 'post_video', opts.mode),
      ...createSettings,
    },
  };
}
