// Reads the Display API video list tolerantly: the reply may be the raw envelope
// ({data:{videos, cursor, has_more}}) or the poster's unwrapped data, ids may be strings or numbers;
// only real post ids (isPostId) are kept.
import { isPostId } from '../ids';
import type { ListedVideo } from './types';

export interface ParsedVideoList {
  videos: ListedVideo[];
  cursor?: number | string;
  hasMore: boolean;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The id as a post id string, or undefined when it is not one (a number past 2^53 has lost digits:
 * claiming it would settle a job with some other post's id). */
function postIdOf(id: unknown): string | undefined {
  const text =
    typeof id === 'string'
      ? id
      : typeof id === 'bigint' || (typeof id === 'number' && Number.isSafeInteger(id))
        ? String(id)
        : undefined;
  return isPostId(text) ? text : undefined;
}

export function parseVideoList(reply: unknown): ParsedVideoList {
  const top = asRecord(reply) ?? {};
  const data = asRecord(top.data) ?? top;
  const list = Array.isArray(data.videos) ? data.videos : Array.isArray(reply) ? (reply as unknown[]) : [];
  const videos: ListedVideo[] = [];
  for (const item of list) {
    const v = asRecord(item);
    const id = v ? postIdOf(v.id) : undefined;
    if (!v || id === undefined) continue;
    const title = [v.title, v.video_description, v.videoDescription].find((t) => typeof t === 'string') as
      | string
      | undefined;
    const created = v.create_time ?? v.createTime;
    const createTime =
      typeof created === 'number'
        ? created
        : typeof created === 'string' && /^\d+$/.test(created)
          ? Number(created)
          : undefined;
    videos.push({ id, title, createTime });
  }
  const cursor = data.cursor ?? data.nextCursor;
  const hasMore = data.has_more ?? data.hasMore;
  return {
    videos,
    cursor: typeof cursor === 'number' || typeof cursor === 'string' ? cursor : undefined,
    hasMore: hasMore === true,
  };
}
