// A sandbox and a virtual clock shared by several "workers" (each with its own database connection,
// store, limiter and token manager, as separate processes would have).
import {
  createPoster,
  createTokenManager,
  RateLimiter,
  VirtualClock,
  type Clock,
  type PostRequest,
  type TikTokPoster,
} from '@tokpipe/core';
import { axiosTransport } from '@tokpipe/core/node';
import { startSandbox, type Sandbox, type SandboxConfig } from '@tokpipe/sandbox';
import { SqlRateLimiter, SqlStore, sqlTokenStore, type Db } from '../src';

export const WORLD_START = Date.UTC(2026, 0, 5, 9);

/** Database calls are real I/O: the virtual clock must not jump while one runs. `reserve` passes
 * through: without it a session advisory lock taken through the pool could be released on another
 * connection and stay held (a CI run hung on pg-boss's start lock that way). */
export function trackDb(db: Db, clock: VirtualClock): Db {
  return {
    kind: db.kind,
    query: (sql, params) => clock.track(db.query(sql, params)),
    exec: (sql) => clock.track(db.exec(sql)),
    transaction: (fn) => clock.track(db.transaction(fn)),
    ...(db.reserve ? { reserve: () => db.reserve!() } : {}),
    close: () => db.close(),
  };
}

export interface World {
  sb: Sandbox;
  clock: VirtualClock;
  clientKey: string;
  clientSecret: string;
  close(): Promise<void>;
}

export async function startWorld(config: Partial<SandboxConfig> = {}): Promise<World> {
  const clock = new VirtualClock({
    start: WORLD_START,
    autoAdvance: true,
    yieldToHost: () => new Promise((r) => setImmediate(r)),
  });
  const sb = await startSandbox({ clock, config: { directPostDailyCap: 10_000, ...config }, workIntervalMs: 0 });
  const demo = sb.admin.demo();
  return { sb, clock, clientKey: demo.clientKey, clientSecret: demo.clientSecret, close: () => sb.close() };
}

/** Stores an account's token in the database (as `accounts add` would). */
export async function seedAccount(
  world: World,
  db: Db,
  account: string,
  opts: { expiresInMs?: number } = {},
): Promise<string> {
  const user = world.sb.admin.createUser();
  const issued = world.sb.admin.issueToken(user.openId);
  await sqlTokenStore(db, account).save({
    access_token: issued.accessToken,
    refresh_token: issued.refreshToken,
    expires_at: world.clock.now() + (opts.expiresInMs ?? 3_600_000),
    scope: issued.scope,
    open_id: user.openId,
  });
  return user.openId;
}

export interface Worker {
  poster: TikTokPoster;
  auth: ReturnType<typeof createTokenManager>;
}

/** One worker: its own store, limiter (shared through SQL unless `limiter` is given) and token manager. */
export function worker(
  world: World,
  db: Db,
  account: string,
  opts: { limiter?: RateLimiter; clock?: Clock } = {},
): Worker {
  const clock = opts.clock ?? world.clock;
  const transport = world.clock.trackTransport(axiosTransport());
  const auth = createTokenManager({
    store: sqlTokenStore(db, account),
    clock,
    transport,
    clientKey: world.clientKey,
    clientSecret: world.clientSecret,
    baseUrl: world.sb.url,
  });
  const limiter = opts.limiter ?? new SqlRateLimiter(db, { clock });
  const poster = createPoster({
    baseUrl: world.sb.url,
    transport,
    clock,
    auth,
    store: new SqlStore(db),
    limiter,
    random: () => 0.5,
    requestTimeoutMs: 3_000,
  });
  return { poster, auth };
}

export const video = (world: World, title: string): PostRequest => ({
  mode: 'direct',
  media: { type: 'video_url', url: `${world.sb.url}/media/sample.mp4` },
  title,
  privacyLevel: 'SELF_ONLY',
});

/** Inits that reached the sandbox, by title. */
export function initsByTitle(world: World): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of world.sb.admin.requests({ endpoint: 'video.init' })) {
    const title = (r.body as { post_info?: { title?: string } } | null)?.post_info?.title ?? '';
    counts.set(title, (counts.get(title) ?? 0) + 1);
  }
  return counts;
}

/** 429s that TikTok's own limits produced (not injected by a fault profile). */
export function ourRateLimitErrors(world: World): number {
  return world.sb.admin.requests().filter((r) => r.errorCode === 'rate_limit_exceeded' && r.fault === null).length;
}

/** Waits in short real turns (other processes and pg-boss work in real time) until `check` holds. */
export async function waitReal(check: () => Promise<boolean>, what: string, limitMs: number): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
