// Runs a real n8n (1.123.50 on the system Node 20, or 2.41.1 on Node 24; both installed under .tools/n8n by
// scripts/tools/n8n.sh and n8n2.sh) with the packed n8n-nodes-tokpipe tarball installed the way n8n installs
// community packages.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ROOT = resolve(__dirname, '../../..');
const TOOLS = join(ROOT, '.tools/n8n');

/** One n8n release line the e2e scenarios run against. */
export interface N8nFlavour {
	/** e.g. "n8n 1.123.50 (Node 20)": test names carry it. */
	label: string;
	/** The pinned n8n version (checked against the installed one). */
	version: string;
	/** Idempotent installer under scripts/tools/. */
	installScript: string;
	/** Where n8n is installed (the prefix holding node_modules/n8n). */
	harness: string;
	/** The node binary that runs n8n; undefined = the `node` on PATH (the system Node 20). */
	nodeBin?: string;
	/** 2.x: the JS task runner broker is always on and listens on a port (5679 unless set). */
	taskBroker: boolean;
	/** Environment only this release line understands. */
	env: Record<string, string>;
	/** n8n bugs that break a scenario on this line: the scenario runs as `test.failing` and says why. */
	knownIssues?: { webhookStaticDataLost?: string };
	/** The CLI calls that activate (1.x) / publish (2.x) imported workflows. */
	activateCommands(workflowIds: string[]): string[][];
}

export const N8N_1: N8nFlavour = {
	label: 'n8n 1.123.50 (Node 20)',
	version: '1.123.50',
	installScript: 'n8n.sh',
	harness: join(TOOLS, 'harness'),
	taskBroker: false,
	// No task runner (1.x default off; said explicitly); pool size 0 = 1.x's single-connection SQLite driver.
	env: { N8N_RUNNERS_ENABLED: 'false', DB_SQLITE_POOL_SIZE: '0' },
	activateCommands: () => [['update:workflow', '--all', '--active=true']],
};

export const N8N_2: N8nFlavour = {
	label: 'n8n 2.41.1 (Node 24)',
	version: '2.41.1',
	installScript: 'n8n2.sh',
	harness: join(TOOLS, 'harness2'),
	nodeBin: join(TOOLS, 'node24/node_modules/node/bin/node'),
	taskBroker: true,
	// 2.x: runners cannot be disabled (N8N_RUNNERS_ENABLED is gone) and DB_SQLITE_POOL_SIZE must be >= 1 (default 3).
	env: {},
	// Seen on 2.41.1 while the trigger left the answer to n8n (workflow static data read back with export:workflow):
	// static data a trigger's webhook() writes was saved only while the workflow had none yet.
	// 1.123.50 saves them. Why (traced with temporary logging in n8n's webhook code): for an onReceived webhook,
	// 1.x answers and saves the static data before WorkflowRunner.run(); 2.x calls run() first, which wraps the same
	// static data object in a new Workflow and so resets its __dataChanged flag (true after webhook(), false at the
	// save). The first write only survives because a workflow without static data gets a fresh object.
	// Since the trigger answers TikTok itself (noWebhookResponse, so no literal "firstEntryJson" body), 2.41.1 keeps
	// what webhook() wrote and redeliveries are dropped as on 1.x (this e2e asserts it; the path was not traced).
	// knownIssues.webhookStaticDataLost stays for a version that regresses.
	// `update:workflow --active` is deprecated in 2.x; publishing is how a workflow goes live.
	activateCommands: (ids) => ids.map((id) => ['publish:workflow', `--id=${id}`]),
};

