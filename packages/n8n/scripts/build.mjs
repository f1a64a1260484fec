// Builds the shipped package: each node and credential bundled with core (and zod 3) into one CommonJS
// file, so the package has zero runtime dependencies. n8n-workflow stays external: n8n provides it.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
// `node build.mjs [dir]`: build into <dir>/dist (pack.mjs stages there, so parallel packs never share a dist).
const dist = join(process.argv[2] ?? pkg, 'dist');
const entries = [
	'credentials/TikTokTokenApi.credentials.ts',
	'credentials/TokpipeServerApi.credentials.ts',
	'nodes/TikTok/TikTok.node.ts',
	'nodes/TikTokTrigger/TikTokTrigger.node.ts',
];

rmSync(join(dist, 'nodes'), { recursive: true, force: true });
rmSync(join(dist, 'credentials'), { recursive: true, force: true });

await build({
	absWorkingDir: pkg,
	entryPoints: entries.map((e) => ({ in: e, out: e.replace(/\.ts$/, '') })),
	outdir: dist,
	bundle: true,
	platform: 'node',
	format: 'cjs',
	target: 'node20',
	external: ['n8n-workflow'],
	// Core from source: no dependency on a prior tsc build of packages/core.
	alias: { '@tokpipe/core': join(pkg, '..', 'core', 'src', 'index.ts') },
	legalComments: 'none',
	logLevel: 'warning',
});

// Icons and codex files next to the compiled nodes (what `n8n-node build` copies too).
for (const dir of ['nodes/TikTok', 'nodes/TikTokTrigger']) {
	mkdirSync(join(dist, dir), { recursive: true });
	for (const file of readdirSync(join(pkg, dir))) {
		if (file.endsWith('.svg') || file.endsWith('.node.json')) cpSync(join(pkg, dir, file), join(dist, dir, file));
	}
}
console.log(`built ${entries.length} entry points into ${relative(process.cwd(), dist) || 'dist'}`);
