// The whole Make app, assembled: every file under packages/make/app/ (except general/common.json, which
// holds the client secret and stays out of git). The parts live beside this file, one file per kind of
// component; this one only names the components, lays out their files and writes the manifest.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CUSTOM_FUNCTION_IDS, generatedFunctionFiles } from '../functions';
import { GENERATOR_SOURCES } from '../paths';
import { base, CONNECTION, oauthCommunication, SCOPE_LABELS, WEBHOOK } from './connection';
import { MAX_FILE_MB, sendVideoFile, startVideoFileDraft, startVideoFilePost } from './file-modules';
import { cancelPost, getCreatorInfo, getPostStatus, listPrivacyOptions, waitForPost } from './follow-modules';
import type { ModuleFiles } from './module-parts';
import { postPhotos, postVideo, uploadVideoDraft } from './post-modules';
import { FILE_REPEAT, pollPlanSeconds, REPEAT_WAIT_S } from './timing';
import { watchNewVideos, watchPostEvents, webhookCommunication } from './triggers';
import { SERVER_COMPONENTS, SERVER_MODULES } from './server-mode';

/** The modules by group, in the order Make lists them. */
const MODULE_GROUPS: Record<string, Record<string, ModuleFiles>> = {
  Post: { postVideo, uploadVideoDraft, postPhotos, startVideoFilePost, startVideoFileDraft, sendVideoFile },
  'Follow a post': { waitForPost, getPostStatus, cancelPost, getCreatorInfo },
  Triggers: { watchPostEvents, watchNewVideos },
  'Via tokpipe server': SERVER_MODULES,
};

const kebab = (id: string) => id.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
/** Code file kind → its key in the manifest's codeFiles: camelCase, and a connection's OAuth
 * communication is its communication. */
const codeKey = (kind: string) =>
  kind === 'oauth-communication' ? 'communication' : kind.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

const EXTENSIONS: Record<string, string> = { samples: 'json', code: 'js', test: 'js' };

function codeFile(type: string, id: string, code: string): string {
  const ext = EXTENSIONS[code] ?? 'iml.json';
  return `${type}s/${kebab(id)}/${kebab(id)}.${code}.${ext}`;
}

/** Prose kept as Markdown. */
const TEMPLATE_DIR = join(GENERATOR_SOURCES, 'templates');

/** A template's text with each `${name}` replaced by its value. */
function fromTemplate(name: string, values: Record<string, string | number>): string {
  return readFileSync(join(TEMPLATE_DIR, name), 'utf8').replace(/\$\{(\w+)\}/g, (_, key: string) =>
    String(values[key]),
  );
}

/** Every generated file: path under app/ → JSON value (or text for README.md and the functions). */
export function generateApp(): Map<string, unknown> {
  const files = new Map<string, unknown>();
  const components: Record<string, Record<string, unknown>> = Object.fromEntries(
    ['connection', 'webhook', 'module', 'rpc', 'function', 'endpoint'].map((type) => [type, {}]),
  );
  const add = (type: string, id: string, meta: Record<string, unknown>, code: Record<string, unknown>) => {
    const codeFiles: Record<string, string> = {};
    for (const [kind, value] of Object.entries(code)) {
      const path = codeFile(type, id, kind);
      files.set(path, value);
      codeFiles[codeKey(kind)] = path;
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
  for (const [type, id, meta, code] of SERVER_COMPONENTS) add(type, id, meta, code);
  for (const modules of Object.values(MODULE_GROUPS)) {
    for (const [id, module] of Object.entries(modules)) add('module', id, module.meta, module.files);
  }
  add(
    'rpc',
    'listPrivacyOptions',
    { label: 'List Privacy Options', connection: CONNECTION },
    { communication: listPrivacyOptions, params: [] },
  );
  for (const id of CUSTOM_FUNCTION_IDS) add('function', id, {}, generatedFunctionFiles(id));

  files.set('general/base.iml.json', base);
  files.set(
    'modules/groups.json',
    Object.entries(MODULE_GROUPS).map(([label, modules]) => ({ label, modules: Object.keys(modules) })),
  );
  files.set(
    'README.md',
    fromTemplate('app-readme.md', {
      repeatWaitSeconds: REPEAT_WAIT_S,
      maxFileMb: MAX_FILE_MB,
      fileWaitSeconds: pollPlanSeconds(FILE_REPEAT),
    }),
  );
  files.set('GENERATED.md', fromTemplate('generated.md', {}));
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

/** File text exactly as committed. */
export function renderFile(path: string, value: unknown): string {
  if (path.endsWith('.md') || path.endsWith('.js')) return String(value);
  const json = `${JSON.stringify(value, null, 2)}\n`;
  return path.endsWith('.iml.json') ? IML_HEADER + json : json;
}
