// The Zapier app definition: TikTok posting with built-in retry, on top of @tokpipe/core.
import zapier from 'zapier-platform-core';
import { authentication } from './authentication';
import { postPhotos, postVideo, uploadVideoDraft } from './creates/post';
import { getCreatorInfo } from './searches/creator-info';
import { findPostStatus } from './searches/find-post-status';
import { newPublishedVideo } from './triggers/new-published-video';
import { postStatusChanged } from './triggers/post-status-changed';
import { privacyLevelOptions } from './triggers/privacy-levels';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

const byKey = <T extends { key: string }>(...items: T[]): Record<string, T> => Object.fromEntries(items.map((i) => [i.key, i]));

const App = {
  version,
  platformVersion: zapier.version,
  authentication,
  flags: {
    // Core reads every TikTok reply itself (error.code arrives with HTTP 200 too); nothing is thrown
    // for a status before core has classified it.
    skipThrowForStatus: true,
  },
  triggers: byKey<{ key: string }>(postStatusChanged, newPublishedVideo, privacyLevelOptions),
  searches: byKey<{ key: string }>(findPostStatus, getCreatorInfo),
  creates: byKey<{ key: string }>(postVideo, uploadVideoDraft, postPhotos),
};

export = App;
