// The whole Make app, generated: every file under packages/make/src/ (except general/common.json,
// which holds the client secret and stays out of git). Fields come from core's catalog, error handling
// from core's classification table, the polling cadence from core's poll schedule.
import { catalog, CHUNK_RULES, classificationTable, defaultPollSchedule, lookupRow, terminalStatuses, type PollSchedule, type PostKind } from '@tokpipe/core';
import { asyncBranches, chooseIml, outcomeOf, type Branch } from './errors';
import { bodyFor, fieldOf, postFields, toMakeParam, type MakeParam } from './params';
import { CUSTOM_FUNCTION_IDS, customFunctionSource } from '../functions';
import { failedBranches, PROCESSING_CONDITION, redactedIml, responseErrorDirectives, uploadResponseDirectives } from './responses';

export const API_BASE = 'https://open.tiktokapis.com';
export const AUTHORIZE_URL = 'https://www.tiktok.com/v2/auth/authorize/';
export const CONNECTION = 'tiktok';
export const WEBHOOK = 'tiktokEvents';

/** Make's module timeout is about 40 s; polling inside one run stays under this, leaving room for the requests. */
export const MODULE_WAIT_BUDGET_MS = 30_000;
/** TikTok's status fetch allows 30 requests/min per token. */
export const STATUS_MIN_INTERVAL_MS = 60_000 / 30;

/** Core's schedule compiled into Make's `repeat`: the first poll interval (never faster than the status
 * rate limit), as many polls as fit in one module run. The rest of core's schedule (then every 120 s,
 * 5 min budget) becomes Make's own re-run of an IncompleteDataError. */
export function repeatFromSchedule(schedule: PollSchedule = defaultPollSchedule, budgetMs = MODULE_WAIT_BUDGET_MS): { delay: number; limit: number } {
  const delay = Math.max(schedule.delaysMs[0] ?? schedule.thenEveryMs, STATUS_MIN_INTERVAL_MS);
  return { delay, limit: Math.max(1, Math.floor(budgetMs / delay)) + 1 };
}

/** Time a file module keeps for its upload PUT inside Make's module limit (64 MB at 6.4 MB/s): its status
 * wait is shorter by this much. A module that runs over the limit fails with ModuleTimeoutError, which
 * Make retries, and a re-run posts again. */
export const FILE_UPLOAD_ALLOWANCE_MS = 10_000;

const PROCESSING = ['PROCESSING_UPLOAD', 'PROCESSING_DOWNLOAD'];
for (const s of PROCESSING) if (terminalStatuses.has(s)) throw new Error(`core says ${s} is terminal; update PROCESSING_CONDITION`);

// TikTok's error.message is free text and may quote the request's token: the log hides it (the
// module's error message shows it through redactSecrets).
const SANITIZE_API = ['request.headers.authorization', 'response.body.error.message'];

// ---------------------------------------------------------------- base
const base = {
  baseUrl: API_BASE,
  headers: { Authorization: 'Bearer {{connection.accessToken}}' },
  response: responseErrorDirectives({ init: false }),
  log: { sanitize: SANITIZE_API },
};

// ---------------------------------------------------------------- connection
const oauthOutcome = (code: string) => outcomeOf(lookupRow('oauth', code)!);
const oauthBranches: Branch[] = classificationTable
  .filter((r) => r.layer === 'oauth' && r.code !== 'unknown_oauth_error')
  .map((r) => [`body.error == '${r.code}'`, oauthOutcome(r.code)]);
