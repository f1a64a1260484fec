// The sandbox's state: apps, users, tokens, authorization codes, posts and rate windows.
// Post states are computed lazily from timestamps (see postView), so a virtual clock drives them.
import type { SandboxConfig } from './config';
import { Prng, wireId } from './util';

export const ALL_SCOPES = [
  'user.info.basic',
  'user.info.profile',
  'user.info.stats',
  'video.list',
  'video.publish',
  'video.upload',
] as const;

export interface App {
  clientKey: string;
  clientSecret: string;
  /** Scopes the app is approved for. */
  scopes: string[];
  /** Registered redirect URIs; empty = any loopback/https URI is accepted. */
  redirectUris: string[];
}

export interface User {
  openId: string;
  unionId: string;
  username: string;
  nickname: string;
  avatarUrl: string;
  bio: string;
  isVerified: boolean;
  privateAccount: boolean;
  banned: boolean;
  commentDisabled: boolean;
  duetDisabled: boolean;
  stitchDisabled: boolean;
  maxVideoPostDurationSec: number;
  appVersion: string;
  followerCount: number;
  followingCount: number;
  likesCount: number;
}

export interface TokenGrant {
  accessToken: string;
  refreshToken: string;
  openId: string;
  clientKey: string;
  scopes: string[];
  accessExpiresAt: number;
  refreshExpiresAt: number;
  /** The refresh token was used (strict rotation) or revoked. */
  refreshDead: boolean;
  revoked: boolean;
}

export interface AuthCode {
  code: string;
  clientKey: string;
  openId: string;
  scopes: string[];
  redirectUri: string;
  codeChallenge: string | null;
  expiresAt: number;
  used: boolean;
}

export type PostFlow = 'direct' | 'inbox';
export type MediaKind = 'video' | 'photo';
export type SourceKind = 'FILE_UPLOAD' | 'PULL_FROM_URL';

export interface Post {
  publishId: string;
  openId: string;
  clientKey: string;
  flow: PostFlow;
  media: MediaKind;
  source: SourceKind;
  createdAt: number;
  title: string | null;
  description: string | null;
  privacy: string | null;
  urls: string[];
  /** FILE_UPLOAD bookkeeping. */
  videoSize: number;
  chunkSize: number;
  totalChunks: number;
  uploadedBytes: number;
  uploadId: string | null;
  uploadToken: string | null;
  uploadExpiresAt: number;
  uploadCompletedAt: number | null;
  firstBytes: Buffer | null;
  /** sha256 (hex) of each accepted chunk, in order: what the sandbox received, checkable byte for byte. */
  chunkSha256: string[];
  /** Planned failure: reason and when (null = when processing ends). */
  failure: { reason: string; at: number | null } | null;
  cancelledAt: number | null;
  /** Inbox: when the test user posted the draft, and the privacy they chose. */
  draftPublishedAt: number | null;
  draftPrivacy: string | null;
  /** Internal post ids (assigned on completion); shown only once public and moderated. */
  postIds: string[];
  takenDownAt: number | null;
  /** Webhook events already queued for delivery. */
  emitted: Set<string>;
}

export type PostStatus =
  | 'PROCESSING_UPLOAD'
  | 'PROCESSING_DOWNLOAD'
  | 'SEND_TO_USER_INBOX'
  | 'PUBLISH_COMPLETE'
  | 'FAILED';

export interface PostEvent {
  key: string;
  event: string;
  at: number;
  content: Record<string, unknown>;
}

export interface PostView {
  status: PostStatus;
  failReason: string | null;
  /** Public, moderated post ids (what status fetch shows). */
  publicPostIds: string[];
  uploadedBytes: number;
  downloadedBytes: number;
  /** Download still running (cancel allowed). */
  downloading: boolean;
  completedAt: number | null;
  events: PostEvent[];
}

/** Size the sandbox pretends a pulled URL has (for downloaded_bytes). */
export const PULLED_MEDIA_BYTES = 2_000_000;

