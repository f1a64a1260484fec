// The app's custom IML functions (make-custom-apps.md §4.5). Each is one hand-written JavaScript file in
// this folder (plus Make's it/assert test file): the single source. The generator copies them into
// app/functions/ under a "generated" header; the harness runs the app's copy.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATOR_SOURCES } from '../paths';

const SOURCE_DIR = join(GENERATOR_SOURCES, 'functions');

/** Custom functions the app defines, by IML name. */
export const CUSTOM_FUNCTION_IDS = ['redactSecrets', 'videoUpload', 'uploadHandle'] as const;
export type CustomFunctionId = (typeof CUSTOM_FUNCTION_IDS)[number];

/** The hand-written source of one function: its code and its Make test file. */
export function customFunctionSource(id: CustomFunctionId): { code: string; test: string } {
  return {
    code: readFileSync(join(SOURCE_DIR, `${id}.code.js`), 'utf8'),
    test: readFileSync(join(SOURCE_DIR, `${id}.test.js`), 'utf8'),
  };
}

/** The same files as the app carries them: marked as generated, with where to edit them. */
export function generatedFunctionFiles(id: CustomFunctionId): { code: string; test: string } {
  const source = customFunctionSource(id);
  const header = (file: string) =>
    `// GENERATED from packages/make/generator/functions/${file}: edit that file, then run npm run generate -w packages/make.\n`;
  return { code: header(`${id}.code.js`) + source.code, test: header(`${id}.test.js`) + source.test };
}