/** Installs that flavour's harness if missing (idempotent, minutes the first time), builds and packs the package. */
export function preparePackage(flavour: N8nFlavour): string {
	execFileSync('bash', [join(ROOT, 'scripts/tools', flavour.installScript)], { stdio: 'inherit' });
	const installed = JSON.parse(readFileSync(join(flavour.harness, 'node_modules/n8n/package.json'), 'utf8')) as {
		version: string;
	};
	if (installed.version !== flavour.version)
		throw new Error(`${flavour.harness} holds n8n ${installed.version}, not ${flavour.version}`);
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
	private server?: ChildProcess;
	private serverLog = '';

	/** brokerPort: 2.x only, so two n8n 2.x (e.g. two test runs in one tree) never fight over 5679. */
	constructor(
		readonly flavour: N8nFlavour,
		readonly port: number,
		readonly brokerPort?: number,
	) {
		if (flavour.taskBroker && brokerPort === undefined) throw new Error(`${flavour.label} needs a task broker port`);
	}

	/** How to start this n8n's CLI: [executable, ...leading arguments]. */
	private command(args: string[]): [string, string[]] {
		const bin = join(this.flavour.harness, 'node_modules/n8n/bin/n8n');
		return this.flavour.nodeBin ? [this.flavour.nodeBin, [bin, ...args]] : [bin, args];
	}

	get env(): NodeJS.ProcessEnv {
		const nodeDir = this.flavour.nodeBin ? join(this.flavour.nodeBin, '..') : undefined;
		return {
			...process.env,
			// That n8n's Node first in PATH: 2.x spawns its JS task runner as plain `node` (task-runner-process-js.js).
			...(nodeDir ? { PATH: `${nodeDir}${delimiter}${process.env.PATH ?? ''}` } : {}),
			// jest sets NODE_ENV=test, which silences n8n's logger (and with it `execute`'s run output).
			NODE_ENV: 'production',
			N8N_USER_FOLDER: this.folder,
			N8N_ENCRYPTION_KEY: 'tokpipe-e2e-key',
			N8N_LOG_LEVEL: 'info',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			...this.flavour.env,
			...(this.flavour.taskBroker
				? { N8N_RUNNERS_BROKER_PORT: String(this.brokerPort), N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1' }
				: {}),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_PORT: String(this.port),
			WEBHOOK_URL: `http://127.0.0.1:${this.port}/`,
		};
	}

	/** As n8n installs a community package: into <user folder>/.n8n/nodes. */
	async installPackage(tgz: string) {
		const nodes = join(this.folder, '.n8n', 'nodes');
		mkdirSync(nodes, { recursive: true });
		writeFileSync(join(nodes, 'package.json'), '{"name":"installed-nodes","private":true}\n');
		await run('npm', ['install', '--prefix', nodes, '--omit=peer', '--no-audit', '--no-fund', '--silent', tgz], {
			env: this.env,
		});
	}

	async cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
		try {
			const [file, argv] = this.command(args);
			const { stdout, stderr } = await run(file, argv, { env: this.env, maxBuffer: 64 * 1024 * 1024 });
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

	/** 1.x: `update:workflow --active=true`; 2.x: `publish:workflow`. */
	async activate(workflowIds: string[]) {
		for (const args of this.flavour.activateCommands(workflowIds)) {
			const r = await this.cli(...args);
			if (r.code !== 0) throw new Error(`n8n ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
		}
	}

	async exportCredentials(): Promise<Array<{ id: string; data: Record<string, unknown> }>> {
		const file = join(this.folder, 'creds-export.json');
		const r = await this.cli('export:credentials', '--all', '--decrypted', `--output=${file}`);
		if (r.code !== 0) throw new Error(`n8n export:credentials failed: ${r.stderr || r.stdout}`);
		return JSON.parse(readFileSync(file, 'utf8'));
	}

	/** `n8n start`, resolved once active workflows are registered (the log says the editor is accessible). */
	async start(): Promise<void> {
		const [file, argv] = this.command(['start']);
		this.server = spawn(file, argv, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
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

	/**
	 * Waits until n8n serves each production webhook path (POST). "Editor is now accessible" is not enough on 2.x:
	 * its workflow publication service registers published workflows' triggers after start-up, in the background
	 * (webhooks answered 404 for several seconds). Asks with a CORS preflight, which runs no workflow: n8n answers
	 * it with the methods registered for the path, from the same table the POST is routed by.
	 */
	async waitForWebhooks(paths: string[], timeoutMs = 120_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		for (const path of paths) {
			for (;;) {
				const res = await fetch(`http://127.0.0.1:${this.port}/webhook/${path}`, {
					method: 'OPTIONS',
					headers: { origin: `http://127.0.0.1:${this.port}`, 'access-control-request-method': 'POST' },
				});
				await res.arrayBuffer();
				if ((res.headers.get('access-control-allow-methods') ?? '').split(/,\s*/).includes('POST')) break;
				if (this.server?.exitCode !== null)
					throw new Error(`n8n exited while waiting for webhooks: ${this.serverLog.slice(-2000)}`);
				if (Date.now() > deadline)
					throw new Error(
						`n8n did not register webhook ${path} within ${timeoutMs} ms: ${this.serverLog.slice(-2000)}`,
					);
				await new Promise((r) => setTimeout(r, 100)); // polling another process's start-up
			}
		}
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
