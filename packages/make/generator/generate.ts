// Writes the generated Make app into packages/make/app/ (npm run generate -w packages/make).
import { writeGeneratedApp } from './write-app';

const { written, removed } = writeGeneratedApp();
process.stdout.write(`make app: ${written.length} files written, ${removed.length} stale files removed\n`);
