// Writes the generated Make app into packages/make/src/ (npm run generate -w packages/make).
import { writeGeneratedApp } from '../spec/files';

const { written, removed } = writeGeneratedApp();
process.stdout.write(`make app: ${written.length} files written, ${removed.length} stale files removed\n`);
