// The nodes inside n8n's own engine (n8n-core's WorkflowExecute / WebhookContext, n8n-workflow's Workflow),
// against the sandbox: what n8n's engine does with the node's output, errors, credentials and static data.
// Real time: nothing here waits (no polling, no backoff), the sandbox answers at once.
import { createServer, type Server } from 'node:http';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import type { INode, NodeApiError } from 'n8n-workflow';

import {
	CredentialsHost,
	deliverWebhook,
	executeWorkflow,
	makeWorkflow,
	PACKAGE,
	shutdownN8n,
	type Delivery,
} from './n8n-host';

const CREDENTIAL = { tikTokTokenApi: { id: 'cred-1', name: 'TikTok account' } };
let sb: Sandbox;
let openId: string;
let credentials: CredentialsHost;

beforeEach(async () => {
	sb = await startSandbox({ workIntervalMs: 0 });
	const demo = sb.admin.demo();
	openId = demo.accounts[0].openId;
	credentials = new CredentialsHost({
		'cred-1': {
			clientKey: demo.clientKey,
			clientSecret: demo.clientSecret,
			refreshToken: demo.accounts[0].refreshToken,
			baseUrl: sb.url,
			accessToken: '',
			openId: '',
			scope: '',
		},
	});
});

afterEach(async () => {
	await sb.close();
});

afterAll(() => shutdownN8n());

function tikTokNode(parameters: INode['parameters']): INode {
	return {
		id: 'n1',
		name: 'Post to TikTok',
		type: `${PACKAGE}.tikTok`,
		typeVersion: 1,
		position: [0, 0],
		credentials: CREDENTIAL,
		parameters,
	};
}

const postVideo = (videoUrl: string) =>
	tikTokNode({
		resource: 'video',
		operation: 'post',
		source: 'url',
		// An n8n expression, resolved by n8n-workflow like any user's.
		videoUrl: `={{ "${videoUrl}" }}`,
		title: 'Launch day #tokpipe',
		privacyLevel: 'SELF_ONLY',
		waitForCompletion: false,
	});

test('Video → Post runs in n8n: one init reaches TikTok, the item carries the publish id, the refresh is saved', async () => {
	const workflow = makeWorkflow([postVideo(`${sb.url}/media/sample.mp4`)]);
	const { run } = await executeWorkflow(workflow, 'Post to TikTok', credentials);

	expect(run.status).toBe('success');
	expect(run.data.resultData.error).toBeUndefined();
	const inits = sb.admin.requests({ endpoint: 'video.init' });
	expect(inits).toHaveLength(1);
	const [post] = sb.admin.posts(openId);
	expect(post).toMatchObject({ title: 'Launch day #tokpipe', privacy: 'SELF_ONLY' });
	const items = run.data.resultData.runData['Post to TikTok']![0]!.data!.main[0]!;
	expect(items).toHaveLength(1);
	expect(items[0]!.json).toMatchObject({ publishId: post!.publishId });
	// n8n's preAuthentication path refreshed once and saved the rotated refresh token with the open_id.
	expect(sb.admin.requests({ endpoint: 'oauth.token' })).toHaveLength(1);
	expect(credentials.saved).toHaveLength(1);
	expect(credentials.current('cred-1')).toMatchObject({ openId });
	expect(credentials.current('cred-1').refreshToken).not.toBe(sb.admin.demo().accounts[0].refreshToken);
});

test("a TikTok refusal fails the run with n8n's NodeApiError carrying TikTok's code, and nothing is posted", async () => {
	sb.admin.script('video.init', [{ kind: 'error', status: 403, code: 'spam_risk_too_many_posts' }]);
	const workflow = makeWorkflow([postVideo(`${sb.url}/media/sample.mp4`)]);
	const { run } = await executeWorkflow(workflow, 'Post to TikTok', credentials);

	expect(run.status).toBe('error');
	const error = run.data.resultData.error as NodeApiError;
	expect(error.name).toBe('NodeApiError');
	expect(error.node?.name).toBe('Post to TikTok');
	expect(error.description).toContain('code: spam_risk_too_many_posts');
	expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(1);
	expect(sb.admin.posts(openId)).toHaveLength(0);
});

describe('TikTok Trigger (webhook mode) through n8n-core WebhookContext', () => {
	let receiver: Server;
	let deliveries: Delivery[];
	let arrived: () => void;

	beforeEach(async () => {
		deliveries = [];
		// Plays n8n's webhook server: takes TikTok's raw delivery (headers + body) and answers it.
		receiver = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				deliveries.push({ headers: req.headers as Record<string, string>, rawBody: Buffer.concat(chunks) });
				res.end('{}');
				arrived();
			});
		});
		await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
		sb.admin.setConfig({ webhookUrl: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/webhook` });
	});

	afterEach(async () => {
		await new Promise((r) => receiver.close(r));
	});

	async function nextDelivery(): Promise<Delivery> {
		const came = new Promise<void>((r) => (arrived = r));
		await sb.admin.runDueWork();
		await came;
		return deliveries[deliveries.length - 1]!;
	}

	const trigger: INode = {
		id: 't1',
		name: 'TikTok Trigger',
		type: `${PACKAGE}.tikTokTrigger`,
		typeVersion: 1,
		position: [0, 0],
		credentials: CREDENTIAL,
		parameters: { mode: 'webhook', events: [], toleranceSeconds: 300 },
	};

	test('a signed delivery starts the workflow with one typed item; the same delivery again starts nothing', async () => {
		const workflow = makeWorkflow([trigger]);
		sb.admin.removeAuthorization(openId, 4);
		const delivery = await nextDelivery();

		const first = await deliverWebhook(workflow, 'TikTok Trigger', credentials, delivery);
		expect(first.response).toBeUndefined();
		expect(first.result.workflowData).toEqual([
			[
				{
					json: expect.objectContaining({
						event: 'authorization.removed',
						openId,
						reason: 4,
						reasonName: 'account_banned',
					}),
				},
			],
		]);

		// n8n keeps the node's static data on the workflow between deliveries: a redelivery is acknowledged only.
		const again = await deliverWebhook(workflow, 'TikTok Trigger', credentials, delivery);
		expect(again.result.workflowData).toBeUndefined();
		expect(again.response).toEqual({ status: 200, body: { ok: true, skipped: 'duplicate' } });
	});

	test('a delivery whose body was changed after signing gets 401 and starts nothing', async () => {
		const workflow = makeWorkflow([trigger]);
		sb.admin.removeAuthorization(openId, 4);
		const delivery = await nextDelivery();
		const tampered = {
			...delivery,
			rawBody: Buffer.from(delivery.rawBody.toString('utf8').replace('"reason', '"reasoN')),
		};

		const answer = await deliverWebhook(workflow, 'TikTok Trigger', credentials, tampered);
		expect(answer.result).toEqual({ noWebhookResponse: true });
		expect(answer.response?.status).toBe(401);
	});
});
