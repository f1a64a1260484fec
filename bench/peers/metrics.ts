// Truth from the sandbox's own records (admin.posts(), admin.requests()), set against what each
// strategy told its user. Pure: decides nothing about how a strategy behaved, only counts.
import { defaultCaps, tiktokRateLimits } from '@tokpipe/core';
import type { PostSummary, Sandbox } from '@tokpipe/sandbox';
import type { PeerWorld, Verdict } from './campaign';

export interface PeerRow {
  strategy: string;
  posts: number;
  /** Campaign posts live on TikTok (PUBLISH_COMPLETE) at least once. */
  published: number;
  /** Extra live posts beyond the first, summed over captions. */
  duplicates: number;
  /** Not on TikTok and the user was told nothing. */
  lost: number;
  /** Told "published", but no live post. */
  wronglyPublished: number;
  /** Told "failed" (a user re-posts those by hand), but the post is live. */
  wronglyFailed: number;
  /** Told "could not confirm, check it" (a truthful answer, but a person has to look). */
  toldUnsure: number;
  /** rate_limit_exceeded replies: all, and those where the strategy itself went over TikTok's window. */
  rateLimitReplies: number;
  rateLimitOverWindow: number;
  /** Requests to TikTok (API, OAuth, upload) per published post. */
  requestsPerPublished: number;
  /** Status fetches per campaign post. */
  statusCallsPerPost: number;
  /** Virtual ms from the campaign's start until a verdict that matches TikTok, over those posts. */
  timeToConfirmedP50Ms: number | null;
  timeToConfirmedP95Ms: number | null;
  confirmed: number;
  /** TikTok's per-token rate quota spent per published post, in token-minutes (init 1/6, status 1/30, creator_info 1/20). */
  quotaPerPublished: number;
  /** Duplicate posts as a share of the accounts' daily Direct Post cap (15 per creator). */
  dailyCapOnDuplicates: number;
  requests: Record<string, number>;
}

const NOT_TIKTOK_API = new Set(['admin', 'media', 'webhook', 'unknown']);
/** The sandbox's endpoint names for core's rate-limited endpoints. */
const LIMITED: Record<string, keyof typeof tiktokRateLimits> = {
  'video.init': 'video_init',
  creator_info: 'creator_info',
  status: 'status_fetch',
};

export function measure(strategy: string, world: PeerWorld, verdicts: Map<number, Verdict>): PeerRow {
  const sb: Sandbox = world.sb;
  const live = new Map<string, PostSummary[]>();
  for (const p of sb.admin.posts()) {
    if (p.status !== 'PUBLISH_COMPLETE' || p.title === null) continue;
    live.set(p.title, [...(live.get(p.title) ?? []), p]);
  }
  const row = { published: 0, duplicates: 0, lost: 0, wronglyPublished: 0, wronglyFailed: 0, toldUnsure: 0 };
  const confirmedTimes: number[] = [];
  for (const post of world.posts) {
    const count = live.get(post.caption)?.length ?? 0;
    const told = verdicts.get(post.index);
    if (count > 0) row.published++;
    row.duplicates += Math.max(0, count - 1);
    if (count === 0 && !told) row.lost++;
    if (count === 0 && told?.verdict === 'published') row.wronglyPublished++;
    if (count > 0 && told?.verdict === 'failed') row.wronglyFailed++;
    if (told?.verdict === 'unknown') row.toldUnsure++;
    const right = told && ((count > 0 && told.verdict === 'published') || (count === 0 && told.verdict === 'failed'));
    if (right) confirmedTimes.push(told.at - world.startedAt);
  }
  const requests: Record<string, number> = {};
  let rateLimitReplies = 0;
  let rateLimitOverWindow = 0;
  let quota = 0;
  for (const r of sb.admin.requests()) {
    if (NOT_TIKTOK_API.has(r.endpoint)) continue;
    requests[r.endpoint] = (requests[r.endpoint] ?? 0) + 1;
    if (r.errorCode === 'rate_limit_exceeded') {
      rateLimitReplies++;
      if (!r.fault) rateLimitOverWindow++;
    }
    const limited = LIMITED[r.endpoint];
    if (limited) quota += 1 / tiktokRateLimits[limited]!.limit;
  }
  const total = Object.values(requests).reduce((a, b) => a + b, 0);
  const perPublished = (n: number) => (row.published === 0 ? Infinity : n / row.published);
  confirmedTimes.sort((a, b) => a - b);
  return {
    strategy,
    posts: world.posts.length,
    ...row,
    rateLimitReplies,
    rateLimitOverWindow,
    requestsPerPublished: round(perPublished(total), 2),
    statusCallsPerPost: round((requests.status ?? 0) / world.posts.length, 2),
    timeToConfirmedP50Ms: percentile(confirmedTimes, 0.5),
    timeToConfirmedP95Ms: percentile(confirmedTimes, 0.95),
    confirmed: confirmedTimes.length,
    quotaPerPublished: round(perPublished(quota), 3),
    dailyCapOnDuplicates: round(row.duplicates / (world.accounts.length * defaultCaps.directPerDay), 3),
    requests,
  };
}

/** Nearest-rank percentile of sorted values; null when there are none. */
export function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function round(value: number, digits: number): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
