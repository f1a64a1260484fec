// THE classification table: every failure tokpipe can meet, as data. classify.ts only looks rows up.
// Sources: ../shared/reference/tiktok-content-posting-api.md (§1 endpoints, §2 codes and fail_reasons,
// §4.5 OAuth errors). Numeric "blog" codes (2200002, 40002...) are not TikTok v2 codes and are not here.
import type { Disposition, ErrorCategory, ErrorClassification, ErrorLayer } from './types';

/** Every endpoint the client calls. `init` marks the calls that create a post: a lost reply there
 * means the outcome is unknown and the call must never be repeated blindly. */
export type Endpoint =
  | 'creator_info'
  | 'video_init'
  | 'inbox_video_init'
  | 'content_init'
  | 'status_fetch'
  | 'cancel'
  | 'user_info'
  | 'video_list'
  | 'upload'
  | 'oauth_token'
  | 'oauth_revoke';

export interface EndpointSpec {
  method: 'GET' | 'POST' | 'PUT';
  /** Path under the base URL; the upload goes to the `upload_url` TikTok returned. */
  path: string;
  /** Any one of these scopes suffices (empty: no scope check). */
  scopes: readonly string[];
  init: boolean;
}

export const ENDPOINTS: Readonly<Record<Endpoint, EndpointSpec>> = Object.freeze({
  creator_info: {
    method: 'POST',
    path: '/v2/post/publish/creator_info/query/',
    scopes: ['video.publish'],
    init: false,
  },
  video_init: { method: 'POST', path: '/v2/post/publish/video/init/', scopes: ['video.publish'], init: true },
  inbox_video_init: {
    method: 'POST',
    path: '/v2/post/publish/inbox/video/init/',
    scopes: ['video.upload'],
    init: true,
  },
  // DIRECT_POST needs video.publish, MEDIA_UPLOAD video.upload.
  content_init: {
    method: 'POST',
    path: '/v2/post/publish/content/init/',
    scopes: ['video.publish', 'video.upload'],
    init: true,
  },
  status_fetch: {
    method: 'POST',
    path: '/v2/post/publish/status/fetch/',
    scopes: ['video.publish', 'video.upload'],
    init: false,
  },
  cancel: { method: 'POST', path: '/v2/post/publish/cancel/', scopes: ['video.publish', 'video.upload'], init: false },
  user_info: { method: 'GET', path: '/v2/user/info/', scopes: ['user.info.basic'], init: false },
  video_list: { method: 'POST', path: '/v2/video/list/', scopes: ['video.list'], init: false },
  upload: { method: 'PUT', path: '', scopes: [], init: false },
  oauth_token: { method: 'POST', path: '/v2/oauth/token/', scopes: [], init: false },
  oauth_revoke: { method: 'POST', path: '/v2/oauth/revoke/', scopes: [], init: false },
});

export function isInitEndpoint(endpoint: Endpoint | undefined): boolean {
  return endpoint !== undefined && ENDPOINTS[endpoint].init;
}

/** Conditions under which a row applies; rows are matched in order, first match wins. */
export interface RowCondition {
  /** The call was an init (post-creating) call. */
  init?: boolean;
  /** The request may have reached the server (transport failures). */
  requestSent?: boolean;
  /** Inclusive HTTP status range. */
  status?: readonly [number, number];
}

export interface ClassificationRow extends ErrorClassification {
  when?: RowCondition;
  /** What the failure means, in one sentence (used in messages). */
  meaning: string;
  /** HTTP statuses TikTok documents for this code (application rows; 200 = arrives with HTTP 200). */
  documentedStatus?: readonly number[];
  /** How long to wait when the server does not say (rate-limit windows). */
  defaultRetryAfterMs?: number;
}

/** Category and retryable follow from the disposition unless a row says otherwise. */
const DISPOSITION_TRAITS: Readonly<Record<Disposition, { category: ErrorCategory; retryable: boolean }>> = {
  retry: { category: 'retryable', retryable: true },
  retry_after_refresh: { category: 'retryable', retryable: true },
  wait_for_quota: { category: 'retryable', retryable: true },
  route_to_another_account: { category: 'not_retryable', retryable: false },
  fix_input: { category: 'not_retryable', retryable: false },
  needs_human: { category: 'needs_human', retryable: false },
  reauthorize: { category: 'needs_human', retryable: false },
  unknown_outcome: { category: 'needs_human', retryable: false },
};

