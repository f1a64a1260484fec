// New Published Video: the account's public videos (TikTok's video list, newest first), deduplicated
// by video id. Ids are 19-digit numbers: core keeps them exact as strings.
import type { Bundle, ZObject } from 'zapier-platform-core';
import { connect } from '../connection';
import { translated } from '../errors';

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

async function perform(z: ZObject, bundle: Bundle) {
  const { poster } = connect(z, bundle);
  return translated(z, async () => {
    const page = await poster.listVideos({ maxCount: bundle.meta?.isLoadingSample ? 3 : 20 });
    return page.videos
      .filter((v) => text(v.id) !== '')
      .map((v) => ({
        id: text(v.id),
        title: text(v.title),
        share_url: text(v.share_url),
        cover_image_url: text(v.cover_image_url),
        duration: typeof v.duration === 'number' ? v.duration : null,
        create_time: typeof v.create_time === 'number' ? new Date(v.create_time * 1000).toISOString() : null,
      }));
  });
}

export const newPublishedVideo = {
  key: 'new_published_video',
  noun: 'Video',
  display: {
    label: 'New Published Video',
    description: 'Triggers when a new public video appears on the connected TikTok account.',
  },
  operation: {
    type: 'polling' as const,
    perform,
    outputFields: [
      { key: 'id', label: 'Video ID', type: 'string', primary: true },
      { key: 'title', label: 'Title', type: 'string' },
      { key: 'share_url', label: 'Share URL', type: 'string' },
      { key: 'cover_image_url', label: 'Cover Image URL', type: 'string' },
      { key: 'duration', label: 'Duration (s)', type: 'integer' },
      { key: 'create_time', label: 'Created At', type: 'datetime' },
    ],
    sample: {
      id: '7311111111111111111',
      title: 'Hello from tokpipe #zapier',
      share_url: 'https://www.tiktok.com/@tiktok/video/7311111111111111111',
      cover_image_url: 'https://p16-sign.tiktokcdn-us.com/obj/cover.jpeg',
      duration: 12,
      create_time: '2026-11-25T18:00:00.000Z',
    },
  },
};
