// "Via tokpipe server" end to end in a real n8n (the packed n8n-nodes-tokpipe, as n8n installs it), run by one
// test file per n8n release line (server-mode-n8n1.e2e.test.ts, server-mode-n8n2.e2e.test.ts):
// the sandbox's TikTok webhooks go to a real `tokpipe serve` process, which delivers signed events to the
// TikTok Trigger's subscription; the TikTok node posts through the server's API with an Idempotency-Key.
// Real time throughout (the trigger checks the server's signature timestamps against n8n's clock); the
// sandbox's delays are short and the test waits on conditions, never on time.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signDelivery } from '@tokpipe/core';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';

import { freePort, N8n, type N8nFlavour, preparePackage, ROOT } from './harness';

const BIN = join(ROOT, 'packages/cli/bin/tokpipe.js');
const CRED = { id: 'tokpipeSrvCred01', name: 'tokpipe server e2e' };
const HOOK_ID = '7a2e3d4c-5b6f-4a71-9b8c-0d1e2f3a4b5c';
const TRIGGER_WF = 'tokpipeWfSrvTrg1';
const POST_WF = 'tokpipeWfSrvPst1';
const IDEMPOTENCY_KEY = 'e2e-launch-post-1';

/** A reply body as the test reads it: any path, checked by the assertions themselves. */
type Json = any;

