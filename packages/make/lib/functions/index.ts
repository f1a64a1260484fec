// The app's custom IML functions (make-custom-apps.md §4.5). Each is one plain JavaScript file in this
// folder, the single source: the generator copies it into src/functions/ and the harness runs the app's
// copy in a Node vm, with Make's built-ins under `iml`, as Make's VS Code extension does.
import assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vm from 'node:vm';

/** packages/make/lib/functions, from lib/functions (jest) or dist/lib/functions (compiled). */
const SOURCE_DIR = ((up) => join(basename(up) === 'dist' ? dirname(up) : up, 'lib', 'functions'))(join(__dirname, '..', '..'));

/** Make's limit on a custom function's code. */
export const MAX_FUNCTION_CHARS = 5000;

/** Custom functions the app defines, by IML name. */
export const CUSTOM_FUNCTION_IDS = ['redactSecrets', 'videoUpload'] as const;
export type CustomFunctionId = (typeof CUSTOM_FUNCTION_IDS)[number];

export function customFunctionSource(id: CustomFunctionId): { code: string; test: string } {
  return { code: readFileSync(join(SOURCE_DIR, `${id}.code.js`), 'utf8'), test: readFileSync(join(SOURCE_DIR, `${id}.test.js`), 'utf8') };
}

export type JsFunction = (...args: unknown[]) => unknown;

/** The function a code file declares, evaluated in its own context (no require, no process). */
export function compileFunction(id: string, code: string, iml: Record<string, JsFunction> = {}): JsFunction {
  const fn = vm.runInNewContext(`${code}\n;typeof ${id} === 'function' ? ${id} : undefined`, { iml, Buffer }, { timeout: 2000 }) as unknown;
  if (typeof fn !== 'function') throw new Error(`custom function ${id}: its code does not declare function ${id}()`);
  return fn as JsFunction;
}

/** Runs a function's Make test file (`it(name, fn)` + `assert`); returns the failures. */
export function runFunctionTests(id: string, code: string, test: string, iml: Record<string, JsFunction> = {}): Array<{ name: string; error: string }> {
  const cases: Array<{ name: string; run: () => void }> = [];
  const context = vm.createContext({ iml, Buffer, assert, it: (name: string, run: () => void) => cases.push({ name, run }) });
  vm.runInContext(`${code}\n;${test}`, context, { timeout: 5000, filename: `${id}.test.js` });
  const failures: Array<{ name: string; error: string }> = [];
  for (const c of cases) {
    try {
      c.run();
    } catch (error) {
      failures.push({ name: c.name, error: (error as Error).message });
    }
  }
  if (!cases.length) failures.push({ name: '(none)', error: `${id}.test.js defines no test` });
  return failures;
}
