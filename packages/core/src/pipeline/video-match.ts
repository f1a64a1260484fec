// Decide, never do: whether a video in the account's public list is the post of a job whose init
// outcome is unknown. reconcile.ts reads the pages; these functions judge what it read.
import type { Job, JobState, ListedVideo } from './types';

/** Whether another job in this state may own a public video whose id it does not know yet (so a listed
 * video with its caption may be its post). Only asked for jobs with an intent and no known post id. */
const mayOwnUnseenPost: Readonly<Record<JobState, (job: Job) => boolean>> = {
  queued: () => false, //      no init in flight; an earlier one was refused or FAILED (never public)
  retry_wait: () => false,
  deferred: () => false,
  posting: () => true, //      init in flight
  accepted: () => true, //     TikTok may have published it before we polled
  unconfirmed: () => true,
  unknown: () => true,
  published: () => true, //    published without a reported post id
  delivered: () => true, //    a draft the creator may have posted from the inbox
  dead: (job) => job.lastError?.disposition === 'unknown_outcome' || job.lastError?.code === 'unconfirmed_expired',
};

/** What the video list says about an unknown-outcome job: its post, or why none was claimed. */
export type VideoListMatch =
  | { found: { id: string } }
  /** nothingFits: the list was read back past the init and no video fits at all. */
  | { found?: undefined; why: string; nothingFits?: boolean };

/** A caption-less post can only be told apart by time: it must have been created this soon after the init. */
export const CAPTIONLESS_MATCH_WINDOW_SEC = 15 * 60;

/** What whyNotInVideoList looks at: a job's spec, or a queued post's request (same field names). */
export interface ListablePost {
  mode: 'direct' | 'draft';
  media: { type: string };
  privacyLevel?: string;
}

/** Why TikTok's video list (the creator's public videos) can never show this job's post, if so. */
export function whyNotInVideoList(job: { spec: ListablePost }): string | undefined {
  if (job.spec.mode === 'draft')
    return "it went to the creator's inbox as a draft, which TikTok's video list does not show";
  if (job.spec.media.type === 'photo_urls') return "it is a photo post, and TikTok's video list shows videos only";
  const privacy = job.spec.privacyLevel;
  if (privacy && privacy !== 'PUBLIC_TO_EVERYONE')
    return `it was posted as ${privacy}, and TikTok's video list shows public videos only`;
  return undefined;
}

/** After this long a public, captioned post would normally be in the video list (moderation included). */
export const LISTED_WITHIN_MS = 30 * 60_000;

/** Whether this pass should look for the job's post in the video list. Every pass while the post could
 * still be on its way and once past the window (the check before the dead letter); in between, each
 * time the job's age has doubled since the list was last read for it (in this process): a post that
 * is not listed 30 min after its init seldom appears later, and one read per pass spent most of a
 * hostile campaign's requests. `lastReadAtAgeMs`: the job's age at that last read. */
export function videoListCheckDue(ageMs: number, lastReadAtAgeMs: number | undefined, windowMs: number): boolean {
  if (lastReadAtAgeMs === undefined || ageMs <= LISTED_WITHIN_MS || ageMs > windowMs) return true;
  return ageMs >= 2 * lastReadAtAgeMs;
}

/** Whether a job may own a publish_id that TikTok named (in a webhook) but no job holds: an init whose
 * reply was lost, still open or given up (dead-lettered as an unknown outcome: its post may still be
 * that one, so another job cannot claim it). */
export function mayOwnUnheldPublishId(job: Job): boolean {
  if (job.intentAt === undefined) return false;
  return job.state === 'unknown' || (job.state === 'dead' && job.lastError?.disposition === 'unknown_outcome');
}

export function captionOf(job: { spec: { title?: string } }): string {
  return (job.spec.title ?? '').trim();
}

/** TikTok's create_time is in seconds; allow a minute of clock difference. */
export function notBeforeSec(intentAt: number): number {
  return Math.floor(intentAt / 1000) - 60;
}

