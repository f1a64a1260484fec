// The modules that upload a video file mapped from an earlier module (Make's fileName + data pair), in two
// steps, so that a lost reply never posts twice:
// - Start Video File Post / Start Video File Draft: size the file (videoUpload custom function, before
//   anything is sent), init with FILE_UPLOAD, output the publish_id and a sealed Upload Handle (the
//   upload_url). Nothing is posted before the bytes arrive: a re-run after a lost init reply leaves at most
//   an empty publish, which TikTok discards within the hour.
// - Send Video File: open the handle, read the publish's status, PUT the file only when TikTok does not
//   hold it yet, then wait. After a lost upload reply Make re-runs THIS module with the same handle: it
//   resumes the same upload (or finds it done) instead of a new init, so the post is made once.
import { CHUNK_RULES, ENDPOINTS } from '@tokpipe/core';
import { postFields, postInfoOf, type MakeParam } from './params';
import {
  actionModule,
  catalogParams,
  statusFetch,
  statusInterface,
  waitParam,
  waitRequest,
  type InitModuleSpec,
  type ModuleFiles,
} from './module-parts';
import { responseErrorDirectives, uploadResponseDirectives, withTemp } from './responses';
import { FILE_REPEAT } from './timing';

/** The largest video a file module uploads: ONE chunk of at most core's chunk maximum ('safe' unit: the
 * tighter of 64 MB and 64 MiB). Make cannot loop a variable number of PUTs, so bigger files are refused. */
export const MAX_FILE_BYTES = CHUNK_RULES.safe.maxChunk;
export const MAX_FILE_MB = Math.floor(MAX_FILE_BYTES / 1_000_000);

/** Make's usual file input: a file name and its data, both mappable from the module that downloaded it. */
const fileParams: MakeParam[] = [
  {
    name: 'fileName',
    type: 'filename',
    label: 'File Name',
    semantic: 'file:name',
    required: true,
    help: 'The video file name with its extension (.mp4, .mov or .webm), e.g. File Name from Google Drive "Download a File", Dropbox or HTTP "Get a file".',
  },
  {
    name: 'data',
    type: 'buffer',
    label: 'Data',
    semantic: 'file:data',
    required: true,
    help: `The video file's data (MP4, MOV or WebM, up to ${MAX_FILE_BYTES} bytes = ${MAX_FILE_MB} MB), e.g. Data from the module that downloaded it. It goes to TikTok in one upload request; a larger file is refused before anything is sent.`,
  },
];

const HANDLE_HELP =
  "The Upload Handle output of Start Video File Post or Start Video File Draft (it carries the publish ID and TikTok's upload URL, sealed).";
/** A Start module's output that Send Video File takes as its input. */
const uploadHandleField = { name: 'uploadHandle', type: 'text', label: 'Upload Handle', help: HANDLE_HELP };

/** The sizes of the file in `parameters`; `expected`: the size the handle was made for. */
const sized = (expected?: string) =>
  `{{videoUpload(parameters.data, parameters.fileName, ${MAX_FILE_BYTES}${expected ? `, ${expected}` : ''})}}`;

const START_DOC =
  "Follow it with Send Video File (map this module's Upload Handle and the same Data). Nothing is posted until Send Video File uploads the file; if TikTok gets no upload within an hour it drops the post.";

function startModule(opts: InitModuleSpec & { postInfo?: Record<string, unknown> }): ModuleFiles {
  const directives = responseErrorDirectives({
    init: true,
    requireOk: "ifempty(body.data.publish_id, '') != '' && ifempty(body.data.upload_url, '') != ''",
  });
  const init = {
    url: opts.path,
    method: 'POST',
    temp: { upload: sized() },
    body: {
      ...(opts.postInfo ? { post_info: opts.postInfo } : {}),
      source_info: {
        source: 'FILE_UPLOAD',
        video_size: '{{temp.upload.size}}',
        chunk_size: '{{temp.upload.size}}',
        total_chunk_count: 1,
      },
    },
    response: {
      ...directives,
      output: {
        publishId: '{{body.data.publish_id}}',
        uploadHandle:
          "{{uploadHandle('seal', body.data.upload_url, body.data.publish_id, temp.upload.size, common.clientSecret)}}",
        size: '{{temp.upload.size}}',
        uploadBefore: '{{addHours(now, 1)}}',
      },
    },
    // The upload_url carries an upload token.
    log: { sanitize: ['response.body.data.upload_url'] },
  };
  return actionModule({
    label: opts.label,
    description: `${opts.description} ${START_DOC}`,
    actionCrud: 'create',
    communication: init,
    params: opts.params,
    interface: [
      { name: 'publishId', type: 'text', label: 'Publish ID' },
      uploadHandleField,
      { name: 'size', type: 'uinteger', label: 'File Size (bytes)' },
      {
        name: 'uploadBefore',
        type: 'date',
        label: 'Upload Before',
        help: 'TikTok drops the post if the file has not arrived by then.',
      },
    ],
    scope: opts.scope,
  });
}

