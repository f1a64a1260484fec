// Content Posting API endpoints: creator info, the three inits, upload PUT, status fetch, cancel.
import { Refused, type Ctx, type Engine, type Reply, type SandboxRequest } from './engine';
import { mediaExists } from './media';
import { wireId } from './util';
import {
  checkPhotoPostInfo,
  checkPhotoSource,
  checkVideoPostInfo,
  checkVideoSource,
  isObj,
  versionBelow,
} from './validate';
import { postView, type Post, type PostFlow, type TokenGrant, type User } from './world';

const DAY_MS = 86_400_000;
const UPLOAD_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'];

type Obj = Record<string, unknown>;

/** JSON body of a POST: empty is `{}`; anything else must be a JSON object sent as application/json. */
export function parseJson(engine: Engine, req: SandboxRequest, code = 'invalid_param'): Obj | Refused {
  if (req.body.length === 0) return {};
  const ct = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\b/i.test(ct))
    return new Refused(engine.fail(400, code, 'Content-Type must be application/json; charset=UTF-8.'));
  try {
    const parsed: unknown = JSON.parse(req.body.toString('utf8'));
    if (!isObj(parsed)) return new Refused(engine.fail(400, code, 'The request body must be a JSON object.'));
    return parsed;
  } catch {
    return new Refused(engine.fail(400, code, 'The request body is not valid JSON.'));
  }
}

/** Privacy options the creator may choose (creator_info and the init check). */
export function privacyOptions(engine: Engine, user: User): string[] {
  if (engine.config.unaudited) return ['SELF_ONLY'];
  return user.privateAccount
    ? ['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY']
    : ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'];
}

function directPostsToday(engine: Engine, openId: string): number {
  const now = engine.now();
  let n = 0;
  for (const p of engine.world.posts.values())
    if (
      p.openId === openId &&
      p.flow === 'direct' &&
      p.createdAt > now - DAY_MS &&
      postView(p, now, engine.config).status !== 'FAILED'
    )
      n++;
  return n;
}

function pendingShares(engine: Engine, openId: string): number {
  const now = engine.now();
  let n = 0;
  for (const p of engine.world.posts.values()) {
    if (p.openId !== openId || p.flow !== 'inbox' || p.createdAt <= now - DAY_MS) continue;
    const status = postView(p, now, engine.config).status;
    if (status !== 'PUBLISH_COMPLETE' && status !== 'FAILED') n++;
  }
  return n;
}

/** The app's active-user cap would be exceeded by this user starting to post. */
function activeUserCapHit(engine: Engine, clientKey: string, openId: string): boolean {
  const now = engine.now();
  const active = engine.userActiveMap(clientKey);
  if ((active.get(openId) ?? -Infinity) > now - DAY_MS) return false;
  const count = [...active.values()].filter((t) => t > now - DAY_MS).length;
  const cap = engine.config.unaudited
    ? Math.min(engine.config.activeUserCap, engine.config.unauditedUserCap)
    : engine.config.activeUserCap;
  return count >= cap;
}

/** URL prefix or domain verification (§3.6); the sandbox's own /media/ prefix is verified by default. */
export function urlVerified(engine: Engine, raw: string): boolean {
  const prefixes = [...engine.config.verifiedUrlPrefixes];
  if (engine.config.verifyOwnMedia) prefixes.push(`${engine.baseUrl}/media/`);
  if (prefixes.some((p) => raw.startsWith(p))) return true;
  const host = new URL(raw).hostname.toLowerCase();
  return engine.config.verifiedDomains.some((d) => host === d.toLowerCase() || host.endsWith(`.${d.toLowerCase()}`));
}

function unverifiedReply(engine: Engine): Reply {
  return engine.fail(
    engine.config.urlOwnershipUnverifiedStatus,
    'url_ownership_unverified',
    'The URL is not on a verified domain or URL prefix of this app.',
  );
}

/** A pulled URL under the sandbox's own /media/ that does not exist fails the download. */
function pullFailure(engine: Engine, urls: string[], reason: string): Post['failure'] {
  const own = `${engine.baseUrl}/media/`;
  const missing = urls.some((u) => u.startsWith(own) && !mediaExists(u.slice(own.length).split('?')[0]));
  return missing ? { reason, at: engine.now() + engine.config.downloadDelayMs } : null;
}