/** The post's state at `now`, and every webhook event it has produced by then. */
export function postView(post: Post, now: number, cfg: SandboxConfig): PostView {
  const publishType = post.flow === 'direct' ? 'DIRECT_PUBLISH' : 'INBOX_SHARE';
  const base = { publish_id: post.publishId, publish_type: publishType };
  const events: PostEvent[] = [];
  const isFile = post.source === 'FILE_UPLOAD';
  const readyAt = isFile ? post.uploadCompletedAt : post.createdAt + cfg.downloadDelayMs;
  const processedAt = readyAt === null ? null : readyAt + cfg.processingDelayMs;
  const uploading = isFile && post.uploadCompletedAt === null;
  const pullBytes = post.urls.length * PULLED_MEDIA_BYTES;
  const downloadedAt = (t: number) =>
    isFile
      ? 0
      : readyAt === null || t >= readyAt
        ? pullBytes
        : Math.floor((pullBytes * (t - post.createdAt)) / Math.max(1, cfg.downloadDelayMs));

  // Failure: cancellation, or a planned failure that lands before the post is done.
  let failAt: number | null = null;
  let failReason: string | null = null;
  if (post.cancelledAt !== null) {
    failAt = post.cancelledAt;
    failReason = 'publish_cancelled';
  } else if (post.failure) {
    const at = post.failure.at ?? processedAt;
    if (at !== null && (processedAt === null || at <= processedAt)) {
      failAt = at;
      failReason = post.failure.reason;
    }
  }
  const progress = { uploadedBytes: post.uploadedBytes, downloadedBytes: downloadedAt(now) };
  if (failAt !== null && now >= failAt) {
    events.push({ key: 'failed', event: 'post.publish.failed', at: failAt, content: { ...base, reason: failReason } });
    return {
      status: 'FAILED',
      failReason,
      publicPostIds: [],
      ...progress,
      downloading: false,
      completedAt: null,
      events,
    };
  }
  const processing: PostStatus = isFile ? 'PROCESSING_UPLOAD' : 'PROCESSING_DOWNLOAD';
  if (uploading || processedAt === null || now < processedAt) {
    const downloading = !isFile && readyAt !== null && now < readyAt;
    return {
      status: processing,
      failReason: null,
      publicPostIds: [],
      ...progress,
      downloading,
      completedAt: null,
      events,
    };
  }

  let completedAt: number | null;
  let privacy: string | null;
  if (post.flow === 'direct') {
    completedAt = processedAt;
    privacy = post.privacy;
  } else {
    events.push({ key: 'inbox', event: 'post.publish.inbox_delivered', at: processedAt, content: base });
    completedAt = post.draftPublishedAt !== null && post.draftPublishedAt <= now ? post.draftPublishedAt : null;
    privacy = post.draftPrivacy;
  }
  if (completedAt === null) {
    return {
      status: 'SEND_TO_USER_INBOX',
      failReason: null,
      publicPostIds: [],
      ...progress,
      downloading: false,
      completedAt: null,
      events,
    };
  }
  events.push({ key: 'complete', event: 'post.publish.complete', at: completedAt, content: base });
  const isPublic = privacy === 'PUBLIC_TO_EVERYONE' && !cfg.unaudited;
  const moderatedAt = completedAt + cfg.moderationDelayMs;
  let publicPostIds: string[] = [];
  if (isPublic && now >= moderatedAt) {
    const stillPublic = post.takenDownAt === null || post.takenDownAt > now;
    for (const id of post.postIds) {
      events.push({
        key: `public:${id}`,
        event: 'post.publish.publicly_available',
        at: moderatedAt,
        content: { ...base, post_id: wireId(id, cfg.postIdsAs) },
      });
    }
    if (stillPublic) publicPostIds = post.postIds;
    else
      for (const id of post.postIds) {
        events.push({
          key: `gone:${id}`,
          event: cfg.noLongerPublicEvent,
          at: post.takenDownAt as number,
          content: { ...base, post_id: wireId(id, cfg.postIdsAs) },
        });
      }
  }
  return {
    status: 'PUBLISH_COMPLETE',
    failReason: null,
    publicPostIds,
    ...progress,
    downloading: false,
    completedAt,
    events,
  };
}

