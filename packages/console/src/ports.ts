// What the console is given. The posting service is the only required source; every other capability
// is a small optional port, and a page whose port is missing says so instead of showing made-up data.
import type { Clock, PostingService, PostView, TimelineSource } from '@tokpipe/core';

export type Scope = 'read' | 'post' | 'admin';

/** Who a key belongs to. `scopes` (or serve's single ordered `scope`: admin ⊃ post ⊃ read). */
export interface KeyIdentity {
  scopes?: readonly string[];
  scope?: string;
  /** Accounts this key may see and act on; absent = all. */
  accounts?: readonly string[];
}

/** One webhook event in or delivery out: core's vocabulary, shared with the server. */
export type { DeliveryRow } from '@tokpipe/core';
import type { DeliveryRow } from '@tokpipe/core';

export interface DeliveriesSource {
  list(options?: { limit?: number }): Promise<DeliveryRow[]>;
  /** Sends an outgoing delivery again (absent: the page offers no redeliver button). */
  redeliver?(id: string): Promise<DeliveryRow>;
}

/** One post as the sandbox TikTok holds it. */
export interface SandboxPostRow {
  publishId: string;
  /** tokpipe's account id for the sandbox user, when known. */
  account: string | null;
  status: string;
  failReason: string | null;
  postIds: string[];
  title: string | null;
  createdAt: number;
}

/** What the sandbox TikTok holds (only in sandbox mode). */
export interface SandboxView {
  posts(): SandboxPostRow[] | Promise<SandboxPostRow[]>;
}

/** Settling a post by hand (a person checked TikTok): posted, with the post id found there, or not posted.
 * pipelineResolve(pipeline) gives it over core's pipeline.resolve. */
export type ResolvePost = (
  jobId: string,
  outcome: { posted: true; postId: string } | { posted: false },
) => Promise<PostView | object | void>;

export interface ConsoleOptions {
  service: PostingService;
  /** The key's identity when it is a live key, else undefined. */
  verifyApiKey(key: string): KeyIdentity | undefined | Promise<KeyIdentity | undefined>;
  deliveries?: DeliveriesSource;
  sandbox?: SandboxView;
  resolve?: ResolvePost;
  /** Where post timelines come from when the service's insight has none for a post. */
  timelines?: TimelineSource;
  clock: Pick<Clock, 'now'>;
  /** Session lifetime (ms of the clock, default 8 h). */
  sessionTtlMs?: number;
  /** Base URL of a TikTok post for links (default https://www.tiktok.com; the post id is appended). */
  postUrl?: (postId: string, account: string | null) => string;
  /** How often the pages refresh their live region in the browser (real ms, default 3000). */
  pollMs?: number;
}

const RANK: Record<Scope, number> = { read: 0, post: 1, admin: 2 };

/** The highest scope a key holds (unknown scope names count as nothing). */
export function scopeOf(identity: KeyIdentity): Scope | undefined {
  const names = [...(identity.scopes ?? []), ...(identity.scope ? [identity.scope] : [])];
  const known = names.filter((n): n is Scope => n in RANK);
  return known.sort((a, b) => RANK[b] - RANK[a])[0];
}

export const scopeAllows = (have: Scope, need: Scope): boolean => RANK[have] >= RANK[need];
