// The server in-process over the SDK's in-memory transport, on core's pipeline harness (a real
// sandbox sharing one VirtualClock): waiting for a status runs on the injected clock only, and the
// API key check accepts exactly the stored key.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { createPoster, pipelineService, TokenManager, type AccountRecord } from '@tokpipe/core';
import { axiosTransport } from '@tokpipe/core/node';
import { setup, type Harness } from '../../core/test/pipeline/harness';
import { apiKeyVerifier, createMcpServer, hashApiKey } from '../src';

let h: Harness;
let client: Client;

beforeAll(async () => {
  // TikTok takes 10 virtual minutes to process a post here: only a wait on the virtual clock can end.
  h = await setup({ accounts: [{ id: 'brand' }], sandbox: { processingDelayMs: 10 * 60_000 } });
  const transport = h.clock.trackTransport(axiosTransport({ defaultTimeoutMs: 5_000 }));
  const posterFor = (account: AccountRecord) =>
    createPoster({
      baseUrl: h.sb.url,
      transport,
      clock: h.clock,
      auth: new TokenManager({
        store: h.pipeline.accounts.tokenStore(account.id),
        clock: h.clock,
        refresh: () => Promise.reject(new Error('no refresh in this test')),
      }),
    });
  const server = createMcpServer({ backend: pipelineService({ pipeline: h.pipeline, clock: h.clock, posterFor }) });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  client = new Client({ name: 'in-process', version: '1' });
  await client.connect(clientSide);
});

afterAll(async () => {
  await client?.close();
  await h?.close();
});

const call = async (name: string, args: Record<string, unknown>, onprogress?: (p: Progress) => void) =>
  (await client.callTool({ name, arguments: args }, undefined, onprogress ? { onprogress } : {})) as CallToolResult;

test('get_post_status waits on the injected clock (progress, budget), stops at unconfirmed; reconcile settles it', async () => {
  const posted = (
    await call('post_video', { videoUrl: `${h.sb.url}/media/sample.mp4`, title: 'slow one', privacyLevel: 'SELF_ONLY' })
  ).structuredContent as { jobId: string };
  const started = h.clock.now();
  const progress: Progress[] = [];
  const waited = await call('get_post_status', { jobId: posted.jobId, wait: true, maxWaitSeconds: 90 }, (p) =>
    progress.push(p),
  );
  expect(waited.structuredContent).toMatchObject({ jobId: posted.jobId, state: 'accepted', final: false });
  const elapsed = h.clock.now() - started;
  expect(elapsed).toBeGreaterThanOrEqual(90_000); // virtual time: the test itself took no such thing
  expect(elapsed).toBeLessThan(10 * 60_000);
  expect(progress.length).toBeGreaterThanOrEqual(2);
  expect(h.inits('brand')).toBe(1);

  // Past the pipeline's 5-minute polling budget the job is parked as unconfirmed (waiting stops
  // there: nothing changes without reconciliation); once TikTok is done, reconcile settles it.
  const parked = await call('get_post_status', { jobId: posted.jobId, wait: true, maxWaitSeconds: 15 * 60 });
  expect(parked.structuredContent).toMatchObject({ state: 'unconfirmed', final: false });
  await h.clock.advance(10 * 60_000);
  const reconciled = await call('reconcile', {});
  expect(reconciled.structuredContent).toMatchObject({ checked: 1, resolved: 1, stillOpen: [] });
  const done = await call('get_post_status', { jobId: posted.jobId });
  expect(done.structuredContent).toMatchObject({ state: 'published', status: 'PUBLISH_COMPLETE', final: true });
  expect(h.inits('brand')).toBe(1);
});

test('the API key verifier accepts exactly the stored key and refuses a malformed hash', () => {
  const key = 'tpk_live_0123456789abcdef0123456789abcdef';
  const verify = apiKeyVerifier([hashApiKey('another-key-entirely-000000000000'), hashApiKey(key)]);
  expect(verify(key)).toBe(true);
  expect(verify(key.slice(0, -1))).toBe(false);
  expect(verify('')).toBe(false);
  expect(hashApiKey(key)).not.toContain(key);
  expect(() => apiKeyVerifier('md5:abc')).toThrow(/sha256/);
});
