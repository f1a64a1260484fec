// TikTok Trigger, webhook mode: real signed deliveries from the sandbox, handed to the node's handler
// through a small receiver that plays n8n's webhook server (raw body kept, response object).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { signWebhookPayload, VirtualClock } from '@tokpipe/core';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { handleWebhook } from '../nodes/TikTokTrigger/handlers';
import { TikTokTrigger } from '../nodes/TikTokTrigger/TikTokTrigger.node';

let clock: VirtualClock;
let sb: Sandbox;
let receiver: Server;
let receiverUrl: string;
let params: IDataObject;
let staticData: IDataObject;
/** A new workflow per test: the trigger's in-process memory of deliveries is per workflow and node. */
let workflowId = 0;
let emitted: IDataObject[];
let answers: number[];
let bodies: unknown[];

function webhookContext(
	req: IncomingMessage,
	rawBody: Buffer,
	res: ServerResponse,
	clientSecret: string,
): IWebhookFunctions {
	const response = {
		status(code: number) {
			res.statusCode = code;
			return {
				json: (body: unknown) => {
					bodies.push(body);
					res.setHeader('content-type', 'application/json').end(JSON.stringify(body));
				},
			};
		},
	};
	return {
		getRequestObject: () => Object.assign(req, { rawBody }),
		getResponseObject: () => response,
		getCredentials: async () => ({ clientSecret }),
		getNodeParameter: (name: string, fallback?: unknown) => params[name] ?? fallback,
		getWorkflowStaticData: () => staticData,
		getWorkflow: () => ({ id: `wf-${workflowId}`, active: true }),
		getNode: () => ({ id: 'trigger-1', name: 'TikTok Trigger' }),
	} as unknown as IWebhookFunctions;
}

