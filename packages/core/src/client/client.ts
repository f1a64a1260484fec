// TikTokClient: one method per Content Posting endpoint. Reads error.code whatever the HTTP status,
// tolerates `data: {}`, keeps 19-digit ids exact, and throws only classified TokpipeErrors.
import { DEFAULT_VIDEO_CONTENT_TYPE } from '../catalog/media';
import { PUBLISH_STATUSES, type PublishStatus } from '../catalog/statuses';
import { DEFAULT_REQUEST_TIMEOUT_MS, TIKTOK_API_BASE_URL } from '../catalog/tiktok';
import {
  classifyFailReason,
  classifyResponse,
  classifyTransportError,
  errorFromTable,
  inputError,
  TokpipeError,
} from '../errors/classify';
import { ENDPOINTS, uploadCodeForStatus, type Endpoint } from '../errors/table';
import type { ErrorDetails } from '../errors/types';
import { tryParseJson } from '../json';
import type { Clock, HttpRequest, HttpResponse, Transport } from '../ports';
import { accessTokenSchema, clientOptionsSchema, publishIdSchema } from '../schemas/options';
import { isPostId, postIdProblem } from '../ids';
import { rememberSecret } from '../redact';
import { parseInput } from '../schemas/format';
import type { PrivacyLevel } from '../types';
import type {
  ByteRange,
  CreatorInfo,
  DirectVideoInitBody,
  InboxVideoInitBody,
  InitResult,
  PhotoInitBody,
  StatusResult,
  UploadChunkResult,
  UserInfo,
  VideoListPage,
} from './types';

/** Kept for callers of the earlier names; the values live in catalog/tiktok.ts. */
export const DEFAULT_BASE_URL = TIKTOK_API_BASE_URL;
export { DEFAULT_REQUEST_TIMEOUT_MS };
export const DEFAULT_USER_AGENT = 'tokpipe/0.1 (+https://github.com/tokpipe)';

export interface TikTokClientOptions {
  transport: Transport;
  /** Default https://open.tiktokapis.com (point it at the sandbox or a proxy). */
  baseUrl?: string;
  /** Per request; default 30 000 ms. */
  requestTimeoutMs?: number;
  userAgent?: string;
  /** Only read (now) to turn Retry-After dates into waits; default Date.now. */
  clock?: Pick<Clock, 'now'>;
  /** A chunk PUT may take longer than an API call: its timeout allows at least this throughput
   * (default 128 KiB/s, so a 10 MB chunk gets 77 s). */
  minUploadBytesPerSec?: number;
}

export const DEFAULT_MIN_UPLOAD_BYTES_PER_SEC = 128 * 1024;

export const DEFAULT_USER_FIELDS = ['open_id', 'union_id', 'avatar_url', 'display_name'] as const;
export const DEFAULT_VIDEO_FIELDS = ['id', 'title', 'create_time', 'share_url', 'cover_image_url', 'duration'] as const;

const KNOWN_STATUSES: ReadonlySet<string> = new Set<string>(PUBLISH_STATUSES);

type Json = Record<string, unknown>;

function asRecord(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
const bool = (v: unknown): boolean => v === true;

/** Post ids as exact decimal strings, whether the wire carried numbers or strings. */
export function toPostIds(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((v) => typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v)))
    .map((v) => String(v));
}

/** What data.status held when it is not one of TikTok's statuses. */
function describeStatusField(status: unknown): string {
  if (status === undefined) return 'received no data.status';
  if (typeof status !== 'string')
    return `received data.status ${JSON.stringify(status)} (a ${status === null ? 'null' : typeof status}, not a status name)`;
  return `received data.status "${status.slice(0, 60)}", a status TikTok does not document`;
}

/** A reply that reported no error (error.code "ok", or no error at all) but lacks what the endpoint must return. */
function malformed(endpoint: Endpoint, what: string, response: HttpResponse): TokpipeError {
  const raw = tryParseJson(response.body) ?? response.body.slice(0, 500);
  return errorFromTable('transport', 'malformed_reply', {
    init: ENDPOINTS[endpoint].init,
    httpStatus: response.status,
    detail: what,
    raw,
  });
}

export class TikTokClient {
  readonly baseUrl: string;
  private readonly transport: Transport;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly clock?: Pick<Clock, 'now'>;
  private readonly minUploadBytesPerSec: number;

  constructor(options: TikTokClientOptions) {
    parseInput(clientOptionsSchema, options, 'options');
    this.transport = options.transport;
    this.baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.clock = options.clock;
    this.minUploadBytesPerSec = options.minUploadBytesPerSec ?? DEFAULT_MIN_UPLOAD_BYTES_PER_SEC;
  }

