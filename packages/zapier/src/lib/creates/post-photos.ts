// Post Photos: a carousel from verified https URLs, direct or as a draft (the mode decides the fields).
import { catalog } from '@tokpipe/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { createSettings, performPost } from '../common/perform-post';
import { catalogFields, modeSwitch } from '../common/props';

export const postPhotos = {
  key: 'post_photos',
  noun: 'Photo Post',
  display: {
    label: 'Post Photos',
    description: `Posts up to ${catalog.limits.maxPhotos} photos from verified https URLs as a carousel, directly or as a draft.`,
  },
  operation: {
    inputFields: [
      modeSwitch('post_photos'),
      // The rest depends on the mode: direct posts take privacy and interaction settings, drafts do not.
      (_z: ZObject, bundle: Bundle) =>
        catalogFields('post_photos', bundle.inputData?.mode === 'draft' ? 'draft' : 'direct', ['mode']),
    ],
    perform: (z: ZObject, bundle: Bundle) => performPost(z, bundle, 'post_photos'),
    ...createSettings,
  },
};
