// The accounts' public video lists as read during one reconciliation pass: each account's list is read
// at most once per pass, page by page as far back as some job needs, and every unknown-outcome job of
// that account judges the same pages. Reading it once per job (the old way) spent most of a hostile
// run's requests and rate-limit replies on the same list.
import { safeMessage } from './context';
import type { PipelinePoster } from './types';
import { parseVideoList, type ParsedVideoList } from './video-list';

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