  /** POST /v2/post/publish/creator_info/query/ (no body). Cap errors come with HTTP 200 and throw. */
  async creatorInfo(accessToken: string): Promise<CreatorInfo> {
    const { data, logId } = await this.call('creator_info', accessToken, {});
    const options = Array.isArray(data.privacy_level_options)
      ? data.privacy_level_options.filter((o): o is PrivacyLevel => typeof o === 'string')
      : [];
    return {
      avatarUrl: str(data.creator_avatar_url),
      username: str(data.creator_username),
      nickname: str(data.creator_nickname),
      privacyLevelOptions: options,
      commentDisabled: bool(data.comment_disabled),
      duetDisabled: bool(data.duet_disabled),
      stitchDisabled: bool(data.stitch_disabled),
      maxVideoPostDurationSec: num(data.max_video_post_duration_sec),
      logId,
    };
  }

  /** POST /v2/post/publish/video/init/ (Direct Post). */
  initDirectVideo(accessToken: string, body: DirectVideoInitBody): Promise<InitResult> {
    return this.init('video_init', accessToken, body);
  }

  /** POST /v2/post/publish/inbox/video/init/ (draft to the creator's inbox). */
  initInboxVideo(accessToken: string, body: InboxVideoInitBody): Promise<InitResult> {
    return this.init('inbox_video_init', accessToken, body);
  }

  /** POST /v2/post/publish/content/init/ (photos, DIRECT_POST or MEDIA_UPLOAD). */
  initPhoto(accessToken: string, body: PhotoInitBody): Promise<InitResult> {
    return this.init('content_init', accessToken, body);
  }

  /** POST /v2/post/publish/status/fetch/. A FAILED publish is a result (with `error`), not a throw. */
  async fetchStatus(accessToken: string, publishId: string): Promise<StatusResult> {
    parseInput(publishIdSchema, publishId, 'publishId');
    const { data, logId, response } = await this.call('status_fetch', accessToken, { body: { publish_id: publishId } });
    const status = data.status;
    if (typeof status !== 'string' || !KNOWN_STATUSES.has(status))
      throw malformed('status_fetch', describeStatusField(status), response);
    // TikTok spells it "publicaly"; accept the correct spelling too in case it is ever fixed.
    const postIds = toPostIds(data.publicaly_available_post_id ?? data.publicly_available_post_id);
    const badId = postIds.find((id) => !isPostId(id));
    if (badId !== undefined)
      throw malformed(
        'status_fetch',
        `received publicaly_available_post_id ${JSON.stringify(badId)}, ${postIdProblem(badId)!.replace(/, got .*$/, '')}`,
        response,
      );
    const result: StatusResult = { status: status as PublishStatus, postIds, logId };
    const failReason = str(data.fail_reason);
    if (failReason) result.failReason = failReason;
    const uploaded = num(data.uploaded_bytes);
    if (uploaded !== undefined) result.uploadedBytes = uploaded;
    const downloaded = num(data.downloaded_bytes);
    if (downloaded !== undefined) result.downloadedBytes = downloaded;
    if (status === 'FAILED')
      result.error = classifyFailReason(failReason ?? 'unknown_fail_reason', {
        logId,
        publishId,
        raw: asRecord(tryParseJson(response.body)),
      });
    return result;
  }

  /** POST /v2/post/publish/cancel/ (PULL_FROM_URL downloads only, best effort). */
  async cancel(accessToken: string, publishId: string): Promise<void> {
    parseInput(publishIdSchema, publishId, 'publishId');
    await this.call('cancel', accessToken, { body: { publish_id: publishId } });
  }

  /** GET /v2/user/info/?fields=... */
  async userInfo(accessToken: string, fields: readonly string[] = DEFAULT_USER_FIELDS): Promise<UserInfo> {
    if (fields.length === 0) throw inputError('fields', 'must list at least one user field');
    const { data, logId } = await this.call('user_info', accessToken, { query: { fields: fields.join(',') } });
    const user = asRecord(data.user ?? data);
    return {
      openId: str(user.open_id),
      unionId: str(user.union_id),
      avatarUrl: str(user.avatar_url),
      displayName: str(user.display_name),
      username: str(user.username),
      fields: user,
      logId,
    };
  }

  /** POST /v2/video/list/?fields=... with {cursor, max_count} (max_count 1-20). */
  async listVideos(
    accessToken: string,
    options: { cursor?: number | string; maxCount?: number; fields?: readonly string[] } = {},
  ): Promise<VideoListPage> {
    const maxCount = options.maxCount ?? 20;
    if (!Number.isInteger(maxCount) || maxCount < 1 || maxCount > 20)
      throw inputError('maxCount', `must be a whole number from 1 to 20, got ${maxCount}`);
    const fields = options.fields ?? DEFAULT_VIDEO_FIELDS;
    if (fields.length === 0) throw inputError('fields', 'must list at least one video field');
    const body: Json = { max_count: maxCount };
    if (options.cursor !== undefined)
      body.cursor =
        typeof options.cursor === 'string' &&
        /^\d+$/.test(options.cursor) &&
        Number.isSafeInteger(Number(options.cursor))
          ? Number(options.cursor)
          : options.cursor;
    const { data, logId } = await this.call('video_list', accessToken, { query: { fields: fields.join(',') }, body });
    const videos = Array.isArray(data.videos) ? data.videos.map(asRecord) : [];
    const cursor = typeof data.cursor === 'number' || typeof data.cursor === 'string' ? data.cursor : undefined;
    return { videos, cursor, hasMore: bool(data.has_more), logId };
  }

