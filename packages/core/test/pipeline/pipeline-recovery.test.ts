// DLQ, async FAILED re-posts, reconciliation of unknown outcomes, webhook-driven updates and restart
// from the store, against the real sandbox. Counts what reached it.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { FileStore } from '../../src/node/file-store';
import { parseWebhookEvent } from '../../src/webhooks/events';
import { verifyTikTokSignature } from '../../src/webhooks/signature';
import { VirtualClock } from '../../src/clock';
import type { Transport } from '../../src/ports';
import { eventsOf, setup, until, videoJob, type Harness } from './harness';

let h: Harness | undefined;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const c of cleanups.splice(0)) await c();
});

test('DLQ: a content failure is dead-lettered with its classification and redacted raw error; replay posts it once', async () => {
  h = await setup({ accounts: [{ id: 'a' }] });
  const { pipeline, sb } = h;
  sb.admin.script('video.init', [
    { kind: 'error', status: 403, code: 'url_ownership_unverified', message: 'domain not verified' },
  ]);
  const { job } = await pipeline.submit(videoJob(sb, { account: 'a' }));
  await pipeline.drain();

  const [entry] = await pipeline.dlq.list();
  expect(entry).toMatchObject({ jobId: job.id, account: 'a', attempts: 1 });
  expect(entry!.error).toMatchObject({
    code: 'url_ownership_unverified',
    disposition: 'needs_human',
    category: 'needs_human',
    retryable: false,
    httpStatus: 403,
  });
  expect(entry!.error.logId).toEqual(expect.any(String));
  expect(await pipeline.dlq.show(job.id)).toEqual(entry);
  const token = (await pipeline.accounts.getToken('a'))!.access_token;
  const everything = JSON.stringify([entry, h.events]);
  expect(everything).not.toContain(token);
  expect(eventsOf(h.events, 'job_dead_lettered')).toHaveLength(1);
  expect(pipeline.report()[0]).toMatchObject({ account: 'a', failed: 1, inDlq: 1, published: 0 });

  await pipeline.dlq.replay(job.id);
  await pipeline.drain();
  expect(pipeline.getJob(job.id)!.state).toBe('published');
  expect(await pipeline.dlq.list()).toEqual([]);
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(2);
  expect(h.posts('a')).toHaveLength(1);
  await expect(pipeline.dlq.replay(job.id)).rejects.toThrow(/no dead-lettered job/);
});

test('async FAILED with a retryable reason is re-posted (3 posts at most); a content fail_reason is not', async () => {
  h = await setup({ accounts: [{ id: 'a' }] });
  const { pipeline, sb } = h;
  sb.admin.script('video.init', [
    { kind: 'async_fail', failReason: 'internal' },
    { kind: 'none' },
    { kind: 'async_fail', failReason: 'spam_risk_text' },
  ]);
  const { job: retried } = await pipeline.submit(videoJob(sb, { account: 'a' }));
  await pipeline.drain();
  expect(pipeline.getJob(retried.id)).toMatchObject({ state: 'published', generation: 1 });
  expect(h.posts('a').map((p) => p.status)).toEqual(['FAILED', 'PUBLISH_COMPLETE']);

  const { job: spam } = await pipeline.submit(videoJob(sb, { account: 'a' }));
  await pipeline.drain();
  expect(pipeline.getJob(spam.id)!.state).toBe('dead');
  expect((await pipeline.dlq.show(spam.id))!.error).toMatchObject({
    failReason: 'spam_risk_text',
    disposition: 'fix_input',
  });
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(3);
});

