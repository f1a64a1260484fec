// Post Photos (via the server): a carousel from https URLs, directly or as a draft.
import { catalog } from '@tokpipe/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { modeSwitch } from '../../common/props';
import { performServerPost, serverCreateSettings, serverFields } from '../perform-post';

const modeOf = (bundle: Bundle) => (bundle.inputData?.mode === 'draft' ? 'draft' : 'direct');

export const serverPostPhotos = {
  key: 'post_photos',
  noun: 'Photo Post',
  display: {
    label: 'Post Photos',
    description: `Posts up to ${catalog.limits.maxPhotos} photos as a carousel through your tokpipe server, directly or as a draft.`,
  },
  operation: {
    inputFields: [
      modeSwitch('post_photos'),
      (_z: ZObject, bundle: Bundle) => serverFields('post_photos', modeOf(bundle)),
    ],
    perform: (z: ZObject, bundle: Bundle) => performServerPost(z, bundle, modeOf(bundle)),
    ...serverCreateSettings,
  },
};