/** Per-token per-endpoint sliding windows. */
export class RateWindows {
  private hits = new Map<string, number[]>();
  /** Admits the request (and counts it) unless `limit` requests were admitted in the last `windowMs`. */
  admit(key: string, now: number, limit: number, windowMs = 60_000): boolean {
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - windowMs);
    if (list.length >= limit) {
      this.hits.set(key, list);
      return false;
    }
    list.push(now);
    this.hits.set(key, list);
    return true;
  }
}

export interface CreateUserOptions {
  openId?: string;
  username?: string;
  nickname?: string;
  privateAccount?: boolean;
  banned?: boolean;
  commentDisabled?: boolean;
  duetDisabled?: boolean;
  stitchDisabled?: boolean;
  maxVideoPostDurationSec?: number;
  appVersion?: string;
  isVerified?: boolean;
  bio?: string;
}

export class World {
  readonly apps = new Map<string, App>();
  readonly users = new Map<string, User>();
  readonly grants = new Map<string, TokenGrant>(); // by access token
  readonly refreshIndex = new Map<string, TokenGrant>(); // by refresh token
  readonly codes = new Map<string, AuthCode>();
  readonly posts = new Map<string, Post>();
  readonly uploads = new Map<string, Post>(); // by upload id
  readonly windows = new RateWindows();
  /** When each user last started a post, per app (active-user caps). */
  readonly activity = new Map<string, Map<string, number>>();

  constructor(readonly prng: Prng) {}

  createApp(opts: { clientKey?: string; clientSecret?: string; scopes?: string[]; redirectUris?: string[] } = {}): App {
    const app: App = {
      clientKey: opts.clientKey ?? `sbaw${this.prng.chars(12).toLowerCase()}`,
      clientSecret: opts.clientSecret ?? this.prng.chars(32),
      scopes: opts.scopes ?? [...ALL_SCOPES],
      redirectUris: opts.redirectUris ?? [],
    };
    this.apps.set(app.clientKey, app);
    return app;
  }

  createUser(opts: CreateUserOptions = {}): User {
    const openId =
      opts.openId ?? `-000${this.prng.chars(6)}-${this.prng.hex(4).toLowerCase()}-${this.prng.hex(12).toLowerCase()}`;
    if (this.users.has(openId)) throw new Error(`openId: user ${openId} already exists`);
    const n = this.users.size + 1;
    const username = opts.username ?? `sandbox_user_${n}`;
    const user: User = {
      openId,
      unionId: `u-${this.prng.hex(16).toLowerCase()}`,
      username,
      nickname: opts.nickname ?? `Sandbox User ${n}`,
      avatarUrl: '',
      bio: opts.bio ?? '',
      isVerified: opts.isVerified ?? false,
      privateAccount: opts.privateAccount ?? false,
      banned: opts.banned ?? false,
      commentDisabled: opts.commentDisabled ?? false,
      duetDisabled: opts.duetDisabled ?? false,
      stitchDisabled: opts.stitchDisabled ?? false,
      maxVideoPostDurationSec: opts.maxVideoPostDurationSec ?? 600,
      appVersion: opts.appVersion ?? '35.0',
      followerCount: 0,
      followingCount: 0,
      likesCount: 0,
    };
    this.users.set(openId, user);
    return user;
  }

  issueGrant(
    openId: string,
    clientKey: string,
    scopes: string[],
    now: number,
    accessTtlSec: number,
    refreshTtlSec: number,
  ): TokenGrant {
    const grant: TokenGrant = {
      accessToken: `act.${this.prng.chars(48)}`,
      refreshToken: `rft.${this.prng.chars(48)}`,
      openId,
      clientKey,
      scopes,
      accessExpiresAt: now + accessTtlSec * 1000,
      refreshExpiresAt: now + refreshTtlSec * 1000,
      refreshDead: false,
      revoked: false,
    };
    this.grants.set(grant.accessToken, grant);
    this.refreshIndex.set(grant.refreshToken, grant);
    return grant;
  }

  /** Revokes every token of this user for this app (revoke endpoint, authorization removed). */
  revokeUser(openId: string, clientKey: string): void {
    for (const g of this.grants.values()) {
      if (g.openId === openId && g.clientKey === clientKey) {
        g.revoked = true;
        g.refreshDead = true;
      }
    }
  }

  nextPostId(): string {
    return `7${this.prng.digits(18)}`;
  }
}