beforeEach(async () => {
	clock = new VirtualClock({ start: Date.UTC(2026, 10, 25, 12) });
	sb = await startSandbox({ clock, workIntervalMs: 0 });
	params = { mode: 'webhook', events: [], toleranceSeconds: 300 };
	staticData = {};
	workflowId++;
	emitted = [];
	answers = [];
	bodies = [];
	const secret = sb.admin.demo().clientSecret;
	receiver = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', async () => {
			const result: IWebhookResponseData = await handleWebhook(
				webhookContext(req, Buffer.concat(chunks), res, secret),
				clock,
			);
			if (result.workflowData) emitted.push(...result.workflowData[0].map((item) => item.json));
			if (!result.noWebhookResponse) {
				// What n8n 1.123 does for responseMode "onReceived" with no responseData: the literal default.
				bodies.push('firstEntryJson');
				res.statusCode = 200;
				res.end('firstEntryJson');
			}
			answers.push(res.statusCode);
		});
	});
	await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
	receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/webhook`;
	sb.admin.setConfig({ webhookUrl: receiverUrl });
});

afterEach(async () => {
	await sb.close();
	await new Promise<void>((r) => receiver.close(() => r()));
});

test('a signed authorization.removed delivery emits one typed item', async () => {
	const openId = sb.admin.demo().accounts[1].openId;
	sb.admin.removeAuthorization(openId, 4);
	await sb.admin.runDueWork();
	expect(emitted).toEqual([
		expect.objectContaining({ event: 'authorization.removed', openId, reason: 4, reasonName: 'account_banned' }),
	]);
	expect(answers).toEqual([200]);
	// The node answers TikTok itself, in JSON (n8n left alone would send the literal body "firstEntryJson").
	expect(bodies).toEqual([{ ok: true, event: 'authorization.removed' }]);
});

test('a redelivery of the same event is answered 200 and not emitted again', async () => {
	sb.admin.script('webhook', [{ kind: 'duplicate' }]);
	sb.admin.removeAuthorization(sb.admin.demo().accounts[1].openId, 1);
	await sb.admin.runDueWork();
	await sb.admin.runDueWork();
	expect(sb.admin.webhooks().filter((d) => d.state === 'delivered')).toHaveLength(2);
	expect(answers).toEqual([200, 200]);
	expect(emitted).toHaveLength(1);
	expect(emitted[0]!.eventKey).toMatch(/^[0-9a-f]{64}$/);
});

test('a failed publish carries the fail reason and its classification', async () => {
	const demo = sb.admin.demo();
	sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'spam_risk_text' }]);
	const init = await fetch(`${sb.url}/v2/post/publish/video/init/`, {
		method: 'POST',
		headers: {
			authorization: `Bearer ${demo.accounts[0].accessToken}`,
			'content-type': 'application/json; charset=UTF-8',
		},
		body: JSON.stringify({
			post_info: { title: 'buy now', privacy_level: 'SELF_ONLY' },
			source_info: { source: 'PULL_FROM_URL', video_url: `${sb.url}/media/sample.mp4` },
		}),
	});
	expect(init.status).toBe(200);
	await clock.advance(10 * 60_000);
	await sb.admin.runDueWork();
	const failed = emitted.find((e) => e.event === 'post.publish.failed');
	expect(failed).toMatchObject({
		failReason: 'spam_risk_text',
		layer: 'async',
		code: 'spam_risk_text',
		retryable: false,
	});
	expect(failed?.disposition).toEqual(expect.any(String));
	expect(failed?.action).toEqual(expect.any(String));
});

test('events not selected in the filter are acknowledged but start nothing', async () => {
	params.events = ['post.publish.complete'];
	sb.admin.removeAuthorization(sb.admin.demo().accounts[1].openId, 1);
	await sb.admin.runDueWork();
	expect(answers).toEqual([200]);
	expect(emitted).toEqual([]);
});

test('a tampered body, a wrong secret or no signature gets 401 and emits nothing', async () => {
	sb.admin.removeAuthorization(sb.admin.demo().accounts[1].openId, 1);
	const [delivery] = sb.admin.webhooks();
	// Not delivered yet (runDueWork not called): sign the sandbox's exact body as TikTok would.
	const header = () => signWebhookPayload(sb.admin.demo().clientSecret, Math.floor(clock.now() / 1000), delivery.body);
	const send = (body: string, signature?: string) =>
		fetch(receiverUrl, { method: 'POST', headers: signature ? { 'TikTok-Signature': signature } : {}, body });
	expect((await send(delivery.body.replace('"reason', '"reasoN'), header())).status).toBe(401);
	expect((await send(delivery.body)).status).toBe(401);
	expect(
		(await send(delivery.body, signWebhookPayload('wrong-secret', Math.floor(clock.now() / 1000), delivery.body)))
			.status,
	).toBe(401);
	// An old but correctly signed delivery (replay) is refused too.
	const old = signWebhookPayload(sb.admin.demo().clientSecret, Math.floor(clock.now() / 1000) - 3600, delivery.body);
	expect((await send(delivery.body, old)).status).toBe(401);
	expect(emitted).toEqual([]);
	expect((await send(delivery.body, header())).status).toBe(200);
	expect(emitted).toHaveLength(1);
});

test('the webhook lifecycle has nothing to register at TikTok and refuses a credential without a secret', async () => {
	const trigger = new TikTokTrigger();
	const hooks = (secret: string) =>
		({
			getNodeParameter: () => 'webhook',
			getCredentials: async () => ({ clientSecret: secret }),
			getNode: () => ({ name: 'TikTok Trigger' }),
		}) as never;
	expect(await trigger.webhookMethods.default.checkExists.call(hooks('s3cret'))).toBe(true);
	expect(await trigger.webhookMethods.default.create.call(hooks('s3cret'))).toBe(true);
	expect(await trigger.webhookMethods.default.delete.call(hooks('s3cret'))).toBe(true);
	await expect(trigger.webhookMethods.default.checkExists.call(hooks(''))).rejects.toThrow(/client secret/);
});