/** Every post id a job holds, from the jobs themselves and what was claimed since. */
export function heldPostIds(jobs: Iterable<Job>, claimed: ReadonlySet<string>): Set<string> {
  const held = new Set(claimed);
  for (const other of jobs) for (const id of other.postIds) held.add(id);
  return held;
}

/** Other jobs on the job's account with the same caption that may own a listed video we cannot tell from ours. */
export function rivalsOf(job: Job, jobs: Iterable<Job>): Job[] {
  const caption = captionOf(job);
  const out: Job[] = [];
  for (const other of jobs) {
    if (other.id === job.id || other.account !== job.account || captionOf(other) !== caption) continue;
    if (other.intentAt !== undefined && other.postIds.length === 0 && mayOwnUnseenPost[other.state](other))
      out.push(other);
  }
  return out;
}

/** Same-caption jobs on the account published without a post id: asking their status again tells
 * which listed videos they hold (TikTok reports PUBLISH_COMPLETE before moderation makes it public). */
export function sameCaptionWithoutPostId(job: Job, jobs: Iterable<Job>): Job[] {
  const caption = captionOf(job);
  if (caption === '') return [];
  const out: Job[] = [];
  for (const other of jobs) {
    const finished = other.state === 'published' || other.state === 'delivered';
    const unseen = finished && other.postIds.length === 0 && other.publishId !== undefined;
    if (other.id !== job.id && unseen && other.account === job.account && captionOf(other) === caption) out.push(other);
  }
  return out;
}

export interface Candidate {
  id: string;
  createTime: number;
}

/** The listed videos of one page that may be the job's post (not held, its caption, created after the intent). */
export function candidatesOnPage(
  videos: readonly ListedVideo[],
  caption: string,
  notBefore: number,
  held: ReadonlySet<string>,
  notAfter = Number.POSITIVE_INFINITY,
): Candidate[] {
  const out: Candidate[] = [];
  for (const v of videos) {
    if (v.createTime === undefined || v.createTime < notBefore || v.createTime > notAfter || held.has(v.id)) continue;
    if ((v.title ?? '').trim() !== caption) continue;
    out.push({ id: v.id, createTime: v.createTime });
  }
  return out;
}

/** The verdict over every page read. complete: the list was read back past the intent time. */
export function judgeCandidates(input: {
  account: string;
  candidates: readonly Candidate[];
  complete: boolean;
  pages: number;
  rivals: ReadonlyArray<Pick<Job, 'id' | 'state' | 'intentAt'>>;
  /** The job has no caption (then only a video created soon after the init, with none either, fits). */
  captionless?: boolean;
}): VideoListMatch {
  const { account, candidates, complete, pages, rivals } = input;
  if (candidates.length === 0) {
    const fits = input.captionless
      ? `has no caption and was created within ${CAPTIONLESS_MATCH_WINDOW_SEC / 60} min after the init`
      : 'has its caption and was created after the init';
    return {
      why: complete
        ? `no unclaimed public video on ${account} ${fits}`
        : `no match in the first ${pages} pages of ${account}'s video list`,
      nothingFits: complete,
    };
  }
  if (!complete) {
    return {
      why: `${account}'s video list since the init is longer than ${pages} pages; a second video with this caption may be further down`,
    };
  }
  if (candidates.length > 1) {
    const ids = candidates.map((c) => c.id).join(', ');
    return {
      why: `${candidates.length} unclaimed public videos on ${account} have its caption (${ids}); cannot tell which, if any, is this job's`,
    };
  }
  const candidate = candidates[0]!;
  const rival = rivals.find((other) => candidate.createTime >= notBeforeSec(other.intentAt!));
  if (rival) {
    const who = `job ${rival.id} (${rival.state}) on ${account}`;
    return { why: `${who} has the same caption and may own video ${candidate.id}; cannot tell which job posted it` };
  }
  return { found: { id: candidate.id } };
}