const oauthFallback = { ...oauthOutcome('unknown_oauth_error'), code: '=body.error' };
// The token endpoint's reply may quote what it was sent: the client secret, the code, the refresh token.
const OAUTH_DESCRIPTION = redactedIml('body.error_description', ['common.clientSecret', 'temp.code', 'data.refreshToken']);
const oauthResponseErrors = {
  temp: {
    oauthError: {
      type: `{{${chooseIml(oauthBranches, oauthFallback, 'type')}}}`,
      action: `{{${chooseIml(oauthBranches, oauthFallback, 'action')}}}`,
    },
  },
  // TikTok's OAuth errors are flat {error, error_description} and can come with HTTP 200.
  valid: {
    condition: '{{!body.error}}',
    type: '{{temp.oauthError.type}}',
    message: `[{{statusCode}}] TikTok OAuth error {{body.error}}: {{${OAUTH_DESCRIPTION}}} (log_id {{ifempty(body.log_id, 'none')}}). {{temp.oauthError.action}}`,
  },
  error: {
    type: "{{if(body.error, temp.oauthError.type, if(statusCode >= 500, 'ConnectionError', 'RuntimeError'))}}",
    message: `[{{statusCode}}] TikTok OAuth error {{ifempty(body.error, 'unknown')}}: {{${OAUTH_DESCRIPTION}}} (log_id {{ifempty(body.log_id, 'none')}}). {{temp.oauthError.action}}`,
  },
};
const tokenData = {
  accessToken: '{{body.access_token}}',
  refreshToken: '{{body.refresh_token}}',
  expires: '{{addSeconds(now, body.expires_in)}}',
  openId: '{{body.open_id}}',
  scope: "{{split(body.scope, ',')}}",
};
const TOKEN_SANITIZE = ['request.body.client_secret', 'request.body.code', 'request.body.refresh_token', 'response.body.access_token', 'response.body.refresh_token', 'response.body.error_description'];

const oauthCommunication = {
  authorize: {
    url: AUTHORIZE_URL,
    qs: { client_key: '{{common.clientKey}}', response_type: 'code', scope: "{{join(oauth.scope, ',')}}", redirect_uri: '{{oauth.localRedirectUri}}' },
    response: { temp: { code: '{{query.code}}' } },
  },
  token: {
    url: `${API_BASE}/v2/oauth/token/`,
    method: 'POST',
    type: 'urlencoded',
    body: {
      client_key: '{{common.clientKey}}',
      client_secret: '{{common.clientSecret}}',
      code: '{{temp.code}}',
      grant_type: 'authorization_code',
      redirect_uri: '{{oauth.localRedirectUri}}',
    },
    response: { ...oauthResponseErrors, data: tokenData, expires: '{{addSeconds(now, body.refresh_expires_in)}}' },
    log: { sanitize: TOKEN_SANITIZE },
  },
  info: {
    url: `${API_BASE}/v2/user/info/`,
    qs: { fields: 'open_id,display_name' },
    headers: { Authorization: 'Bearer {{connection.accessToken}}' },
    response: {
      ...responseErrorDirectives({ init: false }),
      uid: '{{body.data.user.open_id}}',
      metadata: { type: 'text', value: '{{body.data.user.display_name}}' },
    },
    log: { sanitize: SANITIZE_API },
  },
  // TikTok rotates the refresh token on every refresh and the old one stops working: store the new one.
  refresh: {
    condition: '{{data.expires < addMinutes(now, 15)}}',
    url: `${API_BASE}/v2/oauth/token/`,
    method: 'POST',
    type: 'urlencoded',
    body: {
      client_key: '{{common.clientKey}}',
      client_secret: '{{common.clientSecret}}',
      grant_type: 'refresh_token',
      refresh_token: '{{data.refreshToken}}',
    },
    response: { ...oauthResponseErrors, data: tokenData, expires: '{{addSeconds(now, body.refresh_expires_in)}}' },
    log: { sanitize: TOKEN_SANITIZE },
  },
  invalidate: {
    url: `${API_BASE}/v2/oauth/revoke/`,
    method: 'POST',
    type: 'urlencoded',
    body: { client_key: '{{common.clientKey}}', client_secret: '{{common.clientSecret}}', token: '{{connection.accessToken}}' },
    log: { sanitize: ['request.body.client_secret', 'request.body.token', 'response.body.error_description'] },
  },
};

