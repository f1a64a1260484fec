// Validates the Make app (npm run validate -w packages/make): Make's schemas plus cross-component lints.
import { validateApp } from '.';

const report = validateApp();
for (const p of report.schemaProblems) process.stderr.write(`${p.file}: ${p.message}\n`);
for (const p of report.lintProblems) process.stderr.write(`${p.component}: ${p.message}\n`);
const failed = report.schemaProblems.length + report.lintProblems.length;
process.stdout.write(`make app: ${report.files} files, ${failed} problem(s)\n`);
process.exitCode = failed ? 1 : 0;
