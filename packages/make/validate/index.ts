// The app's full check: every file against Make's schemas, then the cross-component lints.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadApp } from '../harness/load-app';
import { APP_DIR, listAppFiles, SECRET_FILES } from '../generator/write-app';
import { lintApp, type LintProblem } from './lints';
import { SchemaValidator, type FileProblem } from './schemas';

export { SchemaValidator } from './schemas';
export { lintApp } from './lints';

export interface ValidationReport {
  files: number;
  schemaProblems: FileProblem[];
  lintProblems: LintProblem[];
}

export function validateApp(dir = APP_DIR, validator = new SchemaValidator()): ValidationReport {
  const files = listAppFiles(dir).filter((f) => f.endsWith('.json'));
  const schemaProblems = files.flatMap((f) => validator.validateText(f, readFileSync(join(dir, f), 'utf8')));
  const lintProblems = lintApp(loadApp(dir), { secretFiles: SECRET_FILES });
  return { files: files.length, schemaProblems, lintProblems };
}
