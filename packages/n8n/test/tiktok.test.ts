// The TikTok node's execute() with a fake n8n context whose HTTP goes to the real sandbox, on a virtual
// clock (backoff, rate-limit windows and polling take no real time).
import { VirtualClock } from '@tokpipe/core';
import { sampleMp4, solidJpeg, startSandbox, type Sandbox } from '@tokpipe/sandbox';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { TikTok } from '../nodes/TikTok/TikTok.node';
import { router } from '../nodes/TikTok/actions/router';
import { CredentialStore, fakeExecute, type FakeExecuteOptions } from './fake-n8n';

let clock: VirtualClock;
let sb: Sandbox;
let openId: string;
let credentials: CredentialStore;
let originalRefreshToken: string;

beforeEach(async () => {
	clock = new VirtualClock({ start: Date.UTC(2026, 10, 25, 12), autoAdvance: true });
	sb = await startSandbox({ clock, workIntervalMs: 0 });
	const demo = sb.admin.demo();
	openId = demo.accounts[0].openId;
	originalRefreshToken = demo.accounts[0].refreshToken;
	credentials = new CredentialStore({
		clientKey: demo.clientKey,
		clientSecret: demo.clientSecret,
		refreshToken: originalRefreshToken,
		baseUrl: sb.url,
		accessToken: '',
	});
});

afterEach(async () => {
	await sb.close();
});

function postVideo(overrides: IDataObject = {}): IDataObject {
	return {
		resource: 'video',
		operation: 'post',
		source: 'url',
		videoUrl: `${sb.url}/media/sample.mp4`,
		title: 'Launch day #tokpipe',
		privacyLevel: 'SELF_ONLY',
		waitForCompletion: true,
		...overrides,
	};
}

async function run(items: IDataObject[], o: Partial<FakeExecuteOptions> = {}) {
	const fake = fakeExecute({
		items,
		credentials,
		properties: new TikTok().description.properties,
		track: (w) => clock.track(w),
		...o,
	});
	const [out] = await router.call(fake.ctx, { clock, random: () => 0.5 });
	return { out, ...fake };
}

const apiRequests = () => sb.admin.requests().filter((r) => !['admin', 'media', 'oauth.token'].includes(r.endpoint));
const inits = () => sb.admin.requests({ endpoint: 'video.init' });

describe('Video → Post', () => {
	test('posts from a URL, waits for TikTok and emits one published item paired to its input', async () => {
		const { out } = await run([postVideo()]);
		expect(out).toEqual([
			{
				json: expect.objectContaining({
					status: 'PUBLISH_COMPLETE',
					published: true,
					done: true,
					reused: false,
					attempts: 1,
				}),
				pairedItem: { item: 0 },
			},
		]);
		const posts = sb.admin.posts(openId);
		expect(posts).toHaveLength(1);
		expect(posts[0]).toMatchObject({
			title: 'Launch day #tokpipe',
			privacy: 'SELF_ONLY',
			source: 'PULL_FROM_URL',
			flow: 'direct',
		});
		expect(out[0].json.publishId).toBe(posts[0].publishId);
		expect(out[0].json.postIds).toEqual(posts[0].publicPostIds);
		expect(inits()).toHaveLength(1);
	});

	test('the credential refreshed once through preAuthentication and kept the rotated refresh token; every call was signed with it', async () => {
		await run([postVideo()]);
		expect(credentials.refreshes).toBe(1);
		expect(credentials.data.refreshToken).not.toBe(originalRefreshToken);
		expect(credentials.data.openId).toBe(openId);
		expect(apiRequests().every((r) => r.openId === openId && r.status !== 401)).toBe(true);
	});

	test('a re-run of the same item returns the existing post instead of posting again', async () => {
		const staticData: IDataObject = {};
		await run([postVideo()], { staticData });
		const { out } = await run([postVideo()], { staticData });
		expect(out[0].json).toMatchObject({ reused: true, status: 'PUBLISH_COMPLETE' });
		expect(sb.admin.posts(openId)).toHaveLength(1);
		expect(inits()).toHaveLength(1);
	});

	test('idempotency off: the same item is posted again, within a run and across runs', async () => {
		const staticData: IDataObject = {};
		const item = postVideo({ options: { idempotency: false } });
		await run([item, item], { staticData });
		await run([item], { staticData });
		expect(sb.admin.posts(openId)).toHaveLength(3);
	});

	test('idempotency on: two identical items in one run give one post, the second reused', async () => {
		const { out } = await run([postVideo(), postVideo()]);
		expect(out.map((o) => o.json.reused)).toEqual([false, true]);
		expect(sb.admin.posts(openId)).toHaveLength(1);
	});

	test('429 on init and 5xx on creator info and status still give exactly one post', async () => {
		sb.admin.script('video.init', [{ kind: 'rate_limit' }]);
		sb.admin.script('creator_info', [{ kind: 'server_error', status: 503, body: 'json' }]);
		sb.admin.script('status', [{ kind: 'server_error', status: 502, body: 'html' }, { kind: 'reset' }]);
		const { out } = await run([postVideo()]);
		expect(out[0].json).toMatchObject({ status: 'PUBLISH_COMPLETE', published: true });
		expect(sb.admin.posts(openId)).toHaveLength(1);
		expect(inits().map((r) => r.status)).toEqual([429, 200]);
	});

	test('two items in one run: two posts, each output paired to its input', async () => {
		const { out } = await run([postVideo({ title: 'first' }), postVideo({ title: 'second' })]);
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(
			sb.admin
				.posts(openId)
				.map((p) => p.title)
				.sort(),
		).toEqual(['first', 'second']);
	});

	test('a stale access token: n8n refreshes on the 401 and the request goes through once', async () => {
		credentials.data.accessToken = 'act.stale-token';
		credentials.data.openId = openId;
		const { out } = await run([postVideo()]);
		expect(out[0].json.published).toBe(true);
		expect(credentials.refreshes).toBe(1);
		expect(sb.admin.posts(openId)).toHaveLength(1);
	});
});

