// The modules that upload a video file mapped from an earlier module (Make's fileName + data pair):
// Post Video File and Upload Video File as Draft. One FILE_UPLOAD chunk, sized by the videoUpload
// custom function before the init is sent.
import { CHUNK_RULES } from '@tokpipe/core';
import { bodyFor, postFields, type MakeParam } from './params';
import { catalogParams, type ModuleFiles } from './module-parts';
import { postModule } from './post-modules';
import { responseErrorDirectives, uploadResponseDirectives } from './responses';
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

/** Init with FILE_UPLOAD sized by the videoUpload custom function (before the request is sent; too big a
 * file stops here), PUT the whole file to the upload_url, then the same status wait as the URL modules. */
export function postFileModule(opts: { label: string; description: string; path: string; params: MakeParam[]; postInfo?: Record<string, unknown>; scope: string[] }): ModuleFiles {
  // The wait is shorter than the URL modules' by the time kept for the upload.
  const url = postModule({ ...opts, body: {}, repeat: FILE_REPEAT });
  const [, wait] = url.files.communication as [unknown, unknown];
  const initDirectives = responseErrorDirectives({ init: true, requireOk: "ifempty(body.data.publish_id, '') != '' && ifempty(body.data.upload_url, '') != ''" });
  const init = {
    url: opts.path,
    method: 'POST',
    temp: { upload: `{{videoUpload(parameters.data, parameters.fileName, ${MAX_FILE_BYTES})}}` },
    body: {
      ...(opts.postInfo ? { post_info: opts.postInfo } : {}),
      source_info: { source: 'FILE_UPLOAD', video_size: '{{temp.upload.size}}', chunk_size: '{{temp.upload.size}}', total_chunk_count: 1 },
    },
    response: { ...initDirectives, temp: { ...initDirectives.temp, publishId: '{{body.data.publish_id}}', uploadUrl: '{{body.data.upload_url}}' } },
    // The upload_url carries an upload token.
    log: { sanitize: ['response.body.data.upload_url'] },
  };
  const put = {
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
  return { ...url, files: { ...url.files, communication: [init, put, wait] } };
}

export const postVideoFile = postFileModule({
  label: 'Post Video File',
  description: `Uploads a video file (up to ${MAX_FILE_MB} MB, mapped from the module that downloaded it) and publishes it straight to the TikTok profile (Direct Post). No verified domain needed.`,
  path: '/v2/post/publish/video/init/',
  params: [...fileParams, ...catalogParams('post_video', 'direct_video', ['videoUrl'])],
  postInfo: bodyFor(postFields('post_video', 'direct_video').filter((f) => f.name !== 'videoUrl')).post_info,
  scope: ['video.publish'],
});

export const uploadVideoFileDraft = postFileModule({
  label: 'Upload Video File as Draft',
  description: `Uploads a video file (up to ${MAX_FILE_MB} MB) to the creator's TikTok inbox; they finish the post in the TikTok app (open the inbox notification). No verified domain needed.`,
  path: '/v2/post/publish/inbox/video/init/',
  params: [...fileParams, ...catalogParams('post_video', 'draft_video', ['videoUrl'])],
  scope: ['video.upload'],
});
