// Upload Video as Draft: the video goes to the creator's inbox; they finish the post in the TikTok app.
import type { Bundle, ZObject } from 'zapier-platform-core';
import { createSettings, performPost } from '../common/perform-post';
import { catalogFields } from '../common/props';

export const uploadVideoDraft = {
  key: 'upload_video_draft',
  noun: 'Draft',
  display: {
    label: 'Upload Video as Draft',
    description: "Sends a video to the creator's TikTok inbox; they finish and post it in the TikTok app.",
  },
  operation: {
    inputFields: catalogFields('post_video', 'draft', { omit: ['mode'] }),
    perform: (z: ZObject, bundle: Bundle) => performPost(z, bundle, 'post_video', 'draft'),
    ...createSettings,
  },
};
