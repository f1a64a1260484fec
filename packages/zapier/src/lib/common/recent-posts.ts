// The publish_ids this connection created, kept in z.cache (72 h) for the "Post Status Changed" trigger:
// TikTok has no "list my publish jobs" endpoint. Safe under concurrent runs: there is no list to
// read, change and write back. Each create claims a slot key of its own with z.cache's set-if-absent
// (nx), so no write can replace another post's; the trigger reads the slots in order and writes back
// only the slots it read. Two hints (next free slot, first slot worth reading) only save reads: a
// stale hint costs a few extra probes, never an entry.
import { CACHE_TTL_SECONDS, SCOPE, type ZapierCache } from './cache-store';

export interface RecentPost {
  publishId: string;
  mode: 'direct' | 'draft';
  /** Runtime-clock ms when the create accepted it. */
  createdAt: number;
  /** Last status seen; once it can no longer change it is never fetched again. */
  status: string;
  postIds: string[];
  /** Classification of a FAILED post, as emitted. */
  failure?: Record<string, unknown> | null;
}

/** A post read back, with the slot it lives in (to write its new status there). */
export interface StoredPost {
  slot: number;
  post: RecentPost;
}

export interface RecentPosts {
  cache: ZapierCache;
  /** Key prefix for this connection (its open_id). */
  prefix: string;
}

/** Slots one create probes at most past the hint; far more than concurrent runs of one connection. */
const MAX_PROBES = 500;
/** Slots one trigger poll reads at most: TikTok's daily caps keep 72 h of posts well below this. */
const MAX_SCAN = 500;

export function recentPosts(cache: ZapierCache, openId: string): RecentPosts {
  return { cache, prefix: `tokpipe:${openId || 'unknown'}:recent:` };
}

const slotKey = (r: RecentPosts, slot: number) => `${r.prefix}${slot}`;
const NEXT = 'next';
const FIRST = 'first';

async function hint(r: RecentPosts, name: string): Promise<number> {
  const value = Number(await r.cache.get(r.prefix + name, SCOPE));
  return Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

const setHint = (r: RecentPosts, name: string, value: number) =>
  r.cache.set(r.prefix + name, value, CACHE_TTL_SECONDS, SCOPE);

function asPost(value: unknown): RecentPost | undefined {
  const post = value as Partial<RecentPost> | null;
  return post && typeof post === 'object' && typeof post.publishId === 'string' && typeof post.createdAt === 'number'
    ? (post as RecentPost)
    : undefined;
}

/** Records a post in a slot no other run holds. A slot is ours when the nx set says so, or (its answer
 * when it sets is not documented) when the slot reads back as this post. False: no slot found, the
 * trigger will not follow this post (it is posted all the same). */
export async function rememberPost(r: RecentPosts, post: RecentPost): Promise<boolean> {
  const start = Math.max(await hint(r, NEXT), await hint(r, FIRST));
  for (let slot = start; slot < start + MAX_PROBES; slot++) {
    const set = await r.cache.set(slotKey(r, slot), post, CACHE_TTL_SECONDS, SCOPE, true);
    const held = set === true ? post : asPost(await r.cache.get(slotKey(r, slot), SCOPE));
    if (held?.publishId === post.publishId && held.createdAt === post.createdAt) {
      await setHint(r, NEXT, slot + 1);
      return true;
    }
  }
  return false;
}

/** Every post still kept, oldest slot first. Reads from the first-slot hint up to the next-slot hint,
 * then on until a free slot (claims past a stale hint are contiguous), and moves the first-slot hint
 * past the slots that expired. Posts older than `maxAgeMs` are dropped. */
export async function readRecent(r: RecentPosts, now: number, maxAgeMs: number): Promise<StoredPost[]> {
  const first = await hint(r, FIRST);
  const next = await hint(r, NEXT);
  const found: StoredPost[] = [];
  let firstHeld: number | undefined;
  for (let slot = first; slot < first + MAX_SCAN; slot++) {
    const post = asPost(await r.cache.get(slotKey(r, slot), SCOPE));
    if (!post) {
      if (slot >= next) break;
      continue;
    }
    if (now - post.createdAt > maxAgeMs) {
      await r.cache.delete(slotKey(r, slot), SCOPE);
      continue;
    }
    firstHeld ??= slot;
    found.push({ slot, post });
  }
  if (firstHeld !== undefined && firstHeld > first) await setHint(r, FIRST, firstHeld);
  return found;
}

/** Writes a post's new status back to its own slot. */
export async function updatePost(r: RecentPosts, stored: StoredPost): Promise<void> {
  await r.cache.set(slotKey(r, stored.slot), stored.post, CACHE_TTL_SECONDS, SCOPE);
}

/** Stops watching a post TikTok no longer knows. */
export async function forgetPost(r: RecentPosts, stored: StoredPost): Promise<void> {
  await r.cache.delete(slotKey(r, stored.slot), SCOPE);
}