type RowSpec = Omit<
  ClassificationRow,
  'layer' | 'code' | 'disposition' | 'category' | 'retryable' | 'action' | 'meaning'
> &
  Partial<Pick<ClassificationRow, 'category' | 'retryable'>>;

function row(
  layer: ErrorLayer,
  code: string,
  disposition: Disposition,
  meaning: string,
  action: string,
  spec: RowSpec = {},
): ClassificationRow {
  const traits = DISPOSITION_TRAITS[disposition];
  const base = {
    layer,
    code,
    disposition,
    category: spec.category ?? traits.category,
    retryable: spec.retryable ?? traits.retryable,
    action,
    meaning,
  };
  return layer === 'async' ? { ...base, failReason: code, ...spec } : { ...base, ...spec };
}

const SENT = { requestSent: true } as const;
const INIT_SENT = { init: true, requestSent: true } as const;
const NOT_SENT = { requestSent: false } as const;
const UNKNOWN_ACTION =
  'TikTok may have created this post: check the account (or let reconciliation do it) before posting again.';
const DAY_MS = 24 * 60 * 60_000;

/** Polling ended on replies that could not be read: nobody knows whether the post is published. */
export const UNREADABLE_STATUS_ACTION =
  'Whether TikTok published it is not known: check later with `tokpipe status PUBLISH_ID` or in the TikTok app (reconciliation keeps checking). Do not post again.';

/** Transport: below TikTok's JSON envelope. Codes are the TransportError kinds plus our own names for
 * replies that are not TikTok JSON. */
/** How a failure below HTTP reads: a timeout says it was one (the request may still have arrived). */
const FAILED_HOW: Readonly<Record<'reset' | 'timeout' | 'aborted' | 'other', string>> = {
  reset: 'The connection was reset',
  timeout: 'TikTok did not answer within the request timeout',
  aborted: 'The request was aborted',
  other: 'The connection failed',
};

const transportRows: ClassificationRow[] = [
  row(
    'transport',
    'dns',
    'retry',
    'The API host name could not be resolved.',
    'Check the network and the API base URL; tokpipe retries with backoff.',
  ),
  row(
    'transport',
    'refused',
    'retry',
    'The API host refused the connection.',
    'Check the network and the API base URL; tokpipe retries with backoff.',
  ),
  row(
    'transport',
    'tls',
    'retry',
    'The TLS handshake with the API host failed.',
    'Check the network, proxy and system clock; tokpipe retries with backoff.',
  ),
  ...(['reset', 'timeout', 'aborted', 'other'] as const).flatMap((kind) => [
    row(
      'transport',
      kind,
      'retry',
      `${kind === 'timeout' ? 'The request timed out' : FAILED_HOW[kind]} before it was sent.`,
      'Nothing reached TikTok; tokpipe retries with backoff.',
      { when: NOT_SENT },
    ),
    row(
      'transport',
      kind,
      'unknown_outcome',
      `${FAILED_HOW[kind]} after the post request was sent: TikTok may have created the post.`,
      UNKNOWN_ACTION,
      { when: INIT_SENT },
    ),
    row(
      'transport',
      kind,
      'retry',
      `${FAILED_HOW[kind]} after the request was sent.`,
      'Temporary network failure; tokpipe retries with backoff.',
      { when: SENT },
    ),
  ]),
  row(
    'transport',
    'gateway_error',
    'unknown_outcome',
    'A gateway error page (HTTP 5xx, not TikTok JSON) answered the post request.',
    UNKNOWN_ACTION,
    { when: { init: true } },
  ),
  row(
    'transport',
    'gateway_error',
    'retry',
    'A gateway error page (HTTP 5xx, not TikTok JSON) answered.',
    'TikTok or a proxy is briefly unavailable; tokpipe retries with backoff.',
  ),
  row(
    'transport',
    'rate_limited',
    'wait_for_quota',
    'HTTP 429 without a TikTok error body.',
    'Too many requests: tokpipe waits for the rate-limit window.',
    { defaultRetryAfterMs: 60_000 },
  ),
  row(
    'transport',
    'empty_body',
    'unknown_outcome',
    'The post request was answered with an empty body.',
    UNKNOWN_ACTION,
    { when: { init: true, status: [200, 299] } },
  ),
  row(
    'transport',
    'empty_body',
    'retry',
    'TikTok answered with an empty body.',
    'Temporary failure; tokpipe retries with backoff.',
    { when: { status: [200, 299] } },
  ),
  row(
    'transport',
    'empty_body',
    'needs_human',
    'The server answered an error status with an empty body.',
    'Check the API base URL and any proxy in between; TikTok always sends a JSON error.',
  ),
  // Replies with no error (error.code "ok", or none at all) that still lack what the call returns.
  row(
    'transport',
    'malformed_reply',
    'unknown_outcome',
    "TikTok's reply to the post request reported no error but carried no publish_id.",
    UNKNOWN_ACTION,
    { when: { init: true } },
  ),
  row(
    'transport',
    'malformed_reply',
    'retry',
    "TikTok's reply reported no error but lacked the data this call returns.",
    'Temporary failure; tokpipe retries with backoff.',
  ),
  row(
    'transport',
    'non_json',
    'unknown_outcome',
    'The post request was answered with something that is not TikTok JSON.',
    UNKNOWN_ACTION,
    { when: { init: true, status: [200, 299] } },
  ),
  row(
    'transport',
    'non_json',
    'retry',
    'TikTok answered with something that is not JSON.',
    'Temporary failure; tokpipe retries with backoff.',
    { when: { status: [200, 299] } },
  ),
  row(
    'transport',
    'non_json',
    'needs_human',
    'The server answered with a page that is not TikTok JSON.',
    "Check the API base URL and any proxy in between: this reply did not come from TikTok's API.",
  ),
];

