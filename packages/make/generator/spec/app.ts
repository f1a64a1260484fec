// The whole Make app, assembled: every file under packages/make/app/ (except general/common.json, which
// holds the client secret and stays out of git). The parts live beside this file, one file per kind of
// component; this one only names the components, lays out their files and writes the manifest.
import { CUSTOM_FUNCTION_IDS, generatedFunctionFiles } from '../functions';
import { base, CONNECTION, oauthCommunication, SCOPE_LABELS, WEBHOOK } from './connection';
import { MAX_FILE_MB, sendVideoFile, startVideoFileDraft, startVideoFilePost } from './file-modules';
import { cancelPost, getCreatorInfo, getPostStatus, listPrivacyOptions, waitForPost } from './follow-modules';
import type { ModuleFiles } from './module-parts';
import { postPhotos, postVideo, uploadVideoDraft } from './post-modules';
import { FILE_REPEAT, REPEAT_WAIT_S, waitSeconds } from './timing';
import { watchNewVideos, watchPostEvents, webhookCommunication } from './triggers';

export { API_BASE, AUTHORIZE_URL, CONNECTION, WEBHOOK } from './connection';
export { MAX_FILE_BYTES } from './file-modules';
export { FILE_UPLOAD_ALLOWANCE_MS, MODULE_WAIT_BUDGET_MS, repeatFromSchedule, STATUS_MIN_INTERVAL_MS } from './timing';

const MODULES: Record<string, ModuleFiles> = {
  postVideo,
  uploadVideoDraft,
  startVideoFilePost,
  startVideoFileDraft,
  sendVideoFile,
  postPhotos,
  getPostStatus,
  waitForPost,
  getCreatorInfo,
  cancelPost,
  watchNewVideos,
  watchPostEvents,
};

const kebab = (id: string) => id.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
/** Code file kind → its key in the manifest's codeFiles. */
const CODE_KEYS: Record<string, string> = {
  communication: 'communication',
  'static-params': 'staticParams',
  'mappable-params': 'mappableParams',
  interface: 'interface',
  samples: 'samples',
  scope: 'scope',
  params: 'params',
  'oauth-communication': 'communication',
  'scope-list': 'scopeList',
  'default-scope': 'defaultScope',
  code: 'code',
  test: 'test',
};

const EXTENSIONS: Record<string, string> = { samples: 'json', code: 'js', test: 'js' };

function codeFile(type: string, id: string, code: string): string {
  const ext = EXTENSIONS[code] ?? 'iml.json';
  return `${type}s/${kebab(id)}/${kebab(id)}.${code}.${ext}`;
}

export const README_MD = `# TikTok by tokpipe

Post videos and photo carousels to TikTok, follow them to publication and react to TikTok's post events.

- **Post Video**, **Upload Video as Draft**, **Post Photos** create posts from URLs (optionally waiting up to ${REPEAT_WAIT_S} s).
- **Start Video File Post** or **Start Video File Draft**, then **Send Video File**, upload a video file (up to
  ${MAX_FILE_MB} MB) mapped from the module that downloaded it (Google Drive, Dropbox, HTTP): no verified domain
  needed (optionally waiting up to ${waitSeconds(FILE_REPEAT)} s). Send Video File is safe to retry: it never
  uploads twice or starts a new post.
- **Wait for Post** and **Get Post Status** follow a post; **Get Creator Info** tells what the account may post.
- **Watch Post Events** (instant) and **Watch New Published Videos** (polling) start scenarios.

Turn on *Allow storing of incomplete executions* in the scenario settings: rate limits and temporary
TikTok failures are then retried by Make automatically. A post whose outcome is unknown is not retried
automatically. Do not give the Post modules a Break handler with automatic retry: it would retry every
error, that one included.
`;

/** Every generated file: path under app/ → JSON value (or text for README.md and the functions). */
export function generateApp(): Map<string, unknown> {
  const files = new Map<string, unknown>();
  const components: Record<string, Record<string, unknown>> = {
    connection: {},
    webhook: {},
    module: {},
    rpc: {},
    function: {},
    endpoint: {},
  };
  const add = (type: string, id: string, meta: Record<string, unknown>, code: Record<string, unknown>) => {
    const codeFiles: Record<string, string> = {};
    for (const [kind, value] of Object.entries(code)) {
      const path = codeFile(type, id, kind);
      files.set(path, value);
      codeFiles[CODE_KEYS[kind]!] = path;
    }
    components[type]![id] = { ...meta, codeFiles };
  };

  add(
    'connection',
    CONNECTION,
    { label: 'TikTok', connectionType: 'oauth' },
    {
      'oauth-communication': oauthCommunication,
      params: [],
      'scope-list': SCOPE_LABELS,
      'default-scope': Object.keys(SCOPE_LABELS),
    },
  );
  add(
    'webhook',
    WEBHOOK,
    { label: 'TikTok Post Events', webhookType: 'web-shared', connection: CONNECTION },
    { communication: webhookCommunication, params: [] },
  );
  for (const [id, module] of Object.entries(MODULES)) add('module', id, module.meta, module.files);
  add(
    'rpc',
    'listPrivacyOptions',
    { label: 'List Privacy Options', connection: CONNECTION },
    { communication: listPrivacyOptions, params: [] },
  );
  for (const id of CUSTOM_FUNCTION_IDS) add('function', id, {}, generatedFunctionFiles(id));

  files.set('general/base.iml.json', base);
  files.set('modules/groups.json', [
    {
      label: 'Post',
      modules: [
        'postVideo',
        'uploadVideoDraft',
        'postPhotos',
        'startVideoFilePost',
        'startVideoFileDraft',
        'sendVideoFile',
      ],
    },
    { label: 'Follow a post', modules: ['waitForPost', 'getPostStatus', 'cancelPost', 'getCreatorInfo'] },
    { label: 'Triggers', modules: ['watchPostEvents', 'watchNewVideos'] },
  ]);
  files.set('README.md', README_MD);
  files.set('GENERATED.md', GENERATED_MD);
  files.set('makecomapp.json', {
    fileVersion: 1,
    generalCodeFiles: {
      base: 'general/base.iml.json',
      common: 'general/common.json',
      readme: 'README.md',
      groups: 'modules/groups.json',
    },
    components,
    origins: [],
  });
  return files;
}

/** Marks a generated .iml.json file (Make reads them as JSONC); plain .json cannot carry a comment, so
 * GENERATED.md says it for the whole folder. */
const IML_HEADER =
  '// GENERATED by packages/make/generator from @tokpipe/core: do not edit; change the generator, then npm run generate -w packages/make.\n';

export const GENERATED_MD = `# Generated: do not edit

Every file in this folder except \`general/common.json\` (your client key and secret, ignored by git) is written by
\`packages/make/generator/\` from \`@tokpipe/core\` (\`npm run generate -w packages/make\`), and
\`packages/make/test/spec.test.ts\` fails when a file here differs from what the generator writes. The custom
functions' hand-written source is \`packages/make/generator/functions/\`. Deploy this folder with Make's VS Code
extension; \`README.md\` here is the app's readme that Make users see.
`;

/** File text exactly as committed. */
export function renderFile(path: string, value: unknown): string {
  if (path.endsWith('.md') || path.endsWith('.js')) return String(value);
  const json = `${JSON.stringify(value, null, 2)}\n`;
  return path.endsWith('.iml.json') ? IML_HEADER + json : json;
}
