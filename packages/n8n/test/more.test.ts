// Polling trigger, privacy-level options, streamed binary uploads and network failures: each against the sandbox.
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { planChunks, PRIVACY_OPTIONS, VirtualClock } from '@tokpipe/core';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import type { IDataObject, ILoadOptionsFunctions, IPollFunctions } from 'n8n-workflow';

import { TikTok } from '../nodes/TikTok/TikTok.node';
import { privacyLevelOptions } from '../nodes/TikTok/methods/loadOptions';
import { router } from '../nodes/TikTok/actions/router';
import { pollVideos } from '../nodes/TikTokTrigger/handlers';
import { CredentialStore, fakeExecute, httpContext, type FakeExecuteOptions } from './fake-n8n';

let clock: VirtualClock;
let sb: Sandbox;
let openId: string;
let credentials: CredentialStore;

beforeEach(async () => {
	clock = new VirtualClock({ start: Date.UTC(2026, 10, 25, 12), autoAdvance: true });
	sb = await startSandbox({ clock, workIntervalMs: 0 });
	const demo = sb.admin.demo();
	openId = demo.accounts[0].openId;
	credentials = new CredentialStore({
		clientKey: demo.clientKey,
		clientSecret: demo.clientSecret,
		refreshToken: demo.accounts[0].refreshToken,
		baseUrl: sb.url,
		accessToken: '',
	});
});

afterEach(async () => {
	await sb.close();
});

const track = <T>(work: Promise<T>) => clock.track(work);

async function run(items: IDataObject[], o: Partial<FakeExecuteOptions> = {}) {
	const fake = fakeExecute({ items, credentials, properties: new TikTok().description.properties, track, ...o });
	const [out] = await router.call(fake.ctx, { clock, random: () => 0.5 });
	return out;
}

async function publishPublicVideo(title: string) {
	const [item] = await run([
		{
			resource: 'video',
			operation: 'post',
			source: 'url',
			videoUrl: `${sb.url}/media/sample.mp4`,
			title,
			privacyLevel: 'PUBLIC_TO_EVERYONE',
		},
	]);
	expect(item.json.published).toBe(true);
	await clock.advance(10 * 60_000); // past moderation: the video shows in the public list
}

describe('TikTok Trigger, polling mode', () => {
	function pollContext(staticData: IDataObject, mode: 'trigger' | 'manual' = 'trigger') {
		return {
			...httpContext(credentials, track),
			getMode: () => mode,
			getNodeParameter: (name: string) => ({ mode: 'pollVideos' })[name],
			getWorkflowStaticData: () => staticData,
		} as unknown as IPollFunctions;
	}

	test('emits each newly published video once; the first poll only records what exists', async () => {
		const staticData: IDataObject = {};
		await publishPublicVideo('already there');
		expect(await pollVideos(pollContext(staticData), clock)).toBeNull();

		await publishPublicVideo('new one');
		const second = await pollVideos(pollContext(staticData), clock);
		expect(second?.[0].map((i) => i.json.title)).toEqual(['new one']);
		expect(await pollVideos(pollContext(staticData), clock)).toBeNull();
	});

	test('a manual test poll shows the newest video without moving the cursor', async () => {
		const staticData: IDataObject = {};
		await publishPublicVideo('only video');
		const manual = await pollVideos(pollContext(staticData, 'manual'), clock);
		expect(manual?.[0]).toHaveLength(1);
		expect(staticData).toEqual({});
	});
});

test('privacy levels are loaded from the creator info of the account', async () => {
	sb.admin.updateUser(openId, { privateAccount: true });
	const ctx = httpContext(credentials, track) as unknown as ILoadOptionsFunctions;
	const options = await privacyLevelOptions(ctx, clock);
	expect(options.map((o) => o.value)).not.toContain('PUBLIC_TO_EVERYONE');
	expect(options.map((o) => o.value)).toContain('SELF_ONLY');
	expect(options.every((o) => typeof o.name === 'string' && o.name.length > 0)).toBe(true);
	// Labels are core's (one vocabulary with Zapier and Make), TikTok's value leads the description.
	const selfOnly = PRIVACY_OPTIONS.find((o) => o.value === 'SELF_ONLY')!;
	expect(options.find((o) => o.value === 'SELF_ONLY')).toEqual({
		name: selfOnly.label,
		value: 'SELF_ONLY',
		description: `SELF_ONLY · ${selfOnly.description}`,
	});
});

