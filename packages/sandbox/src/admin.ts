// The admin handle: the same operations in-process (sb.admin) and over HTTP under /__sandbox/.
import { ConfigError, mergeConfig, type SandboxConfig } from './config';
import type { Engine, Reply, RequestRecord, SandboxRequest } from './engine';
import { ENDPOINTS, type Fault, type FaultTable, type ProfileName } from './faults';
import { toJson } from './util';
import { PRIVACY_LEVELS } from './validate';
import type { Delivery, Webhooks } from './webhooks';
import { ALL_SCOPES, postView, type CreateUserOptions, type Post, type PostStatus } from './world';

export interface DemoAccount {
  openId: string;
  accessToken: string;
  refreshToken: string;
  scope: string;
}

export interface DemoCredentials {
  url: string;
  clientKey: string;
  clientSecret: string;
  accounts: DemoAccount[];
}

export interface IssuedToken extends DemoAccount {
  expiresIn: number;
  refreshExpiresIn: number;
}

export interface RequestFilter {
  endpoint?: string;
  openId?: string;
  method?: string;
  /** Only requests at or after this seq number. */
  sinceSeq?: number;
}

export interface PostSummary {
  publishId: string;
  openId: string;
  clientKey: string;
  flow: 'direct' | 'inbox';
  media: 'video' | 'photo';
  source: 'FILE_UPLOAD' | 'PULL_FROM_URL';
  status: PostStatus;
  failReason: string | null;
  /** Every post id this publish produced (public or not). */
  postIds: string[];
  /** The ids status fetch shows now (public and moderated). */
  publicPostIds: string[];
  title: string | null;
  description: string | null;
  privacy: string | null;
  urls: string[];
  videoSize: number;
  uploadedBytes: number;
  /** FILE_UPLOAD: sha256 (hex) of each chunk accepted, in order. */
  chunkSha256: string[];
  createdAt: number;
  completedAt: number | null;
}

export interface SandboxAdmin {
  demo(): DemoCredentials;
  createUser(opts?: CreateUserOptions): { openId: string; username: string };
  updateUser(openId: string, changes: CreateUserOptions): void;
  createApp(opts?: { clientKey?: string; clientSecret?: string; scopes?: string[]; redirectUris?: string[] }): {
    clientKey: string;
    clientSecret: string;
  };
  issueToken(
    openId: string,
    opts?: { scope?: string | string[]; expiresIn?: number; refreshExpiresIn?: number; clientKey?: string },
  ): IssuedToken;
  setConfig(partial: Partial<SandboxConfig>): SandboxConfig;
  config(): SandboxConfig;
  requests(filter?: RequestFilter): RequestRecord[];
  posts(openId?: string): PostSummary[];
  publishDraft(publishId: string, opts?: { privacy?: string; count?: number }): PostSummary;
  /** The post stops being public (post.publish.no_longer_public… event). */
  takeDown(publishId: string): PostSummary;
  /** The user disconnects the app (or is banned…): tokens revoked, authorization.removed sent. */
  removeAuthorization(openId: string, reason?: number, clientKey?: string): void;
  script(endpoint: string, faults: Fault[]): void;
  setFaults(profile: ProfileName | FaultTable): void;
  webhooks(): Delivery[];
  runDueWork(): Promise<void>;
  /** Moves the sandbox's own clock forward (not available with an injected clock). */
  advance(ms: number): void;
  now(): number;
  reset(): void;
}

export function postSummary(engine: Engine, p: Post): PostSummary {
  const v = postView(p, engine.now(), engine.config);
  return {
    publishId: p.publishId,
    openId: p.openId,
    clientKey: p.clientKey,
    flow: p.flow,
    media: p.media,
    source: p.source,
    status: v.status,
    failReason: v.failReason,
    postIds: [...p.postIds],
    publicPostIds: v.publicPostIds,
    title: p.title,
    description: p.description,
    privacy: p.flow === 'inbox' ? p.draftPrivacy : p.privacy,
    urls: p.urls,
    videoSize: p.videoSize,
    uploadedBytes: p.uploadedBytes,
    chunkSha256: [...p.chunkSha256],
    createdAt: p.createdAt,
    completedAt: v.completedAt,
  };
}