const SCOPE_LABELS: Record<string, string> = {
  'user.info.basic': 'Read your TikTok profile (open_id, display name, avatar)',
  'video.publish': 'Post content directly to your TikTok profile',
  'video.upload': 'Send drafts to your TikTok inbox',
  'video.list': 'Read your public TikTok videos',
};

// ---------------------------------------------------------------- shared pieces
type Repeat = { delay: number; limit: number };
const REPEAT = repeatFromSchedule();
const waitSeconds = (r: Repeat) => Math.round(((r.limit - 1) * r.delay) / 1000);
const REPEAT_WAIT_S = waitSeconds(REPEAT);
export const FILE_REPEAT = repeatFromSchedule(defaultPollSchedule, MODULE_WAIT_BUDGET_MS - FILE_UPLOAD_ALLOWANCE_MS);

const statusOutput = {
  publishId: '{{temp.publishId}}',
  status: '{{body.data.status}}',
  postIds: '{{ifempty(body.data.publicaly_available_post_id, emptyarray)}}',
  failReason: '{{body.data.fail_reason}}',
  uploadedBytes: '{{body.data.uploaded_bytes}}',
  downloadedBytes: '{{body.data.downloaded_bytes}}',
};

const statusInterface: MakeParam[] = [
  { name: 'publishId', type: 'text', label: 'Publish ID' },
  { name: 'status', type: 'text', label: 'Status', help: 'PROCESSING_UPLOAD, PROCESSING_DOWNLOAD, SEND_TO_USER_INBOX, PUBLISH_COMPLETE or FAILED; ACCEPTED when not waiting.' },
  { name: 'postIds', type: 'array', label: 'Post IDs', spec: { type: 'text' }, help: 'Filled once the post is public and moderated.' },
  { name: 'failReason', type: 'text', label: 'Fail Reason' },
  { name: 'uploadedBytes', type: 'number', label: 'Uploaded Bytes' },
  { name: 'downloadedBytes', type: 'number', label: 'Downloaded Bytes' },
];

const RETRY_DOC =
  'Errors are typed for Make: rate limits and temporary TikTok failures are retried by Make when "Allow storing of incomplete executions" is on; a post whose outcome is unknown is never retried automatically (a Break handler with automatic retry would retry it: do not add one to Post modules).';

/** Status fetch inside a post module: `repeat` on core's schedule. Still processing afterwards is not an
 * error here (re-running a post module would post again): the bundle says so and Wait for Post continues. */
function waitRequest(repeat: Repeat = REPEAT): Record<string, unknown> {
  return {
    condition: { condition: '{{parameters.waitForCompletion}}', default: { publishId: '{{temp.publishId}}', status: 'ACCEPTED', postIds: [] } },
    url: '/v2/post/publish/status/fetch/',
    method: 'POST',
    body: { publish_id: '{{temp.publishId}}' },
    repeat: { condition: `{{${PROCESSING_CONDITION}}}`, delay: repeat.delay, limit: repeat.limit },
    response: {
      ...responseErrorDirectives({ init: false, afterInit: true, okFailure: { when: "body.data.status == 'FAILED'", branches: failedBranches('repost_on_rerun') } }),
      output: statusOutput,
    },
  };
}

interface ModuleFiles {
  meta: Record<string, unknown>;
  files: Record<string, unknown>;
}