/** Auth, scope and rate limit, shared by every Bearer endpoint. */
export function gate(
  engine: Engine,
  req: SandboxRequest,
  ctx: Ctx,
  scopes: string[] | null,
  bucket: 'init' | 'creatorInfo' | 'status' | 'userInfo' | 'videoList' | null,
): { grant: TokenGrant; user: User } | Refused {
  const auth = engine.authenticate(req, ctx);
  if (auth instanceof Refused) return auth;
  if (scopes) {
    const denied = engine.requireScope(auth.grant, scopes);
    if (denied) return new Refused(denied);
  }
  if (bucket) {
    const limited = engine.rateLimit(auth.grant, bucket, ctx.endpoint);
    if (limited) return new Refused(limited);
  }
  return auth;
}

export function creatorInfo(engine: Engine, req: SandboxRequest, ctx: Ctx): Reply {
  const g = gate(engine, req, ctx, ['video.publish'], 'creatorInfo');
  if (g instanceof Refused) return g.reply;
  const { user, grant } = g;
  // The doc marks these caps as intentionally HTTP 200: the client must read error.code.
  if (user.banned)
    return engine.envelope(200, {}, 'spam_risk_user_banned_from_posting', 'This user is banned from posting.');
  if (directPostsToday(engine, user.openId) >= engine.config.directPostDailyCap)
    return engine.envelope(200, {}, 'spam_risk_too_many_posts', 'This creator reached the daily post cap.');
  if (activeUserCapHit(engine, grant.clientKey, user.openId))
    return engine.envelope(
      200,
      {},
      'reached_active_user_cap',
      'This client reached its daily active publishing user cap.',
    );
  return engine.envelope(200, {
    creator_avatar_url: `${engine.baseUrl}/media/avatar.jpg`,
    creator_username: user.username,
    creator_nickname: user.nickname,
    privacy_level_options: privacyOptions(engine, user),
    comment_disabled: user.commentDisabled,
    duet_disabled: user.privateAccount || user.duetDisabled,
    stitch_disabled: user.privateAccount || user.stitchDisabled,
    max_video_post_duration_sec: user.maxVideoPostDurationSec,
  });
}

/** Direct Post checks in the order the sandbox applies them: ban, audit, privacy, daily cap, active users. */
function directPostRefusal(engine: Engine, user: User, grant: TokenGrant, privacy: unknown): Reply | null {
  if (user.banned) return engine.fail(403, 'spam_risk_user_banned_from_posting', 'This user is banned from posting.');
  if (engine.config.unaudited && !user.privateAccount)
    return engine.fail(
      403,
      'unaudited_client_can_only_post_to_private_accounts',
      'Unaudited clients can only post to private accounts.',
    );
  if (typeof privacy !== 'string' || !privacyOptions(engine, user).includes(privacy))
    return engine.fail(
      403,
      'privacy_level_option_mismatch',
      "post_info.privacy_level is missing or not among the creator's privacy_level_options.",
    );
  if (directPostsToday(engine, user.openId) >= engine.config.directPostDailyCap)
    return engine.fail(403, 'spam_risk_too_many_posts', 'This creator reached the daily post cap.');
  if (activeUserCapHit(engine, grant.clientKey, user.openId))
    return engine.fail(403, 'reached_active_user_cap', 'This client reached its daily active publishing user cap.');
  return null;
}

function inboxRefusal(engine: Engine, user: User): Reply | null {
  if (user.banned) return engine.fail(403, 'spam_risk_user_banned_from_posting', 'This user is banned from posting.');
  if (pendingShares(engine, user.openId) >= engine.config.pendingShareCap)
    return engine.fail(
      403,
      'spam_risk_too_many_pending_share',
      `At most ${engine.config.pendingShareCap} pending shares are allowed in any 24-hour window.`,
    );
  return null;
}

const PUBLISH_ID_PREFIX: Record<string, string> = {
  'direct:video:FILE_UPLOAD': 'v_pub_file~v2-1.',
  'direct:video:PULL_FROM_URL': 'v_pub_url~v2.',
  'inbox:video:FILE_UPLOAD': 'v_inbox_file~v2.',
  'inbox:video:PULL_FROM_URL': 'v_inbox_url~v2.',
  'direct:photo:PULL_FROM_URL': 'p_pub_url~v2.',
  'inbox:photo:PULL_FROM_URL': 'p_inbox_url~v2.',
};

