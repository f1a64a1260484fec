// What a user of n8n 1.123 saw (issue 14 item 11), each against the sandbox through the fake n8n:
// timeouts named as such, one 401 per expired token, TikTok's words for labels, tuning under Options,
// and TikTok's own problem text kept in the error.
import { classifyTransportError, TransportError, TUNING_OPTIONS, VirtualClock } from '@tokpipe/core';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { errorFromDetails } from '../nodes/shared/errors';
import { router } from '../nodes/TikTok/actions/router';
import { TikTok } from '../nodes/TikTok/TikTok.node';
import { CredentialStore, fakeExecute, NODE, type FakeExecuteOptions } from './fake-n8n';

let clock: VirtualClock;
let sb: Sandbox;
let openId: string;
let credentials: CredentialStore;
const properties = new TikTok().description.properties;

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

async function run(items: IDataObject[], o: Partial<FakeExecuteOptions> = {}) {
	const fake = fakeExecute({ items, credentials, properties, track: (w) => clock.track(w), ...o });
	const [out] = await router.call(fake.ctx, { clock, random: () => 0.5 });
	return { out, ...fake };
}

const video = (overrides: IDataObject = {}): IDataObject => ({
	resource: 'video',
	operation: 'post',
	source: 'url',
	videoUrl: `${sb.url}/media/sample.mp4`,
	title: 'polish #tokpipe',
	privacyLevel: 'SELF_ONLY',
	...overrides,
});

const statuses = (endpoint: string) => sb.admin.requests({ endpoint: endpoint as never }).map((r) => r.status);

test('a post request that times out says timeout and that TikTok may have the post; it is not sent again', async () => {
	// The 2 s request timeout below lasts 500 real ms: enough for every healthy request on a busy machine.
	credentials.timeScale = 0.25;
	sb.admin.script('video.init', [{ kind: 'timeout', processed: true }]);
	const { out } = await run([video({ options: { requestTimeoutSeconds: 2 } })], { continueOnFail: true });
	expect(out[0].json).toMatchObject({
		status: 'UNCONFIRMED',
		layer: 'transport',
		code: 'timeout',
		disposition: 'unknown_outcome',
	});
	expect(out[0].json.error).toContain(
		'TikTok did not answer within the request timeout after the post request was sent',
	);
	expect(out[0].json.error).toContain('may have created the post');
	expect(out[0].json.error).not.toContain('(other)');
	expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(1);
	expect(sb.admin.posts(openId)).toHaveLength(1); // TikTok did create it: the warning was true
});

test('the error n8n shows keeps our words: NodeApiError would swap a message naming ECONNABORTED for "The connection was aborted"', () => {
	const details = classifyTransportError(new TransportError('timeout', 'network error: ECONNABORTED', true), {
		endpoint: 'video_init',
	});
	const error = errorFromDetails(NODE, details, 0);
	expect(error.message).toBe(details.message);
	expect(error.message).toContain('TikTok did not answer within the request timeout');
	expect(error.message).not.toContain('perhaps the server is offline');
});

test('a timed-out status check (TikTok answered nothing) is retried, not reported as a connection failure', async () => {
	credentials.timeScale = 0.25;
	sb.admin.script('status', [{ kind: 'timeout' }]);
	const { out } = await run([video({ options: { requestTimeoutSeconds: 2 } })]);
	expect(out[0].json).toMatchObject({ status: 'PUBLISH_COMPLETE', done: true });
	expect(statuses('status')[0]).toBeNull(); // no reply to the first check
});