describe('errors', () => {
	test('a content failure with Continue On Fail emits the item with its classification', async () => {
		sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'spam_risk_text' }]);
		const { out } = await run([postVideo()], { continueOnFail: true });
		expect(out).toHaveLength(1);
		expect(out[0].pairedItem).toEqual({ item: 0 });
		expect(out[0].json).toMatchObject({
			status: 'FAILED',
			layer: 'async',
			code: 'spam_risk_text',
			failReason: 'spam_risk_text',
			retryable: false,
			category: expect.any(String),
			disposition: expect.any(String),
			action: expect.any(String),
		});
		expect(sb.admin.posts(openId)).toHaveLength(1); // a content failure is never re-posted
	});

	test('without Continue On Fail it stops with a NodeApiError whose description carries the classification', async () => {
		sb.admin.script('video.init', [{ kind: 'error', status: 403, code: 'spam_risk_too_many_posts' }]);
		const error = await run([postVideo()]).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		const { description, message } = error as NodeApiError;
		expect(message).toEqual(expect.any(String));
		expect(description).toContain('layer: application');
		expect(description).toContain('code: spam_risk_too_many_posts');
		expect(description).toMatch(/disposition: \w+/);
		expect(description).toMatch(/log_id: \S+/);
		expect(sb.admin.posts(openId)).toHaveLength(0);
	});

	test('a refused refresh token is classified as re-authorize', async () => {
		credentials.data.refreshToken = 'rft.not-a-real-token';
		const { out } = await run([postVideo()], { continueOnFail: true });
		expect(out[0].json).toMatchObject({ layer: 'oauth', disposition: 'reauthorize' });
		expect(JSON.stringify(out[0].json)).not.toContain('rft.not-a-real-token');
		expect(sb.admin.posts(openId)).toHaveLength(0);
	});

	test('a title over 2200 UTF-16 units is refused naming the field, before any request', async () => {
		const title = '🎬'.repeat(1101); // 1101 characters, 2202 UTF-16 units
		const error = await run([postVideo({ title })]).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as Error).message).toMatch(/title/);
		expect(sb.admin.requests().filter((r) => r.endpoint !== 'admin')).toEqual([]);
	});

	test('a direct post without a privacy level is refused naming the field, before any request', async () => {
		const { out } = await run([postVideo({ privacyLevel: '' })], { continueOnFail: true });
		expect(out[0].json).toMatchObject({
			layer: 'input',
			field: expect.stringMatching(/privacy/i),
			disposition: 'fix_input',
		});
		expect(sb.admin.requests().filter((r) => r.endpoint !== 'admin')).toEqual([]);
	});
});

