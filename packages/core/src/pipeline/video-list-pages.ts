// The accounts' public video lists as read during one reconciliation pass: each account's list is read
// at most once per pass, page by page as far back as some job needs, and every unknown-outcome job of
// that account judges the same pages. Reading it once per job (the old way) spent most of a hostile
// run's requests and rate-limit replies on the same list.
import { safeMessage } from './context';
import type { Job, PipelinePoster } from './types';
import { parseVideoList, type ParsedVideoList } from './video-list';
import {
  CAPTIONLESS_MATCH_WINDOW_SEC,
  candidatesOnPage,
  judgeCandidates,
  notBeforeSec,
  type Candidate,
  type VideoListMatch,
} from './video-match';

/** Page `index` of the list, or why it could not be read; `ended` once there is no page after it. */
export type ListPage = { page: ParsedVideoList; ended: boolean } | { error: string };

interface AccountList {
  pages: ParsedVideoList[];
  /** No further page exists (has_more false or no cursor). */
  ended: boolean;
  /** A read failed: not asked again during this pass. */
  error?: string;
}

export class VideoListPages {
  private readonly lists = new Map<string, AccountList>();

  constructor(private readonly log: (message: string) => void = () => {}) {}

  /** Whether this pass has read (or tried to read) the account's list: judging it again costs nothing. */
  has(account: string): boolean {
    return this.lists.has(account);
  }

  /** Page `index` (0 = newest) of `account`'s list: from this pass's reads, or read now when the
   * pages before it were read and said there is more. */
  async page(
    account: string,
    poster: Required<Pick<PipelinePoster, 'listVideos'>>,
    index: number,
  ): Promise<ListPage | undefined> {
    let list = this.lists.get(account);
    if (!list) {
      list = { pages: [], ended: false };
      this.lists.set(account, list);
    }
    while (list.pages.length <= index) {
      if (list.error !== undefined) return { error: list.error };
      if (list.ended) return undefined;
      // No max_count: core's client asks for the largest page TikTok gives (20).
      const cursor = list.pages.at(-1)?.cursor;
      try {
        const parsed = parseVideoList(await poster.listVideos({ cursor }));
        list.pages.push(parsed);
        if (!parsed.hasMore || parsed.cursor === undefined) list.ended = true;
      } catch (err) {
        list.error = safeMessage(err);
        this.log(`video list for ${account} failed: ${list.error}`);
        return { error: list.error };
      }
    }
    return { page: list.pages[index]!, ended: list.ended && index === list.pages.length - 1 };
  }
}

/** One post whose init outcome is unknown, to look for in its account's video list. */
export interface VideoListSearch {
  account: string;
  poster: Required<Pick<PipelinePoster, 'listVideos'>>;
  /** The post's caption (its title), '' when it has none. */
  caption: string;
  /** When its intent was recorded (epoch ms): the post cannot be older. */
  intentAt: number;
  /** Post ids some other post already holds. */
  held: ReadonlySet<string>;
  /** Other open posts on the account with the same caption (see rivalsOf). */
  rivals: ReadonlyArray<Pick<Job, 'id' | 'state' | 'intentAt'>>;
  /** Pages read at most (20 videos each). */
  pages: number;
}

/** Reads the account's public video list back to the intent time (pages this pass already read are not
 * read again) and lets judgeCandidates decide. The pipeline's reconciler and the engine's worker sweep
 * both settle unknown outcomes with it. */
export async function searchVideoList(lists: VideoListPages, search: VideoListSearch): Promise<VideoListMatch> {
  const { account, caption, intentAt, held, pages } = search;
  const notBefore = notBeforeSec(intentAt);
  // Without a caption only time ties a listed video to the post: it must be created soon after the init.
  const notAfter =
    caption === '' ? Math.floor(intentAt / 1000) + CAPTIONLESS_MATCH_WINDOW_SEC : Number.POSITIVE_INFINITY;
  const candidates: Candidate[] = [];
  let complete = false;
  for (let index = 0; index < pages; index++) {
    const read = await lists.page(account, search.poster, index);
    if (!read) break;
    if ('error' in read) return { why: `the video list of ${account} could not be read (${read.error})` };
    const { videos } = read.page;
    for (const c of candidatesOnPage(videos, caption, notBefore, held, notAfter)) {
      if (!candidates.some((known) => known.id === c.id)) candidates.push(c);
    }
    // The list is newest first: once past the intent time, older pages cannot hold the post.
    if (read.ended || videos.some((v) => v.createTime !== undefined && v.createTime < notBefore)) {
      complete = true;
      break;
    }
  }
  return judgeCandidates({ account, candidates, complete, pages, rivals: search.rivals, captionless: caption === '' });
}
