// The modules that create a post from URLs: Post Video, Upload Video as Draft, Post Photos. Each is
// the init request (core's body template) followed by the status wait.
import { catalog, catalogField, ENDPOINTS } from '@tokpipe/core';
import { postFields, toMakeParam, urlBodyOf } from './params';
import {
  actionModule,
  catalogParams,
  fromOperation,
  RETRY_DOC,
  statusInterface,
  waitParam,
  waitRequest,
  type InitModuleSpec,
  type ModuleFiles,
} from './module-parts';
import { responseErrorDirectives, withTemp } from './responses';
import { REPEAT } from './timing';

export function postModule(opts: InitModuleSpec & { body: Record<string, unknown> }): ModuleFiles {
  const directives = responseErrorDirectives({ init: true, requireOk: "ifempty(body.data.publish_id, '') != ''" });
  return actionModule({
    label: opts.label,
    description: `${opts.description} ${RETRY_DOC}`,
    actionCrud: 'create',
    communication: [
      {
        url: opts.path,
        method: 'POST',
        body: opts.body,
        // The publish_id stays in temp for the status request that follows.
        response: withTemp(directives, { publishId: '{{body.data.publish_id}}' }),
      },
      waitRequest(REPEAT),
    ],
    params: [...opts.params, waitParam(REPEAT, 'return as soon as TikTok accepts the post')],
    interface: statusInterface,
    scope: opts.scope,
  });
}

const videoUrlParams = (kind: 'direct_video' | 'draft_video') => [
  toMakeParam(catalogField('videoUrl'), kind, { required: true }),
  ...catalogParams(kind, ['videoUrl']),
];

export const postVideo = postModule({
  label: 'Post Video',
  description: 'Publishes a video from a public URL straight to the TikTok profile (Direct Post).',
  path: ENDPOINTS.video_init.path,
  params: videoUrlParams('direct_video'),
  body: urlBodyOf('direct_video'),
  scope: ['video.publish'],
});

export const uploadVideoDraft = postModule({
  label: 'Upload Video as Draft',
  description:
    "Sends a video from a public URL to the creator's TikTok inbox; they finish the post in the TikTok app (open the inbox notification).",
  path: ENDPOINTS.inbox_video_init.path,
  params: videoUrlParams('draft_video'),
  body: urlBodyOf('draft_video'),
  scope: ['video.upload'],
});

// Post Photos: the mode select nests the fields each mode takes, so "privacy required for direct posts"
// is enforced by Make's form, before any request.
const photoCommon = ['photoUrls', 'coverIndex', 'title', 'description'];
const modeField = catalogField('mode');
const photoModeParam = toMakeParam(modeField, 'direct_photo', {
  options: modeField.options!.map((o) => ({
    label: o.label,
    value: o.value,
    nested: catalogParams(o.value === 'draft' ? 'draft_photo' : 'direct_photo', photoCommon),
  })),
});
const PHOTO_VALUES: Record<string, string> = {
  postMode: "{{if(parameters.mode == 'draft', 'MEDIA_UPLOAD', 'DIRECT_POST')}}",
  coverIndex: '{{ifempty(parameters.coverIndex, 0)}}',
};
export const postPhotos = postModule({
  ...fromOperation('post_photos'),
  path: ENDPOINTS.content_init.path,
  params: [
    photoModeParam,
    ...catalogParams('direct_photo')
      .filter((p) => photoCommon.includes(p.name as string))
      // The catalog's caption limit is the video one; photo titles are shorter (reference §3.3).
      .map((p) => (p.name === 'title' ? { ...p, validate: { max: catalog.limits.maxPhotoTitleLength } } : p)),
  ],
  // Every field either mode takes: the draft's are a subset of the direct post's.
  body: urlBodyOf(
    'direct_photo',
    [...new Set([...postFields('direct_photo'), ...postFields('draft_photo')])],
    (name) => PHOTO_VALUES[name] ?? `{{parameters.${name}}}`,
  ),
});
