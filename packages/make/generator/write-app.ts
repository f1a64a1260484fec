// The generated app on disk: where it lives, what differs, and writing it.
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PACKAGE_ROOT } from './paths';
import { generateApp, renderFile } from './spec/app';

/** The generated Make app: what Make's VS Code extension deploys. */
export const APP_DIR = join(PACKAGE_ROOT, 'app');
/** Present on a developer's machine only (client key and secret); never generated or committed. */
export const SECRET_FILES = new Set(['general/common.json']);
const IGNORED = new Set([...SECRET_FILES, '.gitignore']);

export function listAppFiles(dir = APP_DIR): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => statSync(join(dir, path)).isFile())
    .map((path) => path.split('\\').join('/'))
    .filter((path) => !IGNORED.has(path))
    .sort();
}

export function renderedApp(): Map<string, string> {
  return new Map([...generateApp()].map(([path, value]) => [path, renderFile(path, value)]));
}

export function writeGeneratedApp(dir = APP_DIR): { written: string[]; removed: string[] } {
  const expected = renderedApp();
  const removed = listAppFiles(dir).filter((p) => !expected.has(p));
  for (const path of removed) rmSync(join(dir, path));
  for (const [path, text] of expected) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  writeFileSync(
    join(dir, '.gitignore'),
    '# Client key and secret (Make "Common data"): never committed.\ngeneral/common.json\n',
  );
  return { written: [...expected.keys()], removed };
}
