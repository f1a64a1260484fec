// The TikTok node's "Tokpipe Server" connection in the fake n8n context: what it refuses before any request
// (naming the field), and a server that cannot be reached (core's transport error, the API key never shown).
// The whole path against a running `tokpipe serve` and a real n8n: test/e2e/n8n/server-mode.e2e.test.ts.
import { createServer } from 'node:net';
import type { IDataObject, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { router } from '../nodes/TikTok/actions/router';
import { TikTok } from '../nodes/TikTok/TikTok.node';
import { CredentialStore, fakeExecute, type HttpLogEntry } from './fake-n8n';

const properties = new TikTok().description.properties;
const API_KEY = `tpk_0123456789ab_${'f'.repeat(64)}`;

async function run(item: IDataObject, data: IDataObject = { serverUrl: 'http://127.0.0.1:9/', apiKey: API_KEY }) {
	const log: HttpLogEntry[] = [];
	const credentials = new CredentialStore(data as never);
	const fake = fakeExecute({ items: [{ authentication: 'tokpipeServer', ...item }], credentials, properties, log });
	const error = await router.call(fake.ctx, { clock: { now: () => 0, sleep: async () => {} } }).then(
		() => undefined,
		(e: NodeOperationError | NodeApiError) => e,
	);
	return { error, log };
}

const video = (extra: IDataObject = {}): IDataObject => ({
	resource: 'video',
	operation: 'post',
	source: 'url',
	videoUrl: 'https://cdn.example.com/v.mp4',
	title: 'via the server',
	privacyLevel: 'SELF_ONLY',
	...extra,
});

test('a video from binary data is refused naming videoFile, before any request', async () => {
	const { error, log } = await run(video({ source: 'binary', binaryPropertyName: 'data' }));
	expect(error?.name).toBe('NodeOperationError');
	expect(error?.message).toMatch(/^videoFile: cannot be sent to a tokpipe server/);
	expect(log).toEqual([]);
});

test('a missing privacy level is refused naming the field, before any request', async () => {
	const { error, log } = await run(video({ privacyLevel: '' }));
	expect(error?.name).toBe('NodeOperationError');
	expect(error?.message).toContain('privacyLevel');
	expect(log).toEqual([]);
});

test.each([
	[{ serverUrl: 'ftp://tokpipe.example.com', apiKey: API_KEY }, /^serverUrl: must start with https:\/\//],
	[{ serverUrl: 'https://tokpipe.example.com', apiKey: '' }, /^apiKey: is required/],
])('a bad credential (%o) is an error naming its field, before any request', async (data, message) => {
	const { error, log } = await run(video(), data);
	expect(error?.message).toMatch(message);
	expect(log).toEqual([]);
});

test('operations that need TikTok directly say so', async () => {
	const { error, log } = await run({ resource: 'post', operation: 'getStatus', publishId: 'v_pub_1' });
	expect(error?.message).toBe('The operation "post:getStatus" needs the TikTok Token (Direct) connection');
	expect(log).toEqual([]);
});

test('a server that does not answer: a NodeApiError with core classification, the API key nowhere', async () => {
	// A port that was free a moment ago: connection refused.
	const port = await new Promise<number>((resolve) => {
		const probe = createServer().listen(0, '127.0.0.1', () => {
			const { port: free } = probe.address() as { port: number };
			probe.close(() => resolve(free));
		});
	});
	const { error, log } = await run(video(), { serverUrl: `http://127.0.0.1:${port}`, apiKey: API_KEY });
	expect(log).toEqual([expect.objectContaining({ method: 'POST', url: `http://127.0.0.1:${port}/v1/posts` })]);
	expect(error?.name).toBe('NodeApiError');
	expect(error?.message).toContain('ECONNREFUSED');
	expect(JSON.stringify({ ...error, message: error?.message, description: error?.description })).not.toContain(API_KEY);
});
