// `node pack.mjs <destination dir>`: builds into a private staging directory and `npm pack`s it there,
// so the tarball is exactly what would be published and concurrent packs (tests) never race on dist/.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const destination = resolve(process.argv[2] ?? '.');
const stage = mkdtempSync(join(tmpdir(), 'n8n-nodes-tokpipe-stage-'));
try {
	execFileSync(process.execPath, [join(pkg, 'scripts', 'build.mjs'), stage], { stdio: 'inherit' });
	for (const file of ['package.json', 'README.md']) copyFileSync(join(pkg, file), join(stage, file));
	mkdirSync(destination, { recursive: true });
	execFileSync('npm', ['pack', '--silent', '--pack-destination', destination], {
		cwd: stage,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	const tgz = readdirSync(destination).find((f) => f.startsWith('n8n-nodes-tokpipe-') && f.endsWith('.tgz'));
	console.log(join(destination, tgz));
} finally {
	rmSync(stage, { recursive: true, force: true });
}