/** Application: TikTok's `error.code`, read whatever the HTTP status (some arrive with HTTP 200). */
const applicationRows: ClassificationRow[] = [
  row(
    'application',
    'invalid_param',
    'fix_input',
    'TikTok rejected a field of the request.',
    "Fix the field named in TikTok's message and post again.",
    { documentedStatus: [400] },
  ),
  row(
    'application',
    'invalid_params',
    'fix_input',
    'TikTok rejected a field of the request.',
    "Fix the field named in TikTok's message and post again.",
    { documentedStatus: [400] },
  ),
  row(
    'application',
    'invalid_file_upload',
    'fix_input',
    "The file does not meet TikTok's specs.",
    "Use an MP4/WebM/MOV video within TikTok's size, duration and frame-rate limits.",
    { documentedStatus: [400] },
  ),
  row(
    'application',
    'app_version_check_failed',
    'needs_human',
    "Photo drafts need TikTok app version 31.8 or later on the creator's phone.",
    'Ask the creator to update the TikTok app, then post again.',
    { documentedStatus: [400] },
  ),
  row(
    'application',
    'invalid_publish_id',
    'fix_input',
    'No post has this publish_id.',
    'Check the publish_id: it must come from an init call made with this account.',
    { documentedStatus: [400] },
  ),
  row(
    'application',
    'token_not_authorized_for_specified_publish_id',
    'fix_input',
    'This publish_id belongs to another account.',
    'Use the account that created the post.',
    { documentedStatus: [400] },
  ),
  row(
    'application',
    'publish_not_cancellable',
    'fix_input',
    'The post is already final or past the download stage.',
    "Nothing to cancel: check the post's status instead.",
    { documentedStatus: [400] },
  ),
  row(
    'application',
    'scope_permission_missed',
    'reauthorize',
    'The requested fields need scopes the user did not grant.',
    'Reconnect the TikTok account and grant the missing scopes, or ask for fewer fields.',
    { documentedStatus: [400] },
  ),
  row(
    'application',
    'spam_risk_too_many_posts',
    'route_to_another_account',
    'This creator used up the daily Direct Post cap (about 15 a day, shared by all apps).',
    'Post from another account, or wait up to 24 hours for this one.',
    { documentedStatus: [403, 200], defaultRetryAfterMs: DAY_MS },
  ),
  row(
    'application',
    'spam_risk_user_banned_from_posting',
    'needs_human',
    'TikTok banned this creator from posting.',
    'The creator must resolve the ban with TikTok; do not retry.',
    { documentedStatus: [403, 200] },
  ),
  row(
    'application',
    'reached_active_user_cap',
    'wait_for_quota',
    'This app reached its daily cap of active posting users.',
    'Wait up to 24 hours or post from an account that already posted today; the app owner can ask TikTok for a higher cap.',
    { documentedStatus: [403, 200], retryable: false, category: 'not_retryable', defaultRetryAfterMs: DAY_MS },
  ),
  row(
    'application',
    'spam_risk_too_many_pending_share',
    'route_to_another_account',
    'This creator has 5 drafts pending in the last 24 hours.',
    'Ask the creator to post or delete the drafts in the TikTok app, or use another account.',
    { documentedStatus: [403], defaultRetryAfterMs: DAY_MS },
  ),
  row(
    'application',
    'unaudited_client_can_only_post_to_private_accounts',
    'needs_human',
    'Unaudited apps may only post to private accounts.',
    'Make the TikTok account private, or get the app audited by TikTok.',
    { documentedStatus: [403] },
  ),
  row(
    'application',
    'url_ownership_unverified',
    'needs_human',
    'The media URL is not on a domain or URL prefix verified for this app.',
    'Verify the media domain in the TikTok developer portal, or host the media on a verified domain (pre-signed CDN URLs cannot be verified).',
    { documentedStatus: [403, 200] },
  ),
  row(
    'application',
    'privacy_level_option_mismatch',
    'fix_input',
    'The privacy level is missing or not one this creator may use.',
    "Choose a privacy level from the creator's privacy_level_options (creator info).",
    { documentedStatus: [403] },
  ),
  row(
    'application',
    'access_token_invalid',
    'retry_after_refresh',
    'The access token is invalid or expired.',
    'tokpipe refreshes the token and tries again; if that fails, reconnect the account.',
    { documentedStatus: [401] },
  ),
  row(
    'application',
    'scope_not_authorized',
    'reauthorize',
    'The user did not grant the scope this call needs.',
    'Reconnect the TikTok account and grant video.publish (direct posts) or video.upload (drafts).',
    { documentedStatus: [401] },
  ),
  row(
    'application',
    'rate_limit_exceeded',
    'wait_for_quota',
    'Too many requests for this token and endpoint.',
    'tokpipe waits for the per-minute window and tries again.',
    { documentedStatus: [429], defaultRetryAfterMs: 60_000 },
  ),
  row(
    'application',
    'internal_error',
    'retry',
    'TikTok reported an internal error.',
    'Temporary TikTok failure; tokpipe retries with backoff.',
    { documentedStatus: [500] },
  ),
  // Undocumented codes: judged by HTTP status.
  row(
    'application',
    'unknown_error',
    'retry_after_refresh',
    'TikTok refused the token with an undocumented code.',
    'tokpipe refreshes the token and tries again; if that fails, reconnect the account.',
    { when: { status: [401, 401] } },
  ),
  row(
    'application',
    'unknown_error',
    'wait_for_quota',
    'TikTok rate-limited the request with an undocumented code.',
    'tokpipe waits for the rate-limit window.',
    { when: { status: [429, 429] }, defaultRetryAfterMs: 60_000 },
  ),
  row(
    'application',
    'unknown_error',
    'unknown_outcome',
    'TikTok answered the post request with an undocumented server error.',
    UNKNOWN_ACTION,
    { when: { init: true, status: [500, 599] } },
  ),
  row(
    'application',
    'unknown_error',
    'retry',
    'TikTok answered with an undocumented server error.',
    'Temporary TikTok failure; tokpipe retries with backoff.',
    { when: { status: [500, 599] } },
  ),
  row(
    'application',
    'unknown_error',
    'needs_human',
    'TikTok answered with an undocumented error code.',
    "Read TikTok's message below; report it to the tokpipe maintainers if it persists.",
  ),
];