/** Defines the suite (hooks and tests) for one n8n flavour. Call once per test file. */
export function describeServerModeE2e(flavour: N8nFlavour) {
	describe(`${flavour.label}: via a tokpipe server`, () => {
		let sb: Sandbox;
		let dir: string;
		let serve: ChildProcess | undefined;
		let serveLog = '';
		let base: string;
		let adminKey: string;
		let postKey: string;
		let n8n: N8n;
		let sink: Server;
		const sunk: Array<Record<string, unknown>> = [];

		async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string) {
			for (let i = 0; i < 1200; i++) {
				const value = await probe();
				if (value !== undefined && value !== false) return value;
				await new Promise((r) => setTimeout(r, 50)); // short real I/O waits for other processes
			}
			throw new Error(`timed out waiting for ${what}; tokpipe serve:\n${serveLog.slice(-2000)}`);
		}

		/** The server's API with the test's admin key. */
		async function api(method: string, path: string, body?: unknown) {
			const res = await fetch(base + path, {
				method,
				headers: { authorization: `Bearer ${adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
				...(body ? { body: JSON.stringify(body) } : {}),
			});
			return { status: res.status, json: (await res.json().catch(() => undefined)) as Json };
		}

		const hookUrl = () => `http://127.0.0.1:${n8n.port}/webhook/${HOOK_ID}/webhook`;

		/** Starts the post workflow over its Webhook node; n8n answers with the TikTok node's item (or the error). */
		async function runPostWorkflow(): Promise<{ status: number; body: Json }> {
			const res = await fetch(`http://127.0.0.1:${n8n.port}/webhook/server-post`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: '{}',
			});
			return { status: res.status, body: await res.json() };
		}

		const editorHeaders = { 'content-type': 'application/json', 'browser-id': 'tokpipe-e2e' };
		let cookie: string | undefined;

		/** The editor's session: the instance owner set up once, as on a fresh n8n. */
		async function signIn(): Promise<string> {
			if (cookie) return cookie;
			const setup = await fetch(`http://127.0.0.1:${n8n.port}/rest/owner/setup`, {
				method: 'POST',
				headers: editorHeaders,
				body: JSON.stringify({
					email: 'owner@tokpipe.dev',
					firstName: 'E',
					lastName: 'Two',
					password: 'Tokpipe-e2e-1',
				}),
			});
			expect(setup.status).toBe(200);
			return (cookie = setup.headers.get('set-cookie')!.split(';')[0]!);
		}

		/** The editor's POST to its REST API, signed in. */
		async function editor(path: string, body: unknown) {
			const res = await fetch(`http://127.0.0.1:${n8n.port}/rest${path}`, {
				method: 'POST',
				headers: { ...editorHeaders, cookie: await signIn() },
				body: JSON.stringify(body),
			});
			return { status: res.status, json: (await res.json()) as Json };
		}

		beforeAll(async () => {
			const tgz = preparePackage(flavour);
			sb = await startSandbox({ config: { downloadDelayMs: 200, processingDelayMs: 200, moderationDelayMs: 200 } });
			dir = mkdtempSync(join(tmpdir(), 'tokpipe-n8n-serve-'));
			const demo = sb.admin.demo();
			const env = {
				PATH: process.env.PATH ?? '',
				HOME: dir,
				TIKTOK_API_BASE_URL: sb.url,
				TIKTOK_CLIENT_KEY: demo.clientKey,
				TIKTOK_CLIENT_SECRET: demo.clientSecret,
			};
			const store = join(dir, 'tokpipe.db');
			const created = spawnSync(process.execPath, [BIN, 'keys', 'create', '--scope', 'admin', '--store', store], {
				env,
				encoding: 'utf8',
			});
			expect(created.status).toBe(0);
			adminKey = created.stdout.trim();

			serve = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--webhooks', '--store', store], { env, cwd: dir });
			serve.stderr!.on('data', (d: Buffer) => (serveLog += d.toString()));
			base = await waitFor(() => /listening on (\S+)/.exec(serveLog)?.[1], 'tokpipe serve');
			const connect = await waitFor(() => /connect a TikTok account .*: (\S+)/.exec(serveLog)?.[1], 'the connect link');
			// One account on the server, connected through TikTok's (sandbox) OAuth: n8n never sees its token.
			sb.admin.createUser({ username: 'served' });
			const page = await (await fetch(connect)).text();
			const authorize = /<a href="([^"]+)">/.exec(page)![1]!.replace(/&amp;/g, '&');
			const login = await fetch(`${authorize}&username=served`, { redirect: 'manual' });
			expect((await fetch(login.headers.get('location')!)).status).toBe(200);
			sb.admin.setConfig({ webhookUrl: `${base}/webhooks/tiktok` });
			// n8n's credential: a post-scoped key (posting and subscribing), not the admin one.
			postKey = (await api('POST', '/v1/keys', { scope: 'post', label: 'n8n' })).json.key as string;

			sink = createServer((req, res) => {
				let body = '';
				req.on('data', (c: Buffer) => (body += c.toString('utf8')));
				req.on('end', () => {
					sunk.push(JSON.parse(body || '{}'));
					res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
				});
			});
			await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
			const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/sink`;

			const port = await freePort();
			let brokerPort: number | undefined;
			while (flavour.taskBroker && (brokerPort === undefined || brokerPort === port)) brokerPort = await freePort();
			n8n = new N8n(flavour, port, brokerPort);
			await n8n.installPackage(tgz);
			await n8n.importJson('credentials', [
				{ ...CRED, type: 'tokpipeServerApi', data: { serverUrl: `${base}/`, apiKey: postKey } },
			]);
			const credentials = { tokpipeServerApi: CRED };
			await n8n.importJson('workflow', [
				{
					id: TRIGGER_WF,
					name: 'server trigger e2e',
					active: true,
					settings: {},
					nodes: [
						{
							id: 's1',
							name: 'TikTok Trigger',
							type: 'n8n-nodes-tokpipe.tikTokTrigger',
							typeVersion: 1,
							position: [0, 0],
							webhookId: HOOK_ID,
							parameters: { authentication: 'tokpipeServer', serverEvents: ['published', 'failed'] },
							credentials,
						},
						{
							id: 's2',
							name: 'Sink',
							type: 'n8n-nodes-base.httpRequest',
							typeVersion: 4.2,
							position: [220, 0],
							parameters: {
								method: 'POST',
								url: sinkUrl,
								sendBody: true,
								specifyBody: 'json',
								jsonBody: '={{ JSON.stringify($json) }}',
								options: {},
							},
						},
					],
					connections: { 'TikTok Trigger': { main: [[{ node: 'Sink', type: 'main', index: 0 }]] } },
				},
				{
					id: POST_WF,
					name: 'server post e2e',
					active: true,
					settings: {},
					nodes: [
						{
							id: 'p1',
							name: 'Start',
							type: 'n8n-nodes-base.webhook',
							typeVersion: 2,
							position: [0, 0],
							webhookId: '0b7e0e5c-0000-4000-8000-00000000a001',
							parameters: {
								httpMethod: 'POST',
								path: 'server-post',
								responseMode: 'lastNode',
								responseData: 'firstEntryJson',
								options: {},
							},
						},
						{
							id: 'p2',
							name: 'TikTok',
							type: 'n8n-nodes-tokpipe.tikTok',
							typeVersion: 1,
							position: [220, 0],
							parameters: {
								authentication: 'tokpipeServer',
								resource: 'video',
								operation: 'post',
								source: 'url',
								videoUrl: `${sb.url}/media/sample.mp4`,
								title: 'e2e: posted through the tokpipe server',
								privacyLevel: 'SELF_ONLY',
								additionalFields: { idempotencyKey: IDEMPOTENCY_KEY },
							},
							credentials,
						},
					],
					connections: { Start: { main: [[{ node: 'TikTok', type: 'main', index: 0 }]] } },
				},
			]);
			await n8n.activate([TRIGGER_WF, POST_WF]);
			await n8n.start();
			await n8n.waitForWebhooks(['server-post', `${HOOK_ID}/webhook`]);
		});

		afterAll(async () => {
			await n8n?.stop();
			n8n?.cleanup();
			if (serve && serve.exitCode === null) {
				serve.kill('SIGINT');
				await new Promise((r) => serve!.once('exit', r));
			}
			await new Promise<void>((r) => (sink ? sink.close(() => r()) : r()));
			await sb?.close();
			if (dir) rmSync(dir, { recursive: true, force: true });
		});

		let jobId: string;

		test('activating the workflow subscribed its Production URL on the server, for the chosen events', async () => {
			// n8n 2.x runs a workflow's webhookMethods.create in the background after activation: wait for it.
			const json = await waitFor(async () => {
				const reply = await api('GET', '/v1/subscriptions');
				return reply.json.subscriptions.length > 0 ? reply.json : undefined;
			}, 'the trigger to subscribe');
			expect(json.subscriptions).toEqual([
				expect.objectContaining({ targetUrl: hookUrl(), events: ['published', 'failed'], status: 'active' }),
			]);
			expect(JSON.stringify(json)).not.toContain('secret');
		});

		test('the TikTok node posts through the server once; the same Idempotency-Key again makes no second post', async () => {
			// Every TikTok webhook from here on is sent twice by the sandbox (TikTok's at-least-once delivery).
			sb.admin.script(
				'webhook',
				Array.from({ length: 20 }, () => ({ kind: 'duplicate' as const })),
			);
			const first = await runPostWorkflow();
			expect(first).toMatchObject({
				status: 200,
				body: { idempotencyKey: IDEMPOTENCY_KEY, reused: false, account: expect.any(String) },
			});
			jobId = first.body.jobId;
			await waitFor(async () => (await api('GET', `/v1/posts/${jobId}`)).json.state === 'published', 'published');
			expect(sb.admin.posts()).toHaveLength(1);

			const again = await runPostWorkflow();
			expect(again).toMatchObject({ status: 200, body: { jobId, reused: true, state: 'published' } });
			expect(sb.admin.posts()).toHaveLength(1);
			expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(1);
		});

		test('the published event fires the workflow once, though TikTok redelivered it and the server sent it again', async () => {
			const event = await waitFor(() => sunk.find((e) => e.jobId === jobId), 'the event at the sink');
			expect(event).toMatchObject({ event: 'published', jobId, state: 'published', eventId: expect.any(String) });
			// Every copy of the post's TikTok webhooks reached the server (which stores each event once).
			const { publishId } = (await api('GET', `/v1/posts/${jobId}`)).json;
			await waitFor(() => {
				const sent = sb.admin.webhooks().filter((d) => d.publishId === publishId);
				return sent.some((d) => d.copyOf !== null) && sent.every((d) => d.state === 'delivered');
			}, "TikTok's webhooks and their copies");

			// The server sends the same event (same id, freshly signed) to n8n once more, by hand.
			const { json } = await api('GET', '/v1/deliveries');
			const delivery = json.deliveries.find((d: { eventId: string }) => d.eventId === event.eventId);
			expect((await api('POST', `/v1/deliveries/${delivery.id}/redeliver`)).status).toBe(202);
			await waitFor(async () => {
				const d = (await api('GET', '/v1/deliveries')).json.deliveries.find(
					(x: { id: string }) => x.id === delivery.id,
				);
				return d.attempts.length >= 2 && d.state === 'delivered';
			}, 'the redelivery answered');

			// A forged delivery (signed with another secret) and an unsigned one: refused, nothing runs.
			const forgedId = 'evt_forged';
			const body = JSON.stringify({
				id: forgedId,
				type: 'published',
				account: null,
				createdAt: new Date().toISOString(),
				data: { post: { jobId: 'job_forged' } },
			});
			const signature = signDelivery('not-the-subscription-secret', Math.floor(Date.now() / 1000), forgedId, body);
			const send = async (headers: Record<string, string>) =>
				(
					await fetch(hookUrl(), {
						method: 'POST',
						headers: { 'content-type': 'application/json', 'tokpipe-event-id': forgedId, ...headers },
						body,
					})
				).status;
			expect(await send({ 'tokpipe-signature': signature })).toBe(401);
			expect(await send({})).toBe(401);

			// A second post's event as the sentinel: once its run reached the sink, a run for the redelivered, the
			// copied or the forged event would have too.
			const second = await api('POST', '/v1/posts', {
				videoUrl: `${sb.url}/media/sample.mp4`,
				title: 'e2e: the sentinel',
				privacyLevel: 'SELF_ONLY',
			});
			expect(second.status).toBe(201);
			await waitFor(() => sunk.find((e) => e.jobId === second.json.jobId), 'the sentinel event');
			expect(sunk.filter((e) => e.jobId === jobId)).toHaveLength(1);
			expect(sunk.find((e) => e.jobId === 'job_forged')).toBeUndefined();
			expect(sb.admin.posts()).toHaveLength(2);
		});

		test("the credential's Test (GET /v1/accounts) passes with the key and fails with another", async () => {
			const test = (apiKey: string) =>
				editor('/credentials/test', {
					credentials: { ...CRED, type: 'tokpipeServerApi', data: { serverUrl: base, apiKey } },
				});
			const good = await test(postKey);
			expect(good).toMatchObject({ status: 200, json: { data: { status: 'OK' } } });
			const wrong = await test(`${postKey.slice(0, -4)}0000`);
			expect(wrong).toMatchObject({ status: 200, json: { data: { status: 'Error' } } });
		});

		test('deactivating the workflow unsubscribes: the server has no subscription left', async () => {
			// As the editor does (n8n runs the trigger's webhookMethods.delete); 2.x reads an optional checksum.
			expect((await editor(`/workflows/${TRIGGER_WF}/deactivate`, {})).status).toBe(200);
			// 2.x unpublishes in the background (its workflow publication service): wait for the subscription to go.
			await waitFor(
				async () => (await api('GET', '/v1/subscriptions')).json.subscriptions.length === 0,
				'the unsubscription',
			);
			expect((await api('GET', '/v1/subscriptions')).json.subscriptions).toEqual([]);
		});
	});
}
