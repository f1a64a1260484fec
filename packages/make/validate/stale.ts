// The staleness check: app/ must be exactly what the generator writes now (test/spec.test.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_DIR, listAppFiles, renderedApp } from '../generator/write-app';

/** Files whose committed text differs from what the generator produces now (or that should not exist). */
export function staleFiles(dir = APP_DIR): string[] {
  const expected = renderedApp();
  const stale: string[] = [];
  for (const [path, text] of expected) {
    const file = join(dir, path);
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) stale.push(path);
  }
  for (const path of listAppFiles(dir)) if (!expected.has(path)) stale.push(path);
  return stale.sort();
}