test('a FAILED status answered after the job was already re-posted does not re-post it again (late poll reply)', async () => {
  // The race the chaos soak found: a status poll for the first publish is in flight when a webhook
  // reports that publish FAILED; the job is re-posted; then the poll's answer (FAILED, about the
  // first publish_id) arrives. It must change nothing: the second publish is the job's now.
  let holdStatus: Promise<void> | undefined;
  let statusHeld: (() => void) | undefined;
  const gate: (t: Transport) => Transport = (t) => async (request) => {
    if (request.url.includes('/status/fetch/') && holdStatus) await holdStatus;
    return t(request);
  };
  h = await setup({
    accounts: [{ id: 'a' }],
    wrapTransport: gate,
    sandbox: { webhookUrl: 'http://127.0.0.1:9/unused' },
  });
  const { pipeline, sb, clock } = h;
  sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'internal' }]);
  holdStatus = new Promise<void>((resolve) => (statusHeld = resolve));
  const { job } = await pipeline.submit(videoJob(sb, { account: 'a' }));
  await until(() => pipeline.getJob(job.id)!.state === 'accepted', 'first publish accepted');
  const first = pipeline.getJob(job.id)!.publishId!;
  // The first poll (10 s after accept) is now waiting at the gate; TikTok has failed the publish.
  await clock.advance(15_000);
  await sb.admin.runDueWork();
  const failed = sb.admin.webhooks().find((d) => d.body.includes('post.publish.failed') && d.body.includes(first));
  expect(failed).toBeDefined();
  expect(await pipeline.handleWebhook(parseWebhookEvent(failed!.body))).toBe(true);
  await clock.advance(120_000); // the re-post's backoff
  await until(() => sb.admin.requests({ endpoint: 'video.init' }).length === 2, 'the re-post');
  await until(
    () => pipeline.getJob(job.id)!.state === 'accepted' && pipeline.getJob(job.id)!.publishId !== first,
    're-post accepted',
  );

  statusHeld!(); // the late answer about the first publish: FAILED
  holdStatus = undefined;
  // The new publish is tracked (its poll was held too, behind the old one) and finishes the job.
  await pipeline.drain();
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(2);
  expect(pipeline.getJob(job.id)).toMatchObject({ state: 'published', generation: 1 });
  expect(h.posts('a').filter((p) => p.status === 'PUBLISH_COMPLETE')).toHaveLength(1);
});

test('unknown outcome: an init whose reply was lost is never re-sent; reconciliation finds the post in the video list', async () => {
  h = await setup({ accounts: [{ id: 'a' }] });
  const { pipeline, sb, clock } = h;
  sb.admin.script('video.init', [{ kind: 'reset', processed: true }]);
  const { job } = await pipeline.submit(videoJob(sb, { account: 'a' }));
  await pipeline.drain();
  expect(pipeline.getJob(job.id)!.state).toBe('unknown');
  expect(eventsOf(h.events, 'job_unknown_outcome')).toHaveLength(1);

  await clock.advance(2 * 60_000); // TikTok finishes the post it did receive
  const result = await pipeline.reconcileOnce();
  expect(result).toEqual({ checked: 1, resolved: 1 });
  const posts = h.posts('a');
  expect(posts).toHaveLength(1);
  expect(pipeline.getJob(job.id)).toMatchObject({ state: 'published', postIds: posts[0]!.publicPostIds });
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(1);
});

test('reconciliation runs by itself every 15 min (configurable) once started', async () => {
  h = await setup({ accounts: [{ id: 'a' }], pipeline: { reconcile: { everyMs: 15 * 60_000 } } });
  const { pipeline, sb } = h;
  sb.admin.script('video.init', [{ kind: 'reset', processed: true }]);
  await pipeline.submit(videoJob(sb, { account: 'a' }));
  await pipeline.drain();
  const lostAt = sb.admin.requests({ endpoint: 'video.init' })[0]!.time;
  // On an auto-advancing virtual clock an idle periodic loop would spin forever: stop it from the event.
  const found = new Promise<void>((resolve) =>
    pipeline.on((e) => {
      if (e.type === 'job_published') {
        pipeline.stop();
        resolve();
      }
    }),
  );
  pipeline.startReconciliation();
  await found;
  const lookups = sb.admin.requests({ endpoint: 'video.list' });
  expect(lookups).toHaveLength(1);
  expect(lookups[0]!.time - lostAt).toBeGreaterThanOrEqual(15 * 60_000);
  expect(lookups[0]!.time - lostAt).toBeLessThan(16 * 60_000);
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(1);
});