describe('other operations', () => {
	test('Video → Post from binary data uploads the bytes in chunks (FILE_UPLOAD)', async () => {
		const bytes = Buffer.from(sampleMp4(360, 640, 30, new Array(30).fill(solidJpeg(360, 640, [10, 20, 30]))));
		const binary: INodeExecutionData['binary'] = {
			data: { data: bytes.toString('base64'), mimeType: 'video/mp4', fileName: 'clip.mp4' },
		};
		const { out } = await run([postVideo({ source: 'binary', binaryPropertyName: 'data', videoUrl: undefined })], {
			binary: [binary],
		});
		expect(out[0].json.published).toBe(true);
		const [post] = sb.admin.posts(openId);
		expect(post).toMatchObject({ source: 'FILE_UPLOAD', videoSize: bytes.length, uploadedBytes: bytes.length });
	});

	test('Video → Upload as Draft lands in the inbox', async () => {
		const { out } = await run([
			{
				resource: 'video',
				operation: 'uploadDraft',
				source: 'url',
				videoUrl: `${sb.url}/media/sample.mp4`,
				waitForCompletion: true,
			},
		]);
		expect(out[0].json).toMatchObject({ status: 'SEND_TO_USER_INBOX', done: true, published: false });
		expect(sb.admin.posts(openId)[0]).toMatchObject({ flow: 'inbox' });
	});

	test('Photo → Post publishes a carousel', async () => {
		const { out } = await run([
			{
				resource: 'photo',
				operation: 'post',
				photoUrls: `${sb.url}/media/photo-1.jpg\n${sb.url}/media/photo-2.jpg`,
				coverIndex: 1,
				title: 'Two photos',
				privacyLevel: 'SELF_ONLY',
				waitForCompletion: true,
			},
		]);
		expect(out[0].json.published).toBe(true);
		expect(sb.admin.posts(openId)[0]).toMatchObject({
			media: 'photo',
			urls: [`${sb.url}/media/photo-1.jpg`, `${sb.url}/media/photo-2.jpg`],
		});
	});

	test('Photo → Upload as Draft sends the carousel to the inbox (MEDIA_UPLOAD), with no privacy level needed', async () => {
		const { out } = await run([
			{
				resource: 'photo',
				operation: 'uploadDraft',
				photoUrls: `${sb.url}/media/photo-1.jpg\n${sb.url}/media/photo-3.jpg`,
				coverIndex: 0,
				title: 'Draft carousel',
				waitForCompletion: true,
			},
		]);
		expect(out[0].json).toMatchObject({ status: 'SEND_TO_USER_INBOX', done: true, published: false });
		const inits = sb.admin.requests().filter((r: { endpoint: string }) => r.endpoint === 'content.init');
		expect(inits).toHaveLength(1);
		expect(inits[0].body).toMatchObject({ post_mode: 'MEDIA_UPLOAD', media_type: 'PHOTO' });
		expect(sb.admin.posts(openId)[0]).toMatchObject({ media: 'photo', flow: 'inbox' });
	});

	test('Post → Get Status, Creator → Get Info', async () => {
		const { out: posted } = await run([postVideo({ waitForCompletion: false })]);
		expect(posted[0].json.status).toBe('ACCEPTED');
		const publishId = posted[0].json.publishId as string;
		await clock.advance(60_000);
		const { out } = await run([{ resource: 'post', operation: 'getStatus', publishId }]);
		expect(out[0].json).toMatchObject({ publishId, status: 'PUBLISH_COMPLETE', published: true });
		const { out: info } = await run([{ resource: 'creator', operation: 'getInfo' }]);
		expect(info[0].json.privacyLevelOptions).toEqual(expect.arrayContaining(['SELF_ONLY']));
	});

	test('Post → Cancel stops a post TikTok is still downloading', async () => {
		sb.admin.setConfig({ downloadDelayMs: 10 * 60_000 });
		const { out: posted } = await run([postVideo({ waitForCompletion: false })]);
		const publishId = posted[0].json.publishId as string;
		const { out } = await run([{ resource: 'post', operation: 'cancel', publishId }]);
		expect(out[0].json).toEqual({ publishId, cancelled: true });
		expect(sb.admin.requests({ endpoint: 'cancel' }).map((r) => r.status)).toEqual([200]);
		expect(sb.admin.posts(openId)[0]).toMatchObject({ publishId, status: 'FAILED', failReason: 'publish_cancelled' });
	});

	test('Post → Wait for Completion parks the execution when TikTok is still processing', async () => {
		sb.admin.setConfig({ processingDelayMs: 3 * 3_600_000 });
		const { out: posted } = await run([postVideo({ waitForCompletion: false })]);
		const publishId = posted[0].json.publishId as string;
		const { out, waits } = await run([
			{
				resource: 'post',
				operation: 'waitForCompletion',
				publishId,
				options: { maxWaitSeconds: 120, parkWhenPending: true, parkMinutes: 30 },
			},
		]);
		expect(out[0].json).toMatchObject({ publishId, status: 'UNCONFIRMED', done: false });
		expect(waits).toHaveLength(1);
		expect(waits[0].getTime() - clock.now()).toBeGreaterThan(25 * 60_000);
	});
});
