// n8n's community-package scanner rules (the tarball leg of `npx @n8n/scan-community-package`), offline.
// Usage: node scan.mjs <unpacked package dir> <path of @n8n/scan-community-package>
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [dir, scannerPkg] = process.argv.slice(2);
const { analyzePackage } = await import(pathToFileURL(join(scannerPkg, 'scanner', 'scanner.mjs')).href);
const result = await analyzePackage(dir, ['**/*.js', 'package.json']);
console.log(result.details ?? '', result.passed ? 'scan passed' : result.message);
process.exitCode = result.passed ? 0 : 1;
