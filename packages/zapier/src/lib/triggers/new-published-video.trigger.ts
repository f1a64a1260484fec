// New Published Video: the account's public videos (TikTok's video list, newest first), deduplicated
// by video id. Ids are 19-digit numbers: core keeps them exact as strings.
import { catalog } from '@tokpipe/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { connect } from '../common/connection';
import { translated } from '../common/errors';
import { videoOutput, videoOutputFields, videoSample } from '../output-schemas';

/** The most videos TikTok returns per page (core's catalog: maxCount's limit). */
const PAGE_SIZE = catalog.fields.find((f) => f.name === 'maxCount')!.limits!.max!;

async function perform(z: ZObject, bundle: Bundle) {
  const { poster } = connect(z, bundle);
  return translated(z, async () => {
    const page = await poster.listVideos({ maxCount: bundle.meta?.isLoadingSample ? 3 : PAGE_SIZE });
    return page.videos.map((v) => videoOutput(v as Record<string, unknown>)).filter((v) => v.id !== '');
  });
}

export const newPublishedVideo = {
  key: 'new_published_video',
  noun: 'Video',
  display: {
    label: 'New Published Video',
    description: 'Triggers when a new public video appears on the connected TikTok account.',
  },
  operation: { type: 'polling' as const, perform, outputFields: videoOutputFields, sample: videoSample },
};
