// The publish_ids this connection created, kept in z.cache (72 h) for the "Post Status Changed"
// trigger: TikTok has no "list my publish jobs" endpoint. Read-modify-write, not atomic: two steps
// finishing at the same instant may drop one entry from this list (never from the idempotency ledger).
import type { KeyValueStore } from '@tokpipe/core';

export interface RecentPost {
  publishId: string;
  mode: 'direct' | 'draft';
  /** Runtime-clock ms when the create accepted it. */
  createdAt: number;
  /** Last status seen; once final it is never fetched again. */
  status: string;
  postIds: string[];
  /** Classification of a FAILED post, as emitted. */
  failure?: Record<string, unknown> | null;
}

const KEY = 'zapier/recent_posts';
/** Enough for a day of posting at TikTok's daily cap across both modes. */
const MAX_ENTRIES = 100;

export async function readRecent(store: KeyValueStore): Promise<RecentPost[]> {
  const raw = await store.get(KEY);
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? (parsed as RecentPost[]) : [];
  } catch {
    return [];
  }
}

export async function writeRecent(store: KeyValueStore, posts: RecentPost[]): Promise<void> {
  await store.set(KEY, JSON.stringify(posts.slice(0, MAX_ENTRIES)));
}

/** Adds (or refreshes) a post at the front: newest first. */
export async function rememberPost(store: KeyValueStore, post: RecentPost, maxAgeMs: number, now: number): Promise<void> {
  const others = (await readRecent(store)).filter((p) => p.publishId !== post.publishId && now - p.createdAt <= maxAgeMs);
  await writeRecent(store, [post, ...others]);
}