/** Upload PUT replies (§1.5): TikTok documents statuses, not codes, so these codes are ours. */
const uploadRows: ClassificationRow[] = [
  row(
    'application',
    'upload_bad_request',
    'needs_human',
    'TikTok rejected the chunk headers (HTTP 400).',
    'This is a tokpipe bug: report it with the log.',
  ),
  row(
    'application',
    'upload_url_expired',
    'needs_human',
    'The upload URL expired (it is valid for 1 hour).',
    'Start the post again to get a fresh upload URL.',
  ),
  row(
    'application',
    'upload_not_found',
    'needs_human',
    'No upload task matches this upload URL.',
    'Start the post again; the upload URL must be used exactly as TikTok returned it.',
  ),
  row(
    'application',
    'upload_range_mismatch',
    'retry',
    'The chunk range does not match the upload progress (HTTP 416).',
    'tokpipe resumes from the range TikTok reports.',
  ),
  row(
    'application',
    'upload_server_error',
    'retry',
    'TikTok failed to store this chunk (HTTP 5xx).',
    'tokpipe re-sends this chunk.',
  ),
  row(
    'application',
    'upload_unexpected_status',
    'needs_human',
    'TikTok answered the chunk with an unexpected status.',
    'Report this to the tokpipe maintainers with the log.',
  ),
  row(
    'application',
    'upload_source_failed',
    'retry',
    'The video could not be read while it was being uploaded.',
    'Nothing is published: TikTok drops an unfinished upload after an hour. Posting again resumes the upload where it stopped; if it fails again, check the file or its download link.',
  ),
];