describe('binary data kept by n8n outside memory (filesystem mode)', () => {
	const MB = 1024 * 1024;
	const size = 21 * MB + 12345; // two chunks with core's default 10 MB chunk (the last absorbs the rest)
	const bytes = Buffer.alloc(size);
	for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 12)) & 0xff;
	bytes.write('\u0000\u0000\u0000\u0018ftypmp42', 0, 'latin1');

	function streamedBinary() {
		const opened: number[] = [];
		return {
			opened,
			helpers: {
				getBinaryMetadata: async () => ({ fileSize: size, mimeType: 'video/mp4', fileName: 'big.mp4' }),
				// n8n hands out a fresh stream per call; chunked like its filesystem store.
				getBinaryStream: async () => {
					opened.push(1);
					const parts: Buffer[] = [];
					for (let o = 0; o < size; o += MB) parts.push(bytes.subarray(o, Math.min(size, o + MB)));
					return Readable.from(parts);
				},
			},
		};
	}

	/** sha256 of each chunk TikTok should hold (core's default plan for this size). */
	const expectedChunks = () =>
		planChunks(size).chunks.map((c) =>
			createHash('sha256')
				.update(bytes.subarray(c.first, c.last + 1))
				.digest('hex'),
		);

	async function postStreamed(binary: ReturnType<typeof streamedBinary>) {
		const fake = fakeExecute({
			items: [
				{
					resource: 'video',
					operation: 'post',
					source: 'binary',
					binaryPropertyName: 'data',
					title: 'big',
					privacyLevel: 'SELF_ONLY',
				},
			],
			binary: [
				{
					data: {
						id: 'filesystem-v2:workflows/1/executions/1/binary_data/abc',
						data: 'filesystem-v2',
						mimeType: 'video/mp4',
					},
				},
			],
			credentials,
			properties: new TikTok().description.properties,
			track,
		});
		Object.assign(fake.ctx.helpers, binary.helpers);
		const [out] = await router.call(fake.ctx, { clock, random: () => 0.5 });
		return out;
	}

	test('is streamed to TikTok in sequential chunks that cover the whole file', async () => {
		const out = await postStreamed(streamedBinary());
		expect(out[0].json.published).toBe(true);
		const [post] = sb.admin.posts(openId);
		expect(post).toMatchObject({ source: 'FILE_UPLOAD', videoSize: size, uploadedBytes: size });
		const puts = sb.admin.requests({ endpoint: 'upload' });
		expect(puts.length).toBeGreaterThanOrEqual(2);
		expect(puts.reduce((n, r) => n + r.bytes, 0)).toBe(size);
		expect(post!.chunkSha256).toEqual(expectedChunks());
	});

	test('a chunk that failed with 5xx is sent again, and every byte arrives as it was', async () => {
		const binary = streamedBinary();
		sb.admin.script('upload', [{ kind: 'none' }, { kind: 'server_error', status: 503, body: 'json' }]);
		const out = await postStreamed(binary);
		expect(out[0].json.published).toBe(true);
		expect(sb.admin.posts(openId)[0]).toMatchObject({ uploadedBytes: size });
		const statuses = sb.admin.requests({ endpoint: 'upload' }).map((r) => r.status);
		expect(statuses).toContain(503);
		expect(sb.admin.posts(openId)[0]!.chunkSha256).toEqual(expectedChunks());
		// One pass for the idempotency key's content hash, one for the upload.
		expect(binary.opened).toHaveLength(2);
	});
});

test('TikTok unreachable: the item carries a transport classification, nothing was posted', async () => {
	credentials.data.accessToken = 'act.some-token';
	const closed = createServer();
	await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
	const { port } = closed.address() as { port: number };
	await new Promise<void>((r) => closed.close(() => r()));
	credentials.data.baseUrl = `http://127.0.0.1:${port}`; // nothing listens there: connection refused
	const out = await run(
		[
			{
				resource: 'video',
				operation: 'post',
				source: 'url',
				videoUrl: `${sb.url}/media/sample.mp4`,
				title: 'x',
				privacyLevel: 'SELF_ONLY',
			},
		],
		{ continueOnFail: true },
	);
	expect(out[0].json).toMatchObject({ layer: 'transport', code: 'refused' });
	expect(sb.admin.posts(openId)).toHaveLength(0);
});