describe('an expired access token', () => {
	beforeEach(() => {
		credentials.data.accessToken = 'act.expired-long-ago'; // TikTok answers it with 401 access_token_invalid
	});

	test('costs one 401, one refresh, then the answer (creator info)', async () => {
		const { out } = await run([{ resource: 'creator', operation: 'getInfo' }]);
		expect(out[0].json).toMatchObject({ privacyLevelOptions: expect.arrayContaining(['SELF_ONLY']) });
		expect(statuses('creator_info')).toEqual([401, 200]);
		expect(credentials.refreshes).toBe(1);
		expect(statuses('oauth.token')).toEqual([200]);
		expect(credentials.data.accessToken).not.toBe('act.expired-long-ago'); // n8n saved the new one
	});

	test('a draft (no pre-flight: the init comes first) is posted once after one 401 and one refresh', async () => {
		credentials.data.openId = openId; // known already: no creator_info before the init
		const { out } = await run([video({ operation: 'uploadDraft', waitForCompletion: false })]);
		expect(out[0].json).toMatchObject({ status: 'ACCEPTED' });
		expect(statuses('inbox.init')).toEqual([401, 200]);
		expect(credentials.refreshes).toBe(1);
		expect(sb.admin.posts(openId)).toHaveLength(1);
	});
});

describe("labels in TikTok's words, with a hint", () => {
	const byName = (name: string) => properties.filter((p) => p.name === name);

	test('Title (not Caption) and Privacy Level (not Who Can View), each with a plain-words hint', () => {
		for (const p of byName('title'))
			expect(p).toMatchObject({ displayName: 'Title', hint: expect.stringContaining('caption') });
		for (const p of byName('privacyLevel'))
			expect(p).toMatchObject({ displayName: 'Privacy Level', hint: 'Who can view the post' });
		expect(byName('title').length).toBeGreaterThan(0);
		expect(byName('privacyLevel').length).toBeGreaterThan(0);
		const text = JSON.stringify(properties);
		expect(text).not.toContain('Caption');
		expect(text).not.toContain('Who Can View');
	});
});

describe('Options: request timeout, poll pace and wait limit', () => {
	const options = () => properties.find((p) => p.name === 'options')!.options as INodeProperties[];

	test("are offered with core's defaults and bounds", () => {
		for (const knob of TUNING_OPTIONS) {
			expect(options().find((o) => o.name === knob.name)).toMatchObject({
				displayName: knob.label,
				type: 'number',
				default: knob.default,
			});
		}
		expect(options().map((o) => o.name)).toEqual(
			expect.arrayContaining(['requestTimeoutSeconds', 'pollEverySeconds', 'maxWaitSeconds']),
		);
	});

	test('poll pace and wait limit decide when and how long TikTok is asked', async () => {
		sb.admin.setConfig({ processingDelayMs: 3 * 3_600_000 }); // stays PROCESSING_DOWNLOAD
		const started = clock.now();
		const { out } = await run([video({ options: { pollEverySeconds: 5, maxWaitSeconds: 30 } })], {
			continueOnFail: true,
		});
		expect(out[0].json).toMatchObject({ status: 'UNCONFIRMED', done: false, code: 'unconfirmed' });
		const checks = sb.admin.requests({ endpoint: 'status' }).map((r) => r.time - started);
		// Every 5 s (the pace caps the schedule's 10 s first wait), and nothing after the 30 s limit.
		expect(checks.length).toBeGreaterThanOrEqual(6);
		for (let i = 1; i < checks.length; i++) expect(checks[i]! - checks[i - 1]!).toBeLessThanOrEqual(5_000 + 50);
		expect(checks[checks.length - 1]!).toBeLessThanOrEqual(30_000 + 5_000);
	});
});

test("a refused post keeps TikTok's own problem text in the error the user sees", async () => {
	const refusal = {
		kind: 'error',
		status: 403,
		code: 'spam_risk_too_many_posts',
		message: 'You have posted too much today',
	} as const;
	sb.admin.script('video.init', [refusal]);
	const error = await run([video()]).then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(NodeApiError);
	const { message, description } = error as NodeApiError;
	expect(message).toContain('You have posted too much today');
	expect(description).toContain('problem: You have posted too much today');
	expect(description).toContain('code: spam_risk_too_many_posts');
});