  /** PUT one chunk to `uploadUrl`, exactly as TikTok returned it. Resolves on 201/206; throws
   * UploadChunkError (with the server's Content-Range, if any) for anything else. */
  async uploadChunk(
    uploadUrl: string,
    bytes: Uint8Array,
    range: ByteRange,
    contentType: string = DEFAULT_VIDEO_CONTENT_TYPE,
  ): Promise<UploadChunkResult> {
    if (bytes.byteLength !== range.last - range.first + 1) {
      throw inputError('range', `covers ${range.last - range.first + 1} bytes but the chunk has ${bytes.byteLength}`);
    }
    const request: HttpRequest = {
      method: 'PUT',
      url: uploadUrl,
      headers: {
        'Content-Type': contentType,
        'Content-Length': String(bytes.byteLength),
        'Content-Range': `bytes ${range.first}-${range.last}/${range.total}`,
        'User-Agent': this.userAgent,
      },
      body: bytes,
      timeoutMs: Math.max(this.timeoutMs, Math.ceil((bytes.byteLength / this.minUploadBytesPerSec) * 1000)),
    };
    let response: HttpResponse;
    try {
      response = await this.transport(request);
    } catch (error) {
      throw new UploadChunkError(classifyTransportError(error, { endpoint: 'upload', secrets: [uploadUrl] }));
    }
    const contentRange = response.headers['content-range'];
    if (response.status === 201 || response.status === 206) {
      return {
        complete: response.status === 201,
        httpStatus: response.status,
        ...(contentRange ? { contentRange } : {}),
      };
    }
    const code = uploadCodeForStatus(response.status);
    const parsed = tryParseJson(response.body);
    const logId = str(asRecord(asRecord(parsed).error).log_id);
    const raw = parsed ?? (response.body ? response.body.slice(0, 500) : undefined);
    const { details } = errorFromTable('application', code, {
      httpStatus: response.status,
      logId,
      raw,
      secrets: [uploadUrl],
    });
    throw new UploadChunkError(details, contentRange);
  }

  private async init(
    endpoint: 'video_init' | 'inbox_video_init' | 'content_init',
    accessToken: string,
    body: unknown,
  ): Promise<InitResult> {
    const { data, logId, response } = await this.call(endpoint, accessToken, { body });
    const publishId = str(data.publish_id);
    // "ok" without a publish_id: TikTok may have created a post we cannot track.
    if (!publishId) throw malformed(endpoint, 'no publish_id in the reply', response);
    const uploadUrl = str(data.upload_url);
    return { publishId, ...(uploadUrl ? { uploadUrl } : {}), ...(logId ? { logId } : {}) };
  }

  private async call(
    endpoint: Endpoint,
    accessToken: string,
    options: { query?: Record<string, string>; body?: unknown },
  ): Promise<{ data: Json; logId?: string; response: HttpResponse }> {
    parseInput(accessTokenSchema, accessToken, 'accessToken');
    rememberSecret(accessToken);
    const spec = ENDPOINTS[endpoint];
    const query = options.query ? `?${new URLSearchParams(options.query).toString()}` : '';
    const headers: Record<string, string> = { Authorization: `Bearer ${accessToken}`, 'User-Agent': this.userAgent };
    if (spec.method === 'POST') headers['Content-Type'] = 'application/json; charset=UTF-8';
    const request: HttpRequest = {
      method: spec.method as HttpRequest['method'],
      url: `${this.baseUrl}${spec.path}${query}`,
      headers,
      timeoutMs: this.timeoutMs,
    };
    if (options.body !== undefined) request.body = JSON.stringify(options.body);

    const ctx = { endpoint, secrets: [accessToken], now: this.clock?.now() };
    let response: HttpResponse;
    try {
      response = await this.transport(request);
    } catch (error) {
      throw new TokpipeError(classifyTransportError(error, ctx));
    }
    const failure = classifyResponse(response, { ...ctx, now: this.clock?.now() });
    if (failure) throw new TokpipeError(failure);
    const parsed = asRecord(tryParseJson(response.body));
    const error = asRecord(parsed.error);
    const logId = str(error.log_id) ?? str(error.logid);
    return { data: asRecord(parsed.data), logId, response };
  }
}

/** A failed chunk PUT; `contentRange` is the server's progress header when it sent one. */
export class UploadChunkError extends TokpipeError {
  constructor(
    details: ErrorDetails,
    readonly contentRange?: string,
  ) {
    super(details);
  }
}
