// The Zapier app: TikTok posting with built-in retry, on top of @tokpipe/core. This file declares the
// app and nothing else; each create, search and trigger lives in its own file under lib/.
import zapier from 'zapier-platform-core';
import { authentication } from './lib/auth';
import { postPhotos } from './lib/creates/post-photos';
import { postVideo } from './lib/creates/post-video';
import { uploadVideoDraft } from './lib/creates/upload-video-draft';
import { findPostStatus } from './lib/searches/find-post-status';
import { getCreatorInfo } from './lib/searches/get-creator-info';
import { newPublishedVideo } from './lib/triggers/new-published-video.trigger';
import { postStatusChanged } from './lib/triggers/post-status-changed.trigger';
import { privacyLevelOptions } from './lib/triggers/privacy-levels.trigger';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

const byKey = <T extends { key: string }>(...items: T[]): Record<string, T> =>
  Object.fromEntries(items.map((i) => [i.key, i]));

const App = {
  version,
  platformVersion: zapier.version,
  authentication,
  // Core reads every TikTok reply itself (error.code arrives with HTTP 200 too): nothing is thrown for a
  // status before core has classified it.
  flags: { skipThrowForStatus: true },
  triggers: byKey<{ key: string }>(postStatusChanged, newPublishedVideo, privacyLevelOptions),
  searches: byKey<{ key: string }>(findPostStatus, getCreatorInfo),
  creates: byKey<{ key: string }>(postVideo, uploadVideoDraft, postPhotos),
};

export = App;