test('unknown outcome: a post that never appears is dead-lettered as unknown_outcome after 72 h, and only a forced replay posts it', async () => {
  h = await setup({ accounts: [{ id: 'a' }] });
  const { pipeline, sb, clock } = h;
  sb.admin.script('video.init', [{ kind: 'reset', processed: false }]);
  const { job } = await pipeline.submit(videoJob(sb, { account: 'a' }));
  await pipeline.drain();
  expect(pipeline.getJob(job.id)!.state).toBe('unknown');

  await clock.advance(60 * 60_000);
  await pipeline.reconcileOnce();
  expect(pipeline.getJob(job.id)!.state).toBe('unknown'); // still inside the window
  await clock.advance(72 * 60 * 60_000);
  await pipeline.reconcileOnce();
  expect(pipeline.getJob(job.id)!.state).toBe('dead');
  expect((await pipeline.dlq.show(job.id))!.error).toMatchObject({
    code: 'unknown_outcome',
    disposition: 'unknown_outcome',
  });
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(1);

  await expect(pipeline.dlq.replay(job.id)).rejects.toThrow(/may already be posted/);
  await pipeline.dlq.replay(job.id, { force: true });
  await pipeline.drain();
  expect(pipeline.getJob(job.id)!.state).toBe('published');
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(2);
  expect(h.posts('a')).toHaveLength(1);
});