function scopesOf(scope: string | string[] | undefined): string[] {
  const list = scope === undefined ? [...ALL_SCOPES] : Array.isArray(scope) ? scope : scope.split(',');
  const clean = list.map((s) => s.trim()).filter(Boolean);
  const unknown = clean.filter((s) => !(ALL_SCOPES as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`scope: unknown scope(s) ${unknown.join(', ')}`);
  return clean;
}

export interface AdminDeps {
  engine: Engine;
  webhooks: Webhooks;
  demo: () => DemoCredentials;
  advance: (ms: number) => void;
  onRemoved: (openId: string, clientKey: string, reason: number) => void;
  reset: () => void;
}

export function makeAdmin(d: AdminDeps): SandboxAdmin {
  const { engine } = d;
  const mustPost = (publishId: string): Post => {
    const p = engine.world.posts.get(publishId);
    if (!p) throw new Error(`publishId: no post ${publishId}`);
    return p;
  };
  const defaultApp = () => [...engine.world.apps.values()][0];
  return {
    demo: d.demo,
    createUser(opts = {}) {
      const u = engine.world.createUser(opts);
      return { openId: u.openId, username: u.username };
    },
    updateUser(openId, changes) {
      const u = engine.world.users.get(openId);
      if (!u) throw new Error(`openId: no user ${openId}`);
      for (const [k, v] of Object.entries(changes)) {
        if (k === 'openId' || !(k in u)) throw new Error(`${k}: cannot be changed`);
        if (typeof v !== typeof (u as unknown as Record<string, unknown>)[k])
          throw new Error(`${k}: must be a ${typeof (u as unknown as Record<string, unknown>)[k]}`);
        (u as unknown as Record<string, unknown>)[k] = v;
      }
    },
    createApp(opts = {}) {
      if (opts.scopes) scopesOf(opts.scopes);
      const app = engine.world.createApp(opts);
      return { clientKey: app.clientKey, clientSecret: app.clientSecret };
    },
    issueToken(openId, opts = {}) {
      if (!engine.world.users.has(openId)) throw new Error(`openId: no user ${openId}`);
      const clientKey = opts.clientKey ?? defaultApp().clientKey;
      if (!engine.world.apps.has(clientKey)) throw new Error(`clientKey: no app ${clientKey}`);
      const scopes = scopesOf(opts.scope);
      const cfg = engine.config;
      const g = engine.world.issueGrant(
        openId,
        clientKey,
        scopes,
        engine.now(),
        opts.expiresIn ?? cfg.accessTokenTtlSec,
        opts.refreshExpiresIn ?? cfg.refreshTokenTtlSec,
      );
      return {
        openId,
        accessToken: g.accessToken,
        refreshToken: g.refreshToken,
        scope: scopes.join(','),
        expiresIn: Math.round((g.accessExpiresAt - engine.now()) / 1000),
        refreshExpiresIn: Math.round((g.refreshExpiresAt - engine.now()) / 1000),
      };
    },
    setConfig(partial) {
      engine.config = mergeConfig(engine.config, partial as Record<string, unknown>);
      return engine.config;
    },
    config: () => engine.config,
    requests(filter = {}) {
      return engine.requests.filter(
        (r) =>
          (filter.endpoint === undefined || r.endpoint === filter.endpoint) &&
          (filter.openId === undefined || r.openId === filter.openId) &&
          (filter.method === undefined || r.method === filter.method.toUpperCase()) &&
          (filter.sinceSeq === undefined || r.seq >= filter.sinceSeq),
      );
    },
    posts(openId) {
      return [...engine.world.posts.values()]
        .filter((p) => openId === undefined || p.openId === openId)
        .map((p) => postSummary(engine, p));
    },
    publishDraft(publishId, opts = {}) {
      const p = mustPost(publishId);
      const status = postView(p, engine.now(), engine.config).status;
      if (status !== 'SEND_TO_USER_INBOX')
        throw new Error(
          `publishId: ${publishId} is ${status}, not SEND_TO_USER_INBOX (only inbox drafts can be published)`,
        );
      if (opts.privacy !== undefined && !PRIVACY_LEVELS.includes(opts.privacy))
        throw new Error(`privacy: must be one of ${PRIVACY_LEVELS.join(', ')}`);
      const count = opts.count ?? 1;
      if (!Number.isInteger(count) || count < 1) throw new Error('count: must be a positive integer');
      p.draftPublishedAt = engine.now();
      p.draftPrivacy = opts.privacy ?? 'PUBLIC_TO_EVERYONE';
      p.postIds = Array.from({ length: count }, () => engine.world.nextPostId());
      return postSummary(engine, p);
    },
    takeDown(publishId) {
      const p = mustPost(publishId);
      if (postView(p, engine.now(), engine.config).publicPostIds.length === 0)
        throw new Error(`publishId: ${publishId} has no public post`);
      p.takenDownAt = engine.now();
      return postSummary(engine, p);
    },
    removeAuthorization(openId, reason = 1, clientKey) {
      if (!engine.world.users.has(openId)) throw new Error(`openId: no user ${openId}`);
      if (!Number.isInteger(reason) || reason < 0 || reason > 5) throw new Error('reason: must be 0..5');
      d.onRemoved(openId, clientKey ?? defaultApp().clientKey, reason);
    },
    script(endpoint, faults) {
      if (!Array.isArray(faults)) throw new Error('faults: must be an array');
      engine.faults.script(endpoint, faults);
    },
    setFaults(profile) {
      engine.faults.setProfile(profile);
    },
    webhooks: () => d.webhooks.deliveries,
    runDueWork: () => d.webhooks.runDue(),
    advance: d.advance,
    now: () => engine.now(),
    reset: d.reset,
  };
}

type Args = Record<string, unknown>;

/** HTTP admin: `/__sandbox/<operation>`, arguments as a JSON body (POST) or query string (GET). */
const OPERATIONS: Record<string, (a: SandboxAdmin, args: Args) => unknown> = {
  demo: (a) => a.demo(),
  createUser: (a, x) => a.createUser(x as CreateUserOptions),
  updateUser: (a, x) => a.updateUser(String(x.openId), (x.changes ?? {}) as CreateUserOptions),
  createApp: (a, x) => a.createApp(x),
  issueToken: (a, x) => a.issueToken(String(x.openId), x as never),
  setConfig: (a, x) => a.setConfig(x as Partial<SandboxConfig>),
  config: (a) => a.config(),
  requests: (a, x) =>
    a.requests({ ...x, sinceSeq: x.sinceSeq === undefined ? undefined : Number(x.sinceSeq) } as RequestFilter),
  posts: (a, x) => a.posts(x.openId === undefined ? undefined : String(x.openId)),
  publishDraft: (a, x) => a.publishDraft(String(x.publishId), x as never),
  takeDown: (a, x) => a.takeDown(String(x.publishId)),
  removeAuthorization: (a, x) =>
    a.removeAuthorization(
      String(x.openId),
      x.reason === undefined ? undefined : Number(x.reason),
      x.clientKey as string | undefined,
    ),
  script: (a, x) => a.script(String(x.endpoint), x.faults as Fault[]),
  setFaults: (a, x) => a.setFaults((x.profile ?? x.table) as ProfileName),
  webhooks: (a) => a.webhooks(),
  runDueWork: (a) => a.runDueWork(),
  advance: (a, x) => a.advance(Number(x.ms)),
  now: (a) => ({ now: a.now() }),
  reset: (a) => a.reset(),
  endpoints: () => ENDPOINTS,
};

export async function adminHttp(admin: SandboxAdmin, req: SandboxRequest): Promise<Reply> {
  const op = req.path.slice('/__sandbox/'.length).replace(/\/$/, '');
  const json = (status: number, value: unknown): Reply => ({
    status,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: toJson(value === undefined ? { ok: true } : value),
    errorCode: null,
  });
  const fn = OPERATIONS[op];
  if (!fn) return json(404, { error: `unknown admin operation "${op}"; one of ${Object.keys(OPERATIONS).join(', ')}` });
  let args: Args = Object.fromEntries(req.query);
  if (req.body.length > 0) {
    try {
      args = { ...args, ...(JSON.parse(req.body.toString('utf8')) as Args) };
    } catch {
      return json(400, { error: 'body: not valid JSON' });
    }
  }
  try {
    return json(200, await fn(admin, args));
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : (err as Error).message;
    return json(400, { error: message });
  }
}
