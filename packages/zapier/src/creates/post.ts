// The three creates: Post Video, Upload Video as Draft, Post Photos. Each one only translates: fields
// from the catalog, the post itself (validation, idempotency, retry, upload) from core's poster.
import { toPostRequest, type PostMode } from '@tokpipe/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { connect } from '../connection';
import { translated, zapierErrorFor } from '../errors';
import { catalogFields, normalizeInput } from '../fields';
import { downloadVideo } from '../media';
import { postOutput, postOutputFields, postSample, type PostOutput } from '../output';
import { rememberPost } from '../recent';
import { runtime } from '../runtime';
import { CACHE_TTL_SECONDS, zapierStore } from '../store';

type PostOperation = 'post_video' | 'post_photos';

async function performPost(z: ZObject, bundle: Bundle, operation: PostOperation, fixedMode?: PostMode): Promise<PostOutput> {
  const { poster, openId } = connect(z, bundle);
  return translated(z, async () => {
    const values = normalizeInput(operation, bundle.inputData as Record<string, unknown>);
    if (fixedMode) values.mode = fixedMode;
    const file = operation === 'post_video' && typeof values.videoFile === 'string' ? await downloadVideo(z, values.videoFile) : undefined;
    const request = toPostRequest(operation, values, file);
    // Zapier's 30 s cannot hold TikTok's processing: accept, and let the search / trigger follow it.
    const outcome = await poster.post(request, { wait: false });
    if (outcome.publishId && !outcome.reused) {
      const now = runtime().clock.now();
      const post = { publishId: outcome.publishId, mode: request.mode, createdAt: now, status: outcome.status, postIds: outcome.postIds };
      await rememberPost(zapierStore(z, openId || 'unknown'), post, CACHE_TTL_SECONDS * 1000, now);
    }
    if (outcome.error) throw zapierErrorFor(z, outcome.error);
    return postOutput(outcome);
  });
}

/** TikTok allows 6 post inits per minute per token: Zapier queues the rest instead of failing them.
 * One post at a time per connection, so a replay and its original never race each other. */
const throttle = { window: 60, limit: 6, scope: ['auth'] as Array<'auth'>, retry: true };
const lock = { key: 'tiktok_post', scope: ['auth'] as Array<'auth'>, timeout: 60 };

const common = { outputFields: [...postOutputFields], sample: postSample, throttle, lock };

export const postVideo = {
  key: 'post_video',
  noun: 'Video',
  display: {
    label: 'Post Video',
    description: 'Posts a video straight to the TikTok profile, from a URL on a verified domain or from a file. Retried safely: never posted twice.',
  },
  operation: {
    inputFields: catalogFields('post_video', 'direct', { omit: ['mode'] }),
    perform: (z: ZObject, bundle: Bundle) => performPost(z, bundle, 'post_video', 'direct'),
    ...common,
  },
};

export const uploadVideoDraft = {
  key: 'upload_video_draft',
  noun: 'Draft',
  display: {
    label: 'Upload Video as Draft',
    description: "Sends a video to the creator's TikTok inbox; they finish and post it in the TikTok app.",
  },
  operation: {
    inputFields: catalogFields('post_video', 'draft', { omit: ['mode'] }),
    perform: (z: ZObject, bundle: Bundle) => performPost(z, bundle, 'post_video', 'draft'),
    ...common,
  },
};

export const postPhotos = {
  key: 'post_photos',
  noun: 'Photo Post',
  display: {
    label: 'Post Photos',
    description: 'Posts up to 35 photos from verified https URLs as a carousel, directly or as a draft.',
  },
  operation: {
    inputFields: [
      { ...catalogFields('post_photos').find((f) => f.key === 'mode')!, altersDynamicFields: true },
      // The rest depends on the mode: direct posts take privacy and interaction settings, drafts do not.
      (_z: ZObject, bundle: Bundle) =>
        catalogFields('post_photos', bundle.inputData?.mode === 'draft' ? 'draft' : 'direct', { omit: ['mode'] }),
    ],
    perform: (z: ZObject, bundle: Bundle) => performPost(z, bundle, 'post_photos'),
    ...common,
  },
};