function createPost(
  engine: Engine,
  ctx: Ctx,
  grant: TokenGrant,
  fields: {
    flow: PostFlow;
    media: 'video' | 'photo';
    source: 'FILE_UPLOAD' | 'PULL_FROM_URL';
    postInfo: Obj;
    src: Obj;
    urls: string[];
  },
): Post {
  const { world } = engine;
  const now = engine.now();
  const isFile = fields.source === 'FILE_UPLOAD';
  const post: Post = {
    publishId: `${PUBLISH_ID_PREFIX[`${fields.flow}:${fields.media}:${fields.source}`]}${world.prng.digits(18)}`,
    openId: grant.openId,
    clientKey: grant.clientKey,
    flow: fields.flow,
    media: fields.media,
    source: fields.source,
    createdAt: now,
    title: typeof fields.postInfo.title === 'string' ? fields.postInfo.title : null,
    description: typeof fields.postInfo.description === 'string' ? fields.postInfo.description : null,
    privacy: typeof fields.postInfo.privacy_level === 'string' ? fields.postInfo.privacy_level : null,
    urls: fields.urls,
    videoSize: isFile ? (fields.src.video_size as number) : 0,
    chunkSize: isFile ? (fields.src.chunk_size as number) : 0,
    totalChunks: isFile ? (fields.src.total_chunk_count as number) : 0,
    uploadedBytes: 0,
    uploadId: isFile ? world.prng.digits(19) : null,
    uploadToken: isFile ? world.prng.chars(40) : null,
    uploadExpiresAt: now + engine.config.uploadUrlTtlMs,
    uploadCompletedAt: null,
    firstBytes: null,
    chunkSha256: [],
    failure: null,
    cancelledAt: null,
    draftPublishedAt: null,
    draftPrivacy: null,
    postIds: fields.flow === 'direct' ? [world.nextPostId()] : [],
    takenDownAt: null,
    emitted: new Set(),
  };
  if (!isFile)
    post.failure = pullFailure(
      engine,
      fields.urls,
      fields.media === 'photo' ? 'photo_pull_failed' : 'video_pull_failed',
    );
  if (ctx.asyncFailReason) post.failure = { reason: ctx.asyncFailReason, at: null };
  world.posts.set(post.publishId, post);
  if (post.uploadId) world.uploads.set(post.uploadId, post);
  engine.userActiveMap(grant.clientKey).set(grant.openId, now);
  return post;
}

function initReply(engine: Engine, post: Post): Reply {
  const data: Obj = { publish_id: post.publishId };
  if (post.uploadId)
    data.upload_url = `${engine.baseUrl}/upload/video/?upload_id=${post.uploadId}&upload_token=${post.uploadToken}`;
  return engine.envelope(200, data);
}

export function videoInit(engine: Engine, req: SandboxRequest, ctx: Ctx): Reply {
  const g = gate(engine, req, ctx, ['video.publish'], 'init');
  if (g instanceof Refused) return g.reply;
  const body = parseJson(engine, req);
  if (body instanceof Refused) return body.reply;
  const problem =
    checkVideoPostInfo(body.post_info, engine.config) ?? checkVideoSource(body.source_info, engine.config);
  if (problem) return engine.fail(400, 'invalid_param', problem);
  const postInfo = body.post_info as Obj;
  const src = body.source_info as Obj;
  const refusal = directPostRefusal(engine, g.user, g.grant, postInfo.privacy_level);
  if (refusal) return refusal;
  const urls = src.source === 'PULL_FROM_URL' ? [src.video_url as string] : [];
  if (urls.some((u) => !urlVerified(engine, u))) return unverifiedReply(engine);
  const post = createPost(engine, ctx, g.grant, {
    flow: 'direct',
    media: 'video',
    source: src.source as Post['source'],
    postInfo,
    src,
    urls,
  });
  return initReply(engine, post);
}

export function inboxInit(engine: Engine, req: SandboxRequest, ctx: Ctx): Reply {
  const g = gate(engine, req, ctx, ['video.upload'], 'init');
  if (g instanceof Refused) return g.reply;
  const body = parseJson(engine, req);
  if (body instanceof Refused) return body.reply;
  if ('post_info' in body && engine.config.inboxPostInfo === 'reject')
    return engine.fail(400, 'invalid_param', 'post_info is not accepted by the inbox upload endpoint.');
  if ('post_info' in body && !isObj(body.post_info))
    return engine.fail(400, 'invalid_param', 'post_info must be an object');
  const problem = checkVideoSource(body.source_info, engine.config);
  if (problem) return engine.fail(400, 'invalid_param', problem);
  const src = body.source_info as Obj;
  const refusal = inboxRefusal(engine, g.user);
  if (refusal) return refusal;
  const urls = src.source === 'PULL_FROM_URL' ? [src.video_url as string] : [];
  if (urls.some((u) => !urlVerified(engine, u))) return unverifiedReply(engine);
  const postInfo = isObj(body.post_info) ? body.post_info : {};
  const post = createPost(engine, ctx, g.grant, {
    flow: 'inbox',
    media: 'video',
    source: src.source as Post['source'],
    postInfo: { title: postInfo.title },
    src,
    urls,
  });
  return initReply(engine, post);
}