export const startVideoFilePost = startModule({
  label: 'Start Video File Post',
  description: `Starts a post of a video file (up to ${MAX_FILE_MB} MB, mapped from the module that downloaded it) straight to the TikTok profile (Direct Post). No verified domain needed.`,
  path: ENDPOINTS.video_init.path,
  params: [...fileParams, ...catalogParams('direct_video', ['videoUrl'])],
  postInfo: postInfoOf('video', postFields('direct_video')),
  scope: ['video.publish'],
});

export const startVideoFileDraft = startModule({
  label: 'Start Video File Draft',
  description: `Starts an upload of a video file (up to ${MAX_FILE_MB} MB) to the creator's TikTok inbox; they finish the post in the TikTok app (open the inbox notification). No verified domain needed.`,
  path: ENDPOINTS.inbox_video_init.path,
  params: [...fileParams, ...catalogParams('draft_video', ['videoUrl'])],
  scope: ['video.upload'],
});

// ---------------------------------------------------------------- Send Video File

const OPEN_HANDLE = "uploadHandle('open', parameters.uploadHandle, '', 0, common.clientSecret)";

/** Reads where the publish is before anything is uploaded: the re-run after a lost reply finds the file
 * already stored and skips the PUT. The handle and the file are checked first (same size, same app). */
const readProgress = {
  ...statusFetch('{{temp.target.publishId}}'),
  // Both read the handle itself: keys of one temp are not known to see each other.
  temp: { target: `{{${OPEN_HANDLE}}}`, upload: sized(`get(${OPEN_HANDLE}, 'size')`) },
  response: withTemp(responseErrorDirectives({ init: false }), {
    publishId: '{{temp.target.publishId}}',
    uploadUrl: '{{temp.target.uploadUrl}}',
    // TikTok holds the whole file once the status moved on or every byte is counted.
    stored: "{{body.data.status != 'PROCESSING_UPLOAD' || ifempty(body.data.uploaded_bytes, 0) >= temp.upload.size}}",
  }),
};

const put = {
  condition: '{{!temp.stored}}',
  url: '{{temp.uploadUrl}}',
  // Exactly as TikTok returned it: its query is already encoded.
  encodeUrl: false,
  method: 'PUT',
  type: 'binary',
  // The upload_token in the URL authorizes the PUT; the access token is not sent to the upload host.
  headers: {
    Authorization: '',
    'Content-Type': '{{temp.upload.contentType}}',
    'Content-Length': '{{temp.upload.size}}',
    'Content-Range': '{{temp.upload.contentRange}}',
  },
  body: '{{parameters.data}}',
  response: uploadResponseDirectives(),
  log: { sanitize: ['request.url'] },
};

export const sendVideoFile = actionModule({
  label: 'Send Video File',
  description:
    'Uploads the file of a Start Video File Post/Draft module to TikTok, then (optionally) waits for TikTok to finish. Safe to run again: it first asks TikTok how much of the file it holds and never uploads twice or starts a new post, so Make may retry it after a lost connection.',
  actionCrud: 'update',
  communication: [readProgress, put, waitRequest(FILE_REPEAT, false)],
  params: [
    { ...uploadHandleField, required: true },
    ...fileParams,
    waitParam(FILE_REPEAT, 'return once the file is uploaded'),
  ],
  interface: statusInterface,
  scope: ['video.publish', 'video.upload'],
});