/** Upload PUT statuses (reference §1.5) → the upload rows above; 5xx is upload_server_error, any other
 * failure upload_unexpected_status. */
export const UPLOAD_CODE_BY_STATUS: Readonly<Record<number, string>> = Object.freeze({
  400: 'upload_bad_request',
  403: 'upload_url_expired',
  404: 'upload_not_found',
  416: 'upload_range_mismatch',
});

/** The upload row for a failed chunk PUT's HTTP status. */
export function uploadCodeForStatus(status: number): string {
  return UPLOAD_CODE_BY_STATUS[status] ?? (status >= 500 ? 'upload_server_error' : 'upload_unexpected_status');
}

/** Async: `fail_reason` of a FAILED publish (status fetch or the post.publish.failed webhook). */
const asyncRows: ClassificationRow[] = [
  row(
    'async',
    'file_format_check_failed',
    'fix_input',
    'TikTok does not support this media format.',
    'Use MP4 (H.264) or WebM/MOV video, JPEG or WebP photos.',
  ),
  row(
    'async',
    'duration_check_failed',
    'fix_input',
    'The video is too long or too short for this creator.',
    "Trim the video to the creator's max_video_post_duration_sec (creator info).",
  ),
  row(
    'async',
    'frame_rate_check_failed',
    'fix_input',
    'TikTok does not support this frame rate.',
    'Re-encode the video at 23 to 60 FPS.',
  ),
  row(
    'async',
    'picture_size_check_failed',
    'fix_input',
    'TikTok does not support this picture size.',
    'Use 360 to 4096 px video (photos at most 1080p).',
  ),
  row(
    'async',
    'internal',
    'retry',
    "Part of TikTok's servers was unavailable.",
    'tokpipe posts again with the same media (at most 3 attempts in all).',
  ),
  row(
    'async',
    'video_pull_failed',
    'retry',
    'TikTok could not download the video (connection error or 1-hour timeout).',
    'Make sure the URL is public, does not redirect and is not bandwidth-limited; tokpipe posts again.',
  ),
  row(
    'async',
    'photo_pull_failed',
    'retry',
    'TikTok could not download a photo.',
    'Make sure every photo URL is public and does not redirect; tokpipe posts again.',
  ),
  row(
    'async',
    'publish_cancelled',
    'needs_human',
    'The post was cancelled through the cancel endpoint.',
    'Post again if the cancellation was a mistake.',
  ),
  row(
    'async',
    'auth_removed',
    'reauthorize',
    "The creator removed this app's access during the upload.",
    'Reconnect the TikTok account; do not retry before that.',
  ),
  row(
    'async',
    'spam_risk_too_many_posts',
    'route_to_another_account',
    'This creator used up the daily post cap.',
    'Post from another account, or wait up to 24 hours.',
  ),
  row(
    'async',
    'spam_risk_user_banned_from_posting',
    'needs_human',
    'TikTok banned this creator from posting.',
    'The creator must resolve the ban with TikTok; do not retry.',
  ),
  row(
    'async',
    'spam_risk_text',
    'fix_input',
    'TikTok judged the caption risky or spammy.',
    'Rewrite the caption (fewer links, hashtags and mentions); do not retry it as is.',
  ),
  row(
    'async',
    'spam_risk',
    'needs_human',
    'TikTok judged the request risky.',
    'Do not retry: review the content and the account with the creator.',
  ),
  row(
    'async',
    'unknown_fail_reason',
    'needs_human',
    'TikTok failed the post for an undocumented reason.',
    'Check the post in the TikTok app; report the reason to the tokpipe maintainers.',
  ),
];