export function contentInit(engine: Engine, req: SandboxRequest, ctx: Ctx): Reply {
  const g = gate(engine, req, ctx, null, 'init');
  if (g instanceof Refused) return g.reply;
  const body = parseJson(engine, req);
  if (body instanceof Refused) return body.reply;
  const mode = body.post_mode;
  if (mode !== 'DIRECT_POST' && mode !== 'MEDIA_UPLOAD')
    return engine.fail(400, 'invalid_param', 'post_mode must be DIRECT_POST or MEDIA_UPLOAD');
  const denied = engine.requireScope(g.grant, [mode === 'DIRECT_POST' ? 'video.publish' : 'video.upload']);
  if (denied) return denied;
  if (body.media_type !== 'PHOTO') return engine.fail(400, 'invalid_param', 'media_type must be PHOTO');
  const problem = checkPhotoPostInfo(body.post_info) ?? checkPhotoSource(body.source_info);
  if (problem) return engine.fail(400, 'invalid_param', problem);
  const postInfo = body.post_info as Obj;
  const src = body.source_info as Obj;
  if (mode === 'MEDIA_UPLOAD' && versionBelow(g.user.appVersion, engine.config.minAppVersionForPhotoUpload))
    return engine.fail(
      400,
      'app_version_check_failed',
      `The user's TikTok app must be version ${engine.config.minAppVersionForPhotoUpload} or later for photo MEDIA_UPLOAD.`,
    );
  const refusal =
    mode === 'DIRECT_POST'
      ? directPostRefusal(engine, g.user, g.grant, postInfo.privacy_level)
      : inboxRefusal(engine, g.user);
  if (refusal) return refusal;
  const urls = src.photo_images as string[];
  if (urls.some((u) => !urlVerified(engine, u))) return unverifiedReply(engine);
  const flow: PostFlow = mode === 'DIRECT_POST' ? 'direct' : 'inbox';
  const post = createPost(engine, ctx, g.grant, { flow, media: 'photo', source: 'PULL_FROM_URL', postInfo, src, urls });
  return initReply(engine, post);
}

/** MP4/MOV (ftyp box) or WebM (EBML magic). */
function looksLikeVideo(first: Buffer): boolean {
  return (
    first.subarray(4, 8).toString('latin1') === 'ftyp' ||
    first.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]))
  );
}

function uploadTask(engine: Engine, query: URLSearchParams): Post | null {
  const post = engine.world.uploads.get(query.get('upload_id') ?? '');
  return post && post.uploadToken === query.get('upload_token') ? post : null;
}

/** The `Content-Range: bytes 0-N/TOTAL` progress header every upload reply carries (faults included). */
export function uploadProgressHeader(engine: Engine, query: URLSearchParams): string {
  const post = uploadTask(engine, query);
  const uploaded = post ? post.uploadedBytes : 0;
  const last = engine.config.uploadRangeReply === 'byte-count' ? uploaded : Math.max(0, uploaded - 1);
  return `bytes 0-${last}/${post ? post.videoSize : 0}`;
}

