// Post Video: a video straight to the profile, from a URL on a verified domain or a file.
import type { Bundle, ZObject } from 'zapier-platform-core';
import { createSettings, performPost } from '../common/perform-post';
import { catalogFields } from '../common/props';

export const postVideo = {
  key: 'post_video',
  noun: 'Video',
  display: {
    label: 'Post Video',
    description: 'Posts a video straight to the TikTok profile, from a URL on a verified domain or from a file. Retried safely: never posted twice.',
  },
  operation: {
    inputFields: catalogFields('post_video', 'direct', { omit: ['mode'] }),
    perform: (z: ZObject, bundle: Bundle) => performPost(z, bundle, 'post_video', 'direct'),
    ...createSettings,
  },
};
