// The shipped package against n8n's own rules: `n8n-node lint` on the sources and n8n's community-package
// scanner on the packed tarball (bundled core included). Tools come from .tools/n8n (scripts/tools/n8n.sh).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

jest.setTimeout(10 * 60_000);

const PKG = join(__dirname, '..');

function runScript(script: string): { ok: boolean; output: string } {
	try {
		return {
			ok: true,
			output: execFileSync('bash', [join(PKG, 'scripts', script)], { encoding: 'utf8', stdio: 'pipe' }),
		};
	} catch (error) {
		const e = error as { stdout?: string; stderr?: string };
		return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
	}
}

test('package.json: zero runtime dependencies, n8n-workflow as the only peer, nodes and credential declared', () => {
	const pkg = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8'));
	expect(pkg.dependencies).toBeUndefined();
	expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	expect(pkg.keywords).toContain('n8n-community-node-package');
	expect(pkg.n8n.credentials).toEqual([
		'dist/credentials/TikTokTokenApi.credentials.js',
		'dist/credentials/TokpipeServerApi.credentials.js',
	]);
	expect(pkg.n8n.nodes).toEqual(['dist/nodes/TikTok/TikTok.node.js', 'dist/nodes/TikTokTrigger/TikTokTrigger.node.js']);
});

test("the packed tarball passes n8n's community-package scanner", () => {
	const scan = runScript('scan.sh');
	expect(scan.output).toContain('scan passed');
	expect(scan.ok).toBe(true);
});

test('n8n-node lint is clean', () => {
	const lint = runScript('lint.sh');
	expect(lint.output).not.toMatch(/\d+ problems?/);
	expect(lint.ok).toBe(true);
});
