// Reads the Display API video list tolerantly: the reply may be the raw envelope
// ({data:{videos, cursor, has_more}}) or the poster's unwrapped data, ids may be strings or numbers.
import type { ListedVideo } from './types';

export interface ParsedVideoList {
  videos: ListedVideo[];
  cursor?: number | string;
  hasMore: boolean;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function parseVideoList(reply: unknown): ParsedVideoList {
  const top = asRecord(reply) ?? {};
  const data = asRecord(top.data) ?? top;
  const list = Array.isArray(data.videos) ? data.videos : Array.isArray(reply) ? (reply as unknown[]) : [];
  const videos: ListedVideo[] = [];
  for (const item of list) {
    const v = asRecord(item);
    if (!v || (typeof v.id !== 'string' && typeof v.id !== 'number' && typeof v.id !== 'bigint')) continue;
    const title = [v.title, v.video_description, v.videoDescription].find((t) => typeof t === 'string') as string | undefined;
    const created = v.create_time ?? v.createTime;
    const createTime =
      typeof created === 'number' ? created : typeof created === 'string' && /^\d+$/.test(created) ? Number(created) : undefined;
    videos.push({ id: String(v.id), title, createTime });
  }
  const cursor = data.cursor ?? data.nextCursor;
  const hasMore = data.has_more ?? data.hasMore;
  return { videos, cursor: typeof cursor === 'number' || typeof cursor === 'string' ? cursor : undefined, hasMore: hasMore === true };
}
