// The Zapier app in "via tokpipe server" mode: a second app definition (a Zapier app version has one
// authentication), registered as its own integration. Its connection is a server URL and an API key; the
// server holds the TikTok tokens, the ledger and the limiter. The server/ folder's index.js loads it.
import zapier from 'zapier-platform-core';
import { serverAuthentication } from './lib/server/auth';
import { serverPostPhotos } from './lib/server/creates/post-photos';
import { serverPostVideo } from './lib/server/creates/post-video';
import { serverUploadVideoDraft } from './lib/server/creates/upload-video-draft';
import { serverAccounts } from './lib/server/triggers/server-accounts.trigger';
import { serverEvent } from './lib/server/triggers/server-event.trigger';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

const byKey = <T extends { key: string }>(...items: T[]): Record<string, T> =>
  Object.fromEntries(items.map((i) => [i.key, i]));

const ServerApp = {
  version,
  platformVersion: zapier.version,
  authentication: serverAuthentication,
  // Core reads every reply of the server itself (problem+json into core's errors).
  flags: { skipThrowForStatus: true },
  triggers: byKey<{ key: string }>(serverEvent, serverAccounts),
  creates: byKey<{ key: string }>(serverPostVideo, serverUploadVideoDraft, serverPostPhotos),
};

export = ServerApp;