function postModule(opts: {
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
    meta: { label: opts.label, description: `${opts.description} ${RETRY_DOC}`, moduleType: 'action', actionCrud: 'create', connection: CONNECTION },
    files: {
      communication: [
        {
          url: opts.path,
          method: 'POST',
          body: opts.body,
          response: (() => {
            const directives = responseErrorDirectives({ init: true, requireOk: "ifempty(body.data.publish_id, '') != ''" });
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
function postFileModule(opts: { label: string; description: string; path: string; params: MakeParam[]; postInfo?: Record<string, unknown>; scope: string[] }): ModuleFiles {
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

/** The catalog's fields for a kind of post as Make parameters; privacy options come from the creator (RPC). */
function params(operation: 'post_video' | 'post_photos', kind: PostKind, skip: string[] = []): MakeParam[] {
  return postFields(operation, kind)
    .filter((f) => !skip.includes(f.name))
    .map((f) => toMakeParam(f, kind, f.name === 'privacyLevel' ? { options: 'rpc://listPrivacyOptions' } : {}));
}

const op = (id: string) => catalog.operations.find((o) => o.id === id)!;

const postVideo = postModule({
    label: 'Post Video',
    description: 'Publishes a video from a public URL straight to the TikTok profile (Direct Post).',
    path: '/v2/post/publish/video/init/',
    params: [toMakeParam(fieldOf('videoUrl'), 'direct_video', { required: true }), ...params('post_video', 'direct_video', ['videoUrl'])],
    body: (() => {
      const fields = postFields('post_video', 'direct_video');
      const body = bodyFor(fields);
      return { post_info: body.post_info, source_info: { source: 'PULL_FROM_URL', ...body.source_info } };
    })(),
    scope: ['video.publish'],
  });

const uploadVideoDraft = postModule({
    label: 'Upload Video as Draft',
    description: "Sends a video from a public URL to the creator's TikTok inbox; they finish the post in the TikTok app (open the inbox notification).",
    path: '/v2/post/publish/inbox/video/init/',
    params: [toMakeParam(fieldOf('videoUrl'), 'draft_video', { required: true }), ...params('post_video', 'draft_video', ['videoUrl'])],
    body: { source_info: { source: 'PULL_FROM_URL', ...bodyFor(postFields('post_video', 'draft_video')).source_info } },
    scope: ['video.upload'],
  });

const postVideoFile = postFileModule({
  label: 'Post Video File',
  description: `Uploads a video file (up to ${MAX_FILE_MB} MB, mapped from the module that downloaded it) and publishes it straight to the TikTok profile (Direct Post). No verified domain needed.`,
  path: '/v2/post/publish/video/init/',
  params: [...fileParams, ...params('post_video', 'direct_video', ['videoUrl'])],
  postInfo: bodyFor(postFields('post_video', 'direct_video').filter((f) => f.name !== 'videoUrl')).post_info,
  scope: ['video.publish'],
});

const uploadVideoFileDraft = postFileModule({
  label: 'Upload Video File as Draft',
  description: `Uploads a video file (up to ${MAX_FILE_MB} MB) to the creator's TikTok inbox; they finish the post in the TikTok app (open the inbox notification). No verified domain needed.`,
  path: '/v2/post/publish/inbox/video/init/',
  params: [...fileParams, ...params('post_video', 'draft_video', ['videoUrl'])],
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
    nested: params('post_photos', o.value === 'draft' ? 'draft_photo' : 'direct_photo', photoCommon),
  })),
});
const photoFieldsAll = [...new Set([...postFields('post_photos', 'direct_photo'), ...postFields('post_photos', 'draft_photo')])];
const photoBody = bodyFor(photoFieldsAll, (f) => (f.name === 'coverIndex' ? '{{ifempty(parameters.coverIndex, 0)}}' : `{{parameters.${f.name}}}`));
const postPhotos = postModule({
    label: 'Post Photos',
    description: op('post_photos').description,
    path: '/v2/post/publish/content/init/',
    params: [
      photoModeParam,
      ...params('post_photos', 'direct_photo')
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

const publishIdParam = toMakeParam(fieldOf('publishId'));

/** Get Post Status reports FAILED as data, with core's verdict on the fail_reason. */
const failVerdict = asyncBranches('report_only');
const getPostStatus: ModuleFiles = {
  meta: { label: 'Get Post Status', description: op('get_status').description, moduleType: 'action', actionCrud: 'read', connection: CONNECTION },
  files: {
    communication: {
      url: '/v2/post/publish/status/fetch/',
      method: 'POST',
      body: { publish_id: '{{parameters.publishId}}' },
      response: {
        ...responseErrorDirectives({ init: false }),
        output: {
          ...statusOutput,
          publishId: '{{parameters.publishId}}',
          failAction: `{{if(body.data.status == 'FAILED', ${chooseIml(failVerdict.branches, failVerdict.fallback, 'action')}, '')}}`,
        },
      },
    },
    'mappable-params': [publishIdParam],
    interface: [...statusInterface, { name: 'failAction', type: 'text', label: 'What To Do', help: 'For FAILED posts: what the fail reason means and what to do.' }],
    scope: ['video.publish', 'video.upload'],
  },
};

const incomplete = {
  type: 'IncompleteDataError' as const,
  code: '=body.data.status',
  action: `TikTok is still processing the post after ${REPEAT_WAIT_S} s of polling. Make runs this module again later (it only reads the status, it never posts again).`,
};
const waitForPost: ModuleFiles = {
  meta: {
    label: 'Wait for Post',
    description: `Polls a post's status (every ${REPEAT.delay / 1000} s, within TikTok's 30/min status limit) until it is published, delivered to the inbox or failed. Still processing after ${REPEAT_WAIT_S} s: an incomplete-data error that Make re-runs later. ${RETRY_DOC}`,
    moduleType: 'action',
    actionCrud: 'read',
    connection: CONNECTION,
  },
  files: {
    communication: {
      url: '/v2/post/publish/status/fetch/',
      method: 'POST',
      body: { publish_id: '{{parameters.publishId}}' },
      repeat: { condition: `{{${PROCESSING_CONDITION}}}`, delay: REPEAT.delay, limit: REPEAT.limit },
      response: {
        ...responseErrorDirectives({
          init: false,
          okFailure: {
            when: `body.data.status == 'FAILED' || ${PROCESSING_CONDITION}`,
            branches: [...failedBranches('report_only'), [PROCESSING_CONDITION, incomplete]],
          },
        }),
        output: { ...statusOutput, publishId: '{{parameters.publishId}}' },
      },
    },
    'mappable-params': [publishIdParam],
    interface: statusInterface,
    scope: ['video.publish', 'video.upload'],
  },
};

const getCreatorInfo: ModuleFiles = {
  meta: { label: 'Get Creator Info', description: op('get_creator_info').description, moduleType: 'action', actionCrud: 'read', connection: CONNECTION },
  files: {
    communication: {
      url: '/v2/post/publish/creator_info/query/',
      method: 'POST',
      body: {},
      response: {
        ...responseErrorDirectives({ init: false }),
        output: {
          nickname: '{{body.data.creator_nickname}}',
          username: '{{body.data.creator_username}}',
          avatarUrl: '{{body.data.creator_avatar_url}}',
          privacyLevelOptions: '{{body.data.privacy_level_options}}',
          commentDisabled: '{{body.data.comment_disabled}}',
          duetDisabled: '{{body.data.duet_disabled}}',
          stitchDisabled: '{{body.data.stitch_disabled}}',
          maxVideoPostDurationSec: '{{body.data.max_video_post_duration_sec}}',
        },
      },
    },
    'mappable-params': [],
    interface: [
      { name: 'nickname', type: 'text', label: 'Nickname' },
      { name: 'username', type: 'text', label: 'Username' },
      { name: 'avatarUrl', type: 'url', label: 'Avatar URL' },
      { name: 'privacyLevelOptions', type: 'array', label: 'Allowed Privacy Levels', spec: { type: 'text' } },
      { name: 'commentDisabled', type: 'boolean', label: 'Comments Disabled' },
      { name: 'duetDisabled', type: 'boolean', label: 'Duet Disabled' },
      { name: 'stitchDisabled', type: 'boolean', label: 'Stitch Disabled' },
      { name: 'maxVideoPostDurationSec', type: 'uinteger', label: 'Longest Allowed Video (s)' },
    ],
    scope: ['video.publish'],
  },
};

const cancelPost: ModuleFiles = {
  meta: { label: 'Cancel a Post', description: op('cancel_post').description, moduleType: 'action', actionCrud: 'delete', connection: CONNECTION },
  files: {
    communication: {
      url: '/v2/post/publish/cancel/',
      method: 'POST',
      body: { publish_id: '{{parameters.publishId}}' },
      response: { ...responseErrorDirectives({ init: false }), output: { publishId: '{{parameters.publishId}}', cancelled: true } },
    },
    'mappable-params': [publishIdParam],
    interface: [
      { name: 'publishId', type: 'text', label: 'Publish ID' },
      { name: 'cancelled', type: 'boolean', label: 'Cancelled' },
    ],
    scope: ['video.publish', 'video.upload'],
  },
};

// ---------------------------------------------------------------- triggers
const VIDEO_FIELDS = 'id,create_time,title,video_description,share_url,cover_image_url,duration,embed_link';
const watchNewVideos: ModuleFiles = {
  meta: {
    label: 'Watch New Published Videos',
    description: 'Triggers when a new video appears on the TikTok profile (newest first, from the Display API).',
    moduleType: 'trigger',
    connection: CONNECTION,
  },
  files: {
    communication: {
      url: '/v2/video/list/',
      method: 'POST',
      qs: { fields: VIDEO_FIELDS },
      body: { max_count: 20 },
      pagination: { body: { cursor: '{{body.data.cursor}}', max_count: 20 }, condition: '{{body.data.has_more}}' },
      response: {
        ...responseErrorDirectives({ init: false }),
        limit: '{{parameters.limit}}',
        iterate: '{{body.data.videos}}',
        trigger: { type: 'date', order: 'desc', id: '{{item.id}}', date: "{{parseDate(item.create_time, 'X')}}" },
        output: {
          id: '{{item.id}}',
          createdAt: "{{parseDate(item.create_time, 'X')}}",
          title: '{{item.title}}',
          description: '{{item.video_description}}',
          shareUrl: '{{item.share_url}}',
          coverImageUrl: '{{item.cover_image_url}}',
          durationSec: '{{item.duration}}',
          embedLink: '{{item.embed_link}}',
        },
      },
    },
    'static-params': [{ name: 'limit', type: 'uinteger', label: 'Maximum number of videos', help: 'Per run.', default: 10, required: true, validate: { min: 1, max: 100 } }],
    interface: [
      { name: 'id', type: 'text', label: 'Video ID' },
      { name: 'createdAt', type: 'date', label: 'Created At' },
      { name: 'title', type: 'text', label: 'Title' },
      { name: 'description', type: 'text', label: 'Description' },
      { name: 'shareUrl', type: 'url', label: 'Share URL' },
      { name: 'coverImageUrl', type: 'url', label: 'Cover Image URL' },
      { name: 'durationSec', type: 'uinteger', label: 'Duration (s)' },
      { name: 'embedLink', type: 'url', label: 'Embed Link' },
    ],
    scope: ['video.list'],
  },
};

// TikTok sends every event of the app to one callback URL: a shared webhook, routed to the connection
// whose info uid (open_id) equals user_openid. Never throw here: answer 200 at once.
const webhookCommunication = {
  respond: { status: 200, type: 'json', body: { received: true } },
  uid: '{{body.user_openid}}',
  condition: "{{contains(body.event, 'post.publish.')}}",
  output: {
    // TikTok's v2 table spells it "publicaly"; both spellings arrive as the correct one.
    event: "{{replace(body.event, 'publicaly', 'publicly')}}",
    createdAt: "{{parseDate(body.create_time, 'X')}}",
    openId: '{{body.user_openid}}',
    publishId: "{{get(parseJSON(body.content), 'publish_id')}}",
    publishType: "{{get(parseJSON(body.content), 'publish_type')}}",
    postId: "{{get(parseJSON(body.content), 'post_id')}}",
    failReason: "{{get(parseJSON(body.content), 'reason')}}",
    content: '{{parseJSON(body.content)}}',
  },
};

const watchPostEvents: ModuleFiles = {
  meta: {
    label: 'Watch Post Events',
    description:
      "Triggers on TikTok's post.publish.* webhooks (complete, failed, inbox delivered, publicly available, no longer publicly available) for this connection's account. The app's TikTok callback URL is set once by the app owner.",
    moduleType: 'instant_trigger',
    connection: CONNECTION,
    webhook: WEBHOOK,
  },
  files: {
    interface: [
      { name: 'event', type: 'text', label: 'Event' },
      { name: 'createdAt', type: 'date', label: 'Created At' },
      { name: 'openId', type: 'text', label: 'Open ID' },
      { name: 'publishId', type: 'text', label: 'Publish ID' },
      { name: 'publishType', type: 'text', label: 'Publish Type' },
      { name: 'postId', type: 'text', label: 'Post ID' },
      { name: 'failReason', type: 'text', label: 'Fail Reason' },
      { name: 'content', type: 'any', label: 'Content (parsed)' },
    ],
    samples: { event: 'post.publish.complete', createdAt: '2026-11-25T12:00:00.000Z', openId: 'afd97af1-b87b-48b9-ac98-410aghda5344', publishId: 'v_pub_url~v2.123456789', publishType: 'DIRECT_PUBLISH' },
  },
};

// ---------------------------------------------------------------- RPC
const privacyLabels = catalog.fields.find((f) => f.name === 'privacyLevel')!.options!;
const listPrivacyOptions = {
  url: '/v2/post/publish/creator_info/query/',
  method: 'POST',
  body: {},
  response: {
    ...responseErrorDirectives({ init: false }),
    iterate: '{{body.data.privacy_level_options}}',
    output: {
      label: `{{${privacyLabels.reduceRight((acc, o) => `if(item == '${o.value}', '${o.label}', ${acc})`, 'item')}}}`,
      value: '{{item}}',
    },
  },
};

// ---------------------------------------------------------------- assembly
const MODULES: Record<string, ModuleFiles> = {
  postVideo,
  uploadVideoDraft,
  postVideoFile,
  uploadVideoFileDraft,
  postPhotos,
  getPostStatus,
  waitForPost,
  getCreatorInfo,
  cancelPost,
  watchNewVideos,
  watchPostEvents,
};

const kebab = (id: string) => id.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const CODE_KEYS: Record<string, string> = {
  communication: 'communication',
  'static-params': 'staticParams',
  'mappable-params': 'mappableParams',
  interface: 'interface',
  samples: 'samples',
  scope: 'scope',
  params: 'params',
  'oauth-communication': 'communication',
  'scope-list': 'scopeList',
  'default-scope': 'defaultScope',
  code: 'code',
  test: 'test',
};

const EXTENSIONS: Record<string, string> = { samples: 'json', code: 'js', test: 'js' };

function codeFile(type: string, id: string, code: string): string {
  const ext = EXTENSIONS[code] ?? 'iml.json';
  return `${type}s/${kebab(id)}/${kebab(id)}.${code}.${ext}`;
}

export const README_MD = `# TikTok by tokpipe

Post videos and photo carousels to TikTok, follow them to publication and react to TikTok's post events.

- **Post Video**, **Upload Video as Draft**, **Post Photos** create posts from URLs (optionally waiting up to ${REPEAT_WAIT_S} s).
- **Post Video File** and **Upload Video File as Draft** upload a video file (up to ${MAX_FILE_MB} MB) mapped from
  the module that downloaded it (Google Drive, Dropbox, HTTP): no verified domain needed (optionally waiting
  up to ${waitSeconds(FILE_REPEAT)} s).
- **Wait for Post** and **Get Post Status** follow a post; **Get Creator Info** tells what the account may post.
- **Watch Post Events** (instant) and **Watch New Published Videos** (polling) start scenarios.

Turn on *Allow storing of incomplete executions* in the scenario settings: rate limits and temporary
TikTok failures are then retried by Make automatically. A post whose outcome is unknown is not retried
automatically. Do not give the Post modules a Break handler with automatic retry: it would retry every
error, that one included.
`;

/** Every generated file: path under src/ → JSON value (or text for README.md). */
export function generateApp(): Map<string, unknown> {
  const files = new Map<string, unknown>();
  const components: Record<string, Record<string, unknown>> = { connection: {}, webhook: {}, module: {}, rpc: {}, function: {}, endpoint: {} };

  const connFiles: Record<string, unknown> = {
    'oauth-communication': oauthCommunication,
    params: [],
    'scope-list': SCOPE_LABELS,
    'default-scope': Object.keys(SCOPE_LABELS),
  };
  components.connection[CONNECTION] = { label: 'TikTok', connectionType: 'oauth', codeFiles: {} };
  for (const [code, value] of Object.entries(connFiles)) {
    const path = codeFile('connection', CONNECTION, code);
    files.set(path, value);
    (components.connection[CONNECTION] as { codeFiles: Record<string, string> }).codeFiles[CODE_KEYS[code]!] = path;
  }

  components.webhook[WEBHOOK] = { label: 'TikTok Post Events', webhookType: 'web-shared', connection: CONNECTION, codeFiles: {} };
  for (const [code, value] of Object.entries({ communication: webhookCommunication, params: [] })) {
    const path = codeFile('webhook', WEBHOOK, code);
    files.set(path, value);
    (components.webhook[WEBHOOK] as { codeFiles: Record<string, string> }).codeFiles[CODE_KEYS[code]!] = path;
  }

  for (const [id, module] of Object.entries(MODULES)) {
    const codeFiles: Record<string, string> = {};
    for (const [code, value] of Object.entries(module.files)) {
      const path = codeFile('module', id, code);
      files.set(path, value);
      codeFiles[CODE_KEYS[code]!] = path;
    }
    components.module[id] = { ...module.meta, codeFiles };
  }

  const rpcId = 'listPrivacyOptions';
  const rpcFiles = { communication: listPrivacyOptions, params: [] };
  components.rpc[rpcId] = { label: 'List Privacy Options', connection: CONNECTION, codeFiles: {} };
  for (const [code, value] of Object.entries(rpcFiles)) {
    const path = codeFile('rpc', rpcId, code);
    files.set(path, value);
    (components.rpc[rpcId] as { codeFiles: Record<string, string> }).codeFiles[CODE_KEYS[code]!] = path;
  }

  for (const id of CUSTOM_FUNCTION_IDS) {
    const codeFiles: Record<string, string> = {};
    for (const [code, value] of Object.entries(customFunctionSource(id))) {
      const path = codeFile('function', id, code);
      files.set(path, value);
      codeFiles[CODE_KEYS[code]!] = path;
    }
    components.function[id] = { codeFiles };
  }

  files.set('general/base.iml.json', base);
  files.set('modules/groups.json', [
    { label: 'Post', modules: ['postVideo', 'postVideoFile', 'uploadVideoDraft', 'uploadVideoFileDraft', 'postPhotos'] },
    { label: 'Follow a post', modules: ['waitForPost', 'getPostStatus', 'cancelPost', 'getCreatorInfo'] },
    { label: 'Triggers', modules: ['watchPostEvents', 'watchNewVideos'] },
  ]);
  files.set('README.md', README_MD);
  files.set('makecomapp.json', {
    fileVersion: 1,
    generalCodeFiles: { base: 'general/base.iml.json', common: 'general/common.json', readme: 'README.md', groups: 'modules/groups.json' },
    components,
    origins: [],
  });
  return files;
}

/** File text exactly as committed. */
export function renderFile(path: string, value: unknown): string {
  if (path.endsWith('.md') || path.endsWith('.js')) return String(value);
  return `${JSON.stringify(value, null, 2)}\n`;
}