test('webhooks: verified events finish jobs without any status polling', async () => {
  const clock = new VirtualClock({ autoAdvance: false });
  const received: string[] = [];
  let onEvent: (raw: string, signature: string | undefined) => Promise<void> = async () => undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      onEvent(raw, req.headers['tiktok-signature'] as string | undefined)
        .then(() => res.writeHead(200).end())
        .catch(() => res.writeHead(401).end());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tiktok`;

  h = await setup({ clock, accounts: [{ id: 'a' }], sandbox: { webhookUrl: url }, pipeline: { webhooks: true } });
  const { pipeline, sb } = h;
  const secret = sb.admin.demo().clientSecret;
  onEvent = async (raw, signature) => {
    const check = verifyTikTokSignature({ header: signature, rawBody: raw, secret, now: clock.now() });
    if (!check.ok) throw new Error(check.reason);
    received.push(raw);
    await pipeline.handleWebhook(parseWebhookEvent(raw));
  };

  const { job } = await pipeline.submit(videoJob(sb, { account: 'a' }));
  await until(() => pipeline.getJob(job.id)!.state === 'accepted', 'init');
  await clock.advance(60_000); // well inside the 5-min polling budget
  await sb.admin.runDueWork();
  await until(() => pipeline.getJob(job.id)!.state === 'published', 'webhook');

  expect(received.length).toBeGreaterThan(0);
  expect(sb.admin.requests({ endpoint: 'status' })).toHaveLength(0);
  expect(pipeline.getJob(job.id)!.postIds).toEqual(h.posts('a')[0]!.publicPostIds);
  // A redelivery changes nothing.
  const before = JSON.stringify(pipeline.getJob(job.id));
  for (const raw of received) await pipeline.handleWebhook(parseWebhookEvent(raw));
  expect(JSON.stringify(pipeline.getJob(job.id))).toBe(before);
});

test('restart: after a crash with one init in flight and one post being tracked, nothing is lost and nothing is posted twice', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokpipe-restart-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'tokpipe.db');
  const store1 = FileStore.open(file);
  let initsSeen = 0;
  // The process "dies" during the 2nd init: the request reaches TikTok, the reply never comes back.
  const dyingOnSecondInit =
    (t: Transport): Transport =>
    async (req) => {
      const isInit = req.url.includes('/v2/post/publish/video/init/');
      const res = await t(req);
      if (isInit && ++initsSeen === 2) return new Promise(() => undefined);
      return res;
    };
  h = await setup({ accounts: [{ id: 'a' }], store: store1, wrapTransport: dyingOnSecondInit });
  const { sb, clock } = h;
  const specs = [videoJob(sb, { account: 'a' }), videoJob(sb, { account: 'a' }), videoJob(sb, { account: 'a' })];
  const submitted = await h.pipeline.submitMany(specs);
  await until(
    () => h!.posts('a').length === 2 && submitted.some((s) => s.job.state === 'accepted'),
    'second init to reach the sandbox',
  );

  // kill -9: the old pipeline is gone; only what reached the file counts.
  h.pipeline.stop();
  store1.close();
  const store2 = FileStore.open(file);
  cleanups.push(() => store2.close());
  const revived = await h.reopen(store2);
  // What the file held at the crash: one tracked post, one init in flight, one not started.
  expect(revived.listJobs().map((j) => j.state)).toEqual(['accepted', 'posting', 'queued']);
  // The campaign is submitted again, as a user re-running the same file would.
  expect((await revived.submitMany(specs)).map((r) => r.created)).toEqual([false, false, false]);
  await revived.drain();
  await clock.advance(2 * 60_000);
  await revived.reconcileOnce();

  expect(revived.listJobs().map((j) => j.state)).toEqual(['published', 'published', 'published']);
  // The interrupted init was resolved by reconciliation (ledger intent, then the video list), not re-sent.
  expect(eventsOf(h.events, 'job_unknown_outcome').map((e) => e.jobId)).toEqual([submitted[1]!.job.id]);
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(3);
  const titles = h
    .posts('a')
    .map((p) => p.title)
    .sort();
  expect(titles).toEqual(specs.map((s) => s.title).sort());
});

test('restart: a crash after the job was marked posting but before the poster recorded its intent posts it normally, once', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokpipe-restart-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'tokpipe.db');
  const store1 = FileStore.open(file);
  // The process dies inside posterFor's post(), before the real poster ran: nothing reached TikTok.
  h = await setup({
    accounts: [{ id: 'a' }],
    store: store1,
    pipeline: {
      posterFor: () => ({ post: () => new Promise(() => undefined), status: () => new Promise(() => undefined) }),
    },
  });
  const { sb } = h;
  const spec = videoJob(sb, { account: 'a' });
  const { job } = await h.pipeline.submit(spec);
  await until(() => h!.pipeline.getJob(job.id)!.state === 'posting', 'posting');
  h.pipeline.stop();
  store1.close();

  const store2 = FileStore.open(file);
  cleanups.push(() => store2.close());
  const revived = await h.reopen(store2);
  await revived.drain();
  expect(eventsOf(h.events, 'job_requeued').map((e) => e.reason)).toEqual(['interrupted before the init was sent']);
  expect(revived.getJob(job.id)!.state).toBe('published');
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(1);
});

test('shutdown (Ctrl-C): the init in flight finishes and is written, the rest stays queued; a restart posts the rest once', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokpipe-shutdown-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'tokpipe.db');
  const store1 = FileStore.open(file);
  h = await setup({ accounts: [{ id: 'a' }], store: store1 });
  const { sb } = h;
  const specs = [videoJob(sb, { account: 'a' }), videoJob(sb, { account: 'a' })];
  let stopping: Promise<void> | undefined;
  h.pipeline.on((e) => {
    if (e.type === 'attempt_started' && !stopping) stopping = h!.pipeline.shutdown();
  });
  await h.pipeline.submitMany(specs);
  await until(() => stopping !== undefined, 'first attempt');
  await stopping;
  expect(h.pipeline.listJobs().map((j) => j.state)).toEqual(['accepted', 'queued']);
  store1.close();

  const store2 = FileStore.open(file);
  cleanups.push(() => store2.close());
  const revived = await h.reopen(store2);
  await revived.drain();
  expect(revived.listJobs().map((j) => j.state)).toEqual(['published', 'published']);
  expect(eventsOf(h.events, 'job_unknown_outcome')).toHaveLength(0);
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(2);
});