/** OAuth: the flat `{error, error_description}` replies of /v2/oauth/* (§4.5). */
const oauthRows: ClassificationRow[] = [
  row(
    'oauth',
    'access_denied',
    'reauthorize',
    'The user declined the authorization.',
    'Connect the account again and approve the requested permissions.',
  ),
  row(
    'oauth',
    'invalid_client',
    'needs_human',
    'TikTok does not recognise the client key or secret.',
    "Check TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET (the app's credentials in the developer portal).",
  ),
  row(
    'oauth',
    'invalid_grant',
    'reauthorize',
    'The code or refresh token is invalid, expired, revoked or issued to another app.',
    'Connect the TikTok account again.',
  ),
  row(
    'oauth',
    'invalid_request',
    'needs_human',
    'TikTok rejected the OAuth request (e.g. redirect URI mismatch or a bad PKCE verifier).',
    'Check the redirect URI registered in the developer portal and the app configuration.',
  ),
  row(
    'oauth',
    'invalid_scope',
    'needs_human',
    'A requested scope is not approved for this app.',
    'Request only the scopes the app is approved for in the developer portal.',
  ),
  row(
    'oauth',
    'unauthorized_client',
    'needs_human',
    'This app may not use this grant.',
    "Check the app's Login Kit configuration in the developer portal.",
  ),
  row(
    'oauth',
    'unsupported_grant_type',
    'needs_human',
    'TikTok does not support this grant type for the app.',
    'Report this to the tokpipe maintainers.',
  ),
  row(
    'oauth',
    'unsupported_response_type',
    'needs_human',
    'TikTok does not support this response type.',
    'Report this to the tokpipe maintainers.',
  ),
  row(
    'oauth',
    'server_error',
    'retry',
    "TikTok's authorization server failed.",
    'Temporary TikTok failure; tokpipe retries with backoff.',
  ),
  row(
    'oauth',
    'temporarily_unavailable',
    'retry',
    "TikTok's authorization server is briefly unavailable.",
    'tokpipe retries with backoff.',
  ),
  row(
    'oauth',
    'unknown_oauth_error',
    'needs_human',
    'TikTok answered the OAuth request with an undocumented error.',
    "Read TikTok's message below and check the app configuration.",
  ),
];

/** Structural: things the official API cannot do. Refused before any request. */
const structuralRows: ClassificationRow[] = [
  row(
    'structural',
    'sound_by_url',
    'fix_input',
    "TikTok's Content Posting API cannot attach a sound from a URL.",
    'Mix the audio into the video file before posting, or add the sound in the TikTok app (drafts).',
  ),
  row(
    'structural',
    'sound_by_id',
    'fix_input',
    "TikTok's Content Posting API cannot attach a TikTok sound by ID.",
    'Post as a draft and pick the sound in the TikTok app, or mix the audio into the video.',
  ),
  row(
    'structural',
    'location',
    'fix_input',
    "TikTok's Content Posting API cannot tag a location.",
    'Post as a draft and add the location in the TikTok app.',
  ),
  row(
    'structural',
    'effects',
    'fix_input',
    "TikTok's Content Posting API cannot apply effects.",
    'Render effects into the video before posting, or post as a draft and edit in the TikTok app.',
  ),
  row(
    'structural',
    'overlays',
    'fix_input',
    "TikTok's Content Posting API cannot add text or sticker overlays.",
    'Render overlays into the video before posting, or post as a draft and edit in the TikTok app.',
  ),
];

