// The modules that create a post from URLs: Post Video, Upload Video as Draft, Post Photos. Each is
// the init request (body paths from core's catalog) followed by the status wait.
import { catalog, ENDPOINTS } from '@tokpipe/core';
import { bodyFor, fieldOf, postFields, toMakeParam, type MakeParam } from './params';
import { catalogParams, op, RETRY_DOC, statusInterface, waitRequest, type ModuleFiles } from './module-parts';
import { responseErrorDirectives } from './responses';
import { CONNECTION } from './connection';
import { REPEAT, waitSeconds, type Repeat } from './timing';

export function postModule(opts: {
  label: string;
  description: string;
  path: string;
  params: MakeParam[];
  body: Record<string, unknown>;
  scope: string[];
  repeat?: Repeat;
}): ModuleFiles {
  const repeat = opts.repeat ?? REPEAT;
  // Core waits up to its 5-minute budget; a Make module cannot, so the help says what this one does.
  const wait = toMakeParam(fieldOf('waitForCompletion'), undefined, {
    help: `Poll TikTok every ${repeat.delay / 1000} s until the post is published (or delivered to the inbox), for up to ${waitSeconds(repeat)} s inside this module (Make's module time limit); follow a post that takes longer with Wait for Post. Off: return as soon as TikTok accepts the post.`,
  });
  return {
    meta: {
      label: opts.label,
      description: `${opts.description} ${RETRY_DOC}`,
      moduleType: 'action',
      actionCrud: 'create',
      connection: CONNECTION,
    },
    files: {
      communication: [
        {
          url: opts.path,
          method: 'POST',
          body: opts.body,
          response: (() => {
            const directives = responseErrorDirectives({
              init: true,
              requireOk: "ifempty(body.data.publish_id, '') != ''",
            });
            // The publish_id stays in temp for the status request that follows.
            return { ...directives, temp: { ...directives.temp, publishId: '{{body.data.publish_id}}' } };
          })(),
        },
        waitRequest(repeat),
      ],
      'mappable-params': [...opts.params, wait],
      interface: statusInterface,
      scope: opts.scope,
    },
  };
}

export const postVideo = postModule({
  label: 'Post Video',
  description: 'Publishes a video from a public URL straight to the TikTok profile (Direct Post).',
  path: ENDPOINTS.video_init.path,
  params: [
    toMakeParam(fieldOf('videoUrl'), 'direct_video', { required: true }),
    ...catalogParams('post_video', 'direct_video', ['videoUrl']),
  ],
  body: (() => {
    const fields = postFields('post_video', 'direct_video');
    const body = bodyFor(fields);
    return { post_info: body.post_info, source_info: { source: 'PULL_FROM_URL', ...body.source_info } };
  })(),
  scope: ['video.publish'],
});

export const uploadVideoDraft = postModule({
  label: 'Upload Video as Draft',
  description:
    "Sends a video from a public URL to the creator's TikTok inbox; they finish the post in the TikTok app (open the inbox notification).",
  path: ENDPOINTS.inbox_video_init.path,
  params: [
    toMakeParam(fieldOf('videoUrl'), 'draft_video', { required: true }),
    ...catalogParams('post_video', 'draft_video', ['videoUrl']),
  ],
  body: { source_info: { source: 'PULL_FROM_URL', ...bodyFor(postFields('post_video', 'draft_video')).source_info } },
  scope: ['video.upload'],
});

// Post Photos: the mode select nests the fields each mode takes, so "privacy required for direct posts"
// is enforced by Make's form, before any request.
const photoCommon = ['photoUrls', 'coverIndex', 'title', 'description'];
const modeField = fieldOf('mode');
const photoModeParam = toMakeParam(modeField, 'direct_photo', {
  options: modeField.options!.map((o) => ({
    label: o.label,
    value: o.value,
    nested: catalogParams('post_photos', o.value === 'draft' ? 'draft_photo' : 'direct_photo', photoCommon),
  })),
});
const photoFieldsAll = [
  ...new Set([...postFields('post_photos', 'direct_photo'), ...postFields('post_photos', 'draft_photo')]),
];
const photoBody = bodyFor(photoFieldsAll, (f) =>
  f.name === 'coverIndex' ? '{{ifempty(parameters.coverIndex, 0)}}' : `{{parameters.${f.name}}}`,
);
export const postPhotos = postModule({
  label: 'Post Photos',
  description: op('post_photos').description,
  path: ENDPOINTS.content_init.path,
  params: [
    photoModeParam,
    ...catalogParams('post_photos', 'direct_photo')
      .filter((p) => photoCommon.includes(p.name as string))
      // The catalog's caption limit is the video one; photo titles are shorter (reference §3.3).
      .map((p) => (p.name === 'title' ? { ...p, validate: { max: catalog.limits.maxPhotoTitleLength } } : p)),
  ],
  body: {
    media_type: 'PHOTO',
    post_mode: "{{if(parameters.mode == 'draft', 'MEDIA_UPLOAD', 'DIRECT_POST')}}",
    post_info: photoBody.post_info,
    source_info: { source: 'PULL_FROM_URL', ...photoBody.source_info },
  },
  scope: ['video.publish', 'video.upload'],
});
