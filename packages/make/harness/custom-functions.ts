// Runs the app's custom functions as Make's VS Code extension does: each code file in its own Node vm
// context (no require, no process), with Make's built-ins under `iml`.
import assert from 'node:assert';
import * as vm from 'node:vm';

export type JsFunction = (...args: unknown[]) => unknown;

/** The function a code file declares, evaluated in its own context. */
export function compileFunction(id: string, code: string, iml: Record<string, JsFunction> = {}): JsFunction {
  const fn = vm.runInNewContext(
    `${code}\n;typeof ${id} === 'function' ? ${id} : undefined`,
    { iml, Buffer },
    { timeout: 2000 },
  ) as unknown;
  if (typeof fn !== 'function') throw new Error(`custom function ${id}: its code does not declare function ${id}()`);
  return fn as JsFunction;
}

/** Runs a function's Make test file (`it(name, fn)` + `assert`); returns the failures. */
export function runFunctionTests(
  id: string,
  code: string,
  test: string,
  iml: Record<string, JsFunction> = {},
): Array<{ name: string; error: string }> {
  const cases: Array<{ name: string; run: () => void }> = [];
  const context = vm.createContext({
    iml,
    Buffer,
    assert,
    it: (name: string, run: () => void) => cases.push({ name, run }),
  });
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