/** Our own validation (nothing sent). */
const inputRows: ClassificationRow[] = [
  row(
    'input',
    'invalid_input',
    'fix_input',
    'The request is invalid.',
    'Fix the named field and try again; nothing was sent to TikTok.',
  ),
  row(
    'input',
    'missing_scope',
    'reauthorize',
    'The account did not grant the scope this post needs.',
    'Reconnect the TikTok account and grant the missing scope; nothing was sent to TikTok.',
  ),
  row(
    'input',
    'creator_cannot_post',
    'fix_input',
    "The request does not fit this creator's settings (creator info).",
    "Adjust the named field to the creator's options; nothing was sent to TikTok.",
  ),
];

/** tokpipe's own outcome states (not TikTok codes, never a fail_reason): the post may exist but has no
 * final answer. Layer 'async' like the rest of a post's life, but kept out of `classificationTable`
 * and without `failReason`, so nothing that enumerates TikTok's fail_reasons ever meets them. */
export type OutcomeCode = 'unconfirmed' | 'interrupted_init';

export const outcomeRows: readonly ClassificationRow[] = Object.freeze(
  [
    row(
      'async',
      'unconfirmed',
      'unknown_outcome',
      'TikTok gave no final status within the polling budget.',
      'TikTok is still processing; check the status later (reconciliation keeps checking). Do not post again.',
    ),
    row(
      'async',
      'interrupted_init',
      'unknown_outcome',
      "The post was interrupted before TikTok's answer to it was recorded.",
      UNKNOWN_ACTION,
    ),
  ].map(({ failReason: _notTikToks, ...r }) => Object.freeze(r)),
);

export function lookupOutcomeRow(code: OutcomeCode): ClassificationRow {
  return outcomeRows.find((r) => r.code === code)!;
}

export const classificationTable: readonly ClassificationRow[] = Object.freeze(
  [
    ...transportRows,
    ...applicationRows,
    ...uploadRows,
    ...asyncRows,
    ...oauthRows,
    ...structuralRows,
    ...inputRows,
  ].map((r) => Object.freeze(r)),
);

/** The codes each layer documents, for tests and adapters' docs. */
export const FALLBACK_CODES: Readonly<Partial<Record<ErrorLayer, string>>> = Object.freeze({
  application: 'unknown_error',
  async: 'unknown_fail_reason',
  oauth: 'unknown_oauth_error',
});

export interface LookupContext {
  init?: boolean;
  requestSent?: boolean;
  status?: number;
}

function matches(condition: RowCondition | undefined, ctx: LookupContext): boolean {
  if (!condition) return true;
  if (condition.init !== undefined && condition.init !== Boolean(ctx.init)) return false;
  if (condition.requestSent !== undefined && condition.requestSent !== Boolean(ctx.requestSent)) return false;
  if (condition.status) {
    if (ctx.status === undefined || ctx.status < condition.status[0] || ctx.status > condition.status[1]) return false;
  }
  return true;
}

/** The first row of `layer` for `code` whose conditions hold; the layer's fallback row when the code
 * is not documented; undefined when neither exists. */
export function lookupRow(layer: ErrorLayer, code: string, ctx: LookupContext = {}): ClassificationRow | undefined {
  const exact = classificationTable.find((r) => r.layer === layer && r.code === code && matches(r.when, ctx));
  if (exact) return exact;
  const fallback = FALLBACK_CODES[layer];
  return fallback
    ? classificationTable.find((r) => r.layer === layer && r.code === fallback && matches(r.when, ctx))
    : undefined;
}

/** The codes a layer's rows name, in table order, for adapters that compile the table (Make's IML):
 * application codes TikTok documents a status for, and every other layer's codes but its fallback. */
export function documentedCodes(layer: ErrorLayer): string[] {
  const rows = classificationTable.filter((r) => r.layer === layer);
  const named =
    layer === 'application'
      ? rows.filter((r) => r.documentedStatus)
      : rows.filter((r) => r.code !== FALLBACK_CODES[layer]);
  return named.map((r) => r.code);
}

/** True when `code` has its own row in `layer` (not a fallback). */
export function isDocumentedCode(layer: ErrorLayer, code: string): boolean {
  return code !== FALLBACK_CODES[layer] && classificationTable.some((r) => r.layer === layer && r.code === code);
}
