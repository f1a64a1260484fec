// Login Kit / Display API: GET /v2/user/info/ and POST /v2/video/list/ (the user's public videos).
import { Refused, type Ctx, type Engine, type Reply, type SandboxRequest } from './engine';
import { gate, parseJson } from './posting';
import { wireId } from './util';
import { postView, type Post, type User } from './world';

/** Every user-info field, the scope it needs and how it reads from a sandbox user. */
const USER_FIELDS: Record<string, { scope: string; read: (u: User, e: Engine) => unknown }> = {
  open_id: { scope: 'user.info.basic', read: (u) => u.openId },
  union_id: { scope: 'user.info.basic', read: (u) => u.unionId },
  avatar_url: { scope: 'user.info.basic', read: (_u, e) => `${e.baseUrl}/media/avatar.jpg` },
  avatar_url_100: { scope: 'user.info.basic', read: (_u, e) => `${e.baseUrl}/media/avatar.jpg` },
  avatar_large_url: { scope: 'user.info.basic', read: (_u, e) => `${e.baseUrl}/media/avatar.jpg` },
  display_name: { scope: 'user.info.basic', read: (u) => u.nickname },
  bio_description: { scope: 'user.info.profile', read: (u) => u.bio },
  profile_deep_link: { scope: 'user.info.profile', read: (u) => `https://www.tiktok.com/@${u.username}` },
  is_verified: { scope: 'user.info.profile', read: (u) => u.isVerified },
  username: { scope: 'user.info.profile', read: (u) => u.username },
  follower_count: { scope: 'user.info.stats', read: (u) => u.followerCount },
  following_count: { scope: 'user.info.stats', read: (u) => u.followingCount },
  likes_count: { scope: 'user.info.stats', read: (u) => u.likesCount },
  video_count: { scope: 'user.info.stats', read: (u, e) => publicVideos(e, u.openId).length },
};

function fieldsOf(req: SandboxRequest): string[] {
  return (req.query.get('fields') ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
}

export function userInfo(engine: Engine, req: SandboxRequest, ctx: Ctx): Reply {
  const auth = gate(engine, req, ctx, ['user.info.basic'], 'userInfo');
  if (auth instanceof Refused) return auth.reply;
  const fields = fieldsOf(req);
  if (fields.length === 0) return engine.fail(400, 'invalid_params', 'fields is required (comma-separated).');
  const unknown = fields.filter((f) => !(f in USER_FIELDS));
  if (unknown.length > 0) return engine.fail(400, 'invalid_params', `Unknown fields: ${unknown.join(', ')}.`);
  const missing = fields.filter((f) => !auth.grant.scopes.includes(USER_FIELDS[f].scope));
  if (missing.length > 0)
    return engine.fail(
      400,
      'scope_permission_missed',
      `Fields need scopes the user did not grant: ${missing.join(', ')}.`,
    );
  const user: Record<string, unknown> = {};
  for (const f of fields) user[f] = USER_FIELDS[f].read(auth.user, engine);
  return engine.envelope(200, { user });
}

interface PublicVideo {
  id: string;
  post: Post;
  at: number;
}

/** The user's public, moderated posts, newest first. */
function publicVideos(engine: Engine, openId: string): PublicVideo[] {
  const now = engine.now();
  const out: PublicVideo[] = [];
  for (const post of engine.world.posts.values()) {
    if (post.openId !== openId) continue;
    const view = postView(post, now, engine.config);
    for (const id of view.publicPostIds) out.push({ id, post, at: view.completedAt ?? post.createdAt });
  }
  return out.sort((a, b) => b.at - a.at || (b.id < a.id ? -1 : 1));
}

const VIDEO_FIELDS: Record<string, (v: PublicVideo, e: Engine) => unknown> = {
  id: (v, e) => wireId(v.id, e.config.postIdsAs),
  create_time: (v) => Math.floor(v.at / 1000),
  cover_image_url: (_v, e) => `${e.baseUrl}/media/photo-1.jpg`,
  share_url: (v) => `https://www.tiktok.com/@sandbox/video/${v.id}`,
  video_description: (v) => v.post.title ?? v.post.description ?? '',
  duration: (v) => (v.post.media === 'video' ? 1 : 0),
  height: () => 640,
  width: () => 360,
  title: (v) => v.post.title ?? '',
  embed_html: (v) => `<blockquote class="tiktok-embed" data-video-id="${v.id}"></blockquote>`,
  embed_link: (v) => `https://www.tiktok.com/embed/v2/${v.id}`,
  like_count: () => 0,
  comment_count: () => 0,
  share_count: () => 0,
  view_count: () => 0,
};

/** POST /v2/video/list/?fields=...; body {cursor?, max_count? (1..20, default 10)}. The cursor is an offset. */
export function videoList(engine: Engine, req: SandboxRequest, ctx: Ctx): Reply {
  const auth = gate(engine, req, ctx, ['video.list'], 'videoList');
  if (auth instanceof Refused) return auth.reply;
  const fields = fieldsOf(req);
  if (fields.length === 0) return engine.fail(400, 'invalid_params', 'fields is required (comma-separated).');
  const unknown = fields.filter((f) => !(f in VIDEO_FIELDS));
  if (unknown.length > 0) return engine.fail(400, 'invalid_params', `Unknown fields: ${unknown.join(', ')}.`);
  const body = parseJson(engine, req, 'invalid_params');
  if (body instanceof Refused) return body.reply;
  const max = body.max_count ?? 10;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 20)
    return engine.fail(400, 'invalid_params', 'max_count must be an integer from 1 to 20.');
  const cursor = body.cursor ?? 0;
  if (typeof cursor !== 'number' || !Number.isInteger(cursor) || cursor < 0)
    return engine.fail(400, 'invalid_params', 'cursor must be a non-negative integer.');
  const all = publicVideos(engine, auth.user.openId);
  const page = all.slice(cursor, cursor + max);
  const videos = page.map((v) => Object.fromEntries(fields.map((f) => [f, VIDEO_FIELDS[f](v, engine)])));
  return engine.envelope(200, { videos, cursor: cursor + page.length, has_more: cursor + page.length < all.length });
}