export function uploadPut(engine: Engine, req: SandboxRequest, ctx: Ctx): Reply {
  const post = uploadTask(engine, req.query);
  const reply = (status: number, msg: string, code: string | null): Reply => ({
    status,
    headers: {
      'content-range': uploadProgressHeader(engine, req.query),
      ...(msg ? { 'content-type': 'text/plain; charset=UTF-8' } : {}),
    },
    body: msg,
    errorCode: code,
  });
  if (!post) return reply(404, 'No upload task matches this upload_url.', 'upload_not_found');
  ctx.openId = post.openId;
  const size = post.videoSize;
  if (req.method !== 'PUT') return reply(400, 'Use PUT to upload a chunk.', 'bad_method');
  if (engine.now() >= post.uploadExpiresAt && post.uploadCompletedAt === null)
    return reply(403, 'The upload_url has expired (1 hour).', 'upload_url_expired');
  const ct = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (!UPLOAD_TYPES.includes(ct))
    return reply(400, `Content-Type must be one of ${UPLOAD_TYPES.join(', ')}.`, 'bad_content_type');
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
  if (!range) return reply(400, 'Content-Range must be "bytes {first}-{last}/{total}".', 'bad_content_range');
  const [first, last, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
  if (first > last) return reply(400, 'Content-Range first byte is after the last byte.', 'bad_content_range');
  if (total !== size) return reply(400, `Content-Range total must be video_size (${size}).`, 'bad_content_range');
  if (req.bodyLength !== last - first + 1)
    return reply(400, 'Content-Length does not match the Content-Range / body size.', 'length_mismatch');
  if (post.uploadCompletedAt !== null || first !== post.uploadedBytes)
    return reply(
      416,
      `Content-Range does not match the upload progress (next byte expected: ${post.uploadedBytes}).`,
      'range_not_satisfiable',
    );
  const index = Math.floor(first / post.chunkSize);
  const isLast = index === post.totalChunks - 1;
  const expectedLast = isLast ? size - 1 : first + post.chunkSize - 1;
  if (last !== expectedLast)
    return reply(400, `Chunk ${index + 1} must cover bytes ${first}-${expectedLast}.`, 'bad_chunk_size');
  if (first === 0) post.firstBytes = Buffer.from(req.body.subarray(0, 16));
  post.uploadedBytes = last + 1;
  post.chunkSha256.push(req.bodySha256 ?? '');
  if (!isLast) return reply(206, '', null);
  post.uploadCompletedAt = engine.now();
  if (engine.config.checkMediaFormat && !looksLikeVideo(post.firstBytes ?? Buffer.alloc(0)) && !post.failure)
    post.failure = { reason: 'file_format_check_failed', at: null };
  return reply(201, '', null);
}

function findOwnPost(engine: Engine, body: Obj, grant: TokenGrant): Post | Refused {
  if (typeof body.publish_id !== 'string' || body.publish_id.length === 0)
    return new Refused(engine.fail(400, 'invalid_param', 'publish_id is required and must be a string'));
  const post = engine.world.posts.get(body.publish_id);
  if (!post) return new Refused(engine.fail(400, 'invalid_publish_id', 'No post matches this publish_id.'));
  if (post.openId !== grant.openId || post.clientKey !== grant.clientKey)
    return new Refused(
      engine.fail(
        400,
        'token_not_authorized_for_specified_publish_id',
        'This access token is not authorized for this publish_id.',
      ),
    );
  return post;
}

export function statusFetch(engine: Engine, req: SandboxRequest, ctx: Ctx): Reply {
  const g = gate(engine, req, ctx, ['video.upload', 'video.publish'], 'status');
  if (g instanceof Refused) return g.reply;
  const body = parseJson(engine, req);
  if (body instanceof Refused) return body.reply;
  const post = findOwnPost(engine, body, g.grant);
  if (post instanceof Refused) return post.reply;
  const view = postView(post, engine.now(), engine.config);
  const data: Obj = { status: view.status };
  if (view.status === 'FAILED') data.fail_reason = view.failReason;
  data.publicaly_available_post_id = view.publicPostIds.map((id) => wireId(id, engine.config.postIdsAs));
  if (post.source === 'FILE_UPLOAD') data.uploaded_bytes = view.uploadedBytes;
  else data.downloaded_bytes = view.downloadedBytes;
  return engine.envelope(200, data);
}

export function cancel(engine: Engine, req: SandboxRequest, ctx: Ctx): Reply {
  const g = gate(engine, req, ctx, ['video.upload', 'video.publish'], null);
  if (g instanceof Refused) return g.reply;
  const body = parseJson(engine, req);
  if (body instanceof Refused) return body.reply;
  const post = findOwnPost(engine, body, g.grant);
  if (post instanceof Refused) return post.reply;
  const view = postView(post, engine.now(), engine.config);
  if (post.source !== 'PULL_FROM_URL' || !view.downloading)
    return engine.fail(
      400,
      'publish_not_cancellable',
      'Only a PULL_FROM_URL download that is still running can be cancelled.',
    );
  post.cancelledAt = engine.now();
  return engine.envelope(200, undefined);
}
