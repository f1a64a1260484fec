// Runs a real n8n (1.123.50, installed under .tools/n8n by scripts/tools/n8n.sh) with the packed
// n8n-nodes-tokpipe tarball installed the way n8n installs community packages.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ROOT = resolve(__dirname, '../../..');
export const N8N_BIN = join(ROOT, '.tools/n8n/harness/node_modules/.bin/n8n');

/** Installs the harness if missing (idempotent, minutes the first time), builds and packs the package. */
export function preparePackage(): string {
	execFileSync('bash', [join(ROOT, 'scripts/tools/n8n.sh')], { stdio: 'inherit' });
	const out = mkdtempSync(join(tmpdir(), 'tokpipe-n8n-pack-'));
	execFileSync('node', [join(ROOT, 'packages/n8n/scripts/pack.mjs'), out], { stdio: ['ignore', 'ignore', 'inherit'] });
	const tgz = readdirSync(out).find((f) => f.endsWith('.tgz'));
	if (!tgz) throw new Error('packing n8n-nodes-tokpipe produced no tarball');
	return join(out, tgz);
}

export async function freePort(): Promise<number> {
	return await new Promise((resolvePort, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolvePort(port));
		});
	});
}

export class N8n {
	readonly folder = mkdtempSync(join(tmpdir(), 'tokpipe-n8n-user-'));
	readonly port: number;
	private server?: ChildProcess;
	private serverLog = '';

	constructor(port: number) {
		this.port = port;
	}

	get env(): NodeJS.ProcessEnv {
		return {
			...process.env,
			// jest sets NODE_ENV=test, which silences n8n's logger (and with it `execute`'s run output).
			NODE_ENV: 'production',
			N8N_USER_FOLDER: this.folder,
			N8N_ENCRYPTION_KEY: 'tokpipe-e2e-key',
			N8N_LOG_LEVEL: 'info',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_RUNNERS_ENABLED: 'false',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_PORT: String(this.port),
			WEBHOOK_URL: `http://127.0.0.1:${this.port}/`,
			DB_SQLITE_POOL_SIZE: '0',
		};
	}

	/** As n8n installs a community package: into <user folder>/.n8n/nodes. */
	async installPackage(tgz: string) {
		const nodes = join(this.folder, '.n8n', 'nodes');
		mkdirSync(nodes, { recursive: true });
		writeFileSync(join(nodes, 'package.json'), '{"name":"installed-nodes","private":true}\n');
		await run('npm', ['install', '--prefix', nodes, '--omit=peer', '--no-audit', '--no-fund', '--silent', tgz], { env: this.env });
	}

	async cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
		try {
			const { stdout, stderr } = await run(N8N_BIN, args, { env: this.env, maxBuffer: 64 * 1024 * 1024 });
			return { code: 0, stdout, stderr };
		} catch (error) {
			const e = error as { code?: number; stdout?: string; stderr?: string };
			return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
		}
	}

	async importJson(kind: 'credentials' | 'workflow', data: unknown) {
		const file = join(this.folder, `${kind}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
		writeFileSync(file, JSON.stringify(data));
		const r = await this.cli(`import:${kind}`, `--input=${file}`);
		if (r.code !== 0) throw new Error(`n8n import:${kind} failed: ${r.stderr || r.stdout}`);
	}

	async exportCredentials(): Promise<Array<{ id: string; data: Record<string, unknown> }>> {
		const file = join(this.folder, 'creds-export.json');
		const r = await this.cli('export:credentials', '--all', '--decrypted', `--output=${file}`);
		if (r.code !== 0) throw new Error(`n8n export:credentials failed: ${r.stderr || r.stdout}`);
		return JSON.parse(readFileSync(file, 'utf8'));
	}

	/** `n8n start`, resolved once active workflows are registered (the log says the editor is accessible). */
	async start(): Promise<void> {
		this.server = spawn(N8N_BIN, ['start'], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
		const append = (chunk: Buffer) => {
			this.serverLog += chunk.toString('utf8');
		};
		this.server.stdout!.on('data', append);
		this.server.stderr!.on('data', append);
		await new Promise<void>((resolveStart, reject) => {
			const check = setInterval(() => {
				if (this.serverLog.includes('Editor is now accessible')) {
					clearInterval(check);
					resolveStart();
				}
			}, 100);
			this.server!.once('exit', (code) => {
				clearInterval(check);
				reject(new Error(`n8n start exited with ${code}: ${this.serverLog.slice(-2000)}`));
			});
		});
	}

	get log(): string {
		return this.serverLog;
	}

	async stop(): Promise<void> {
		const server = this.server;
		if (!server || server.exitCode !== null) return;
		await new Promise<void>((resolveStop) => {
			server.once('exit', () => resolveStop());
			server.kill('SIGTERM');
		});
	}

	cleanup() {
		rmSync(this.folder, { recursive: true, force: true });
	}
}
