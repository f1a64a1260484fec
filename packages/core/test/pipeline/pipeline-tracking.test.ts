// Status tracking after accept: unconfirmed posts handed to reconciliation, the stuck-processing
// alert, drafts (delivered, then published by the creator), error-rate alerts with the outgoing
// webhook, and authorization.removed. Against the real sandbox.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { sampleMp4, solidJpeg } from '@tokpipe/sandbox';
import type { AddressInfo } from 'node:net';
import { axiosTransport, fileByteSource } from '../../src/node';
import { parseWebhookEvent } from '../../src/webhooks/events';
import { eventsOf, setup, until, videoJob, type Harness } from './harness';

let h: Harness | undefined;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const c of cleanups.splice(0)) await c();
});

/** Feeds every webhook the sandbox has produced so far to the pipeline (as a receiver would). */
async function deliverWebhooks(harness: Harness, seen: Set<number>): Promise<number> {
  await harness.sb.admin.runDueWork();
  let n = 0;
  for (const d of harness.sb.admin.webhooks()) {
    if (seen.has(d.id)) continue;
    seen.add(d.id);
    if (await harness.pipeline.handleWebhook(parseWebhookEvent(d.body))) n++;
  }
  return n;
}

test('a post still processing after the polling budget is unconfirmed, alerted after 10 min, and settled by reconciliation', async () => {
  h = await setup({ accounts: [{ id: 'a' }], sandbox: { processingDelayMs: 30 * 60_000 } });
  const { pipeline, sb, clock } = h;
  const { job } = await pipeline.submit(videoJob(sb, { account: 'a' }));
  await pipeline.drain();
  expect(pipeline.getJob(job.id)!.state).toBe('unconfirmed');
  expect(eventsOf(h.events, 'job_unconfirmed')).toHaveLength(1);
  const polls = sb.admin.requests({ endpoint: 'status' }).length;
  expect(polls).toBeGreaterThanOrEqual(3); // 10 s, 40 s, 100 s, 220 s...
  expect(polls).toBeLessThanOrEqual(6); // ...and nothing after the 5-min budget

  await clock.advance(10 * 60_000);
  await pipeline.reconcileOnce();
  const stuck = eventsOf(h.events, 'alert').filter((e) => e.alert.kind === 'stuck_processing');
  expect(stuck).toHaveLength(1);
  expect(stuck[0]!.alert).toMatchObject({ account: 'a', jobId: job.id });
  await pipeline.reconcileOnce();
  expect(eventsOf(h.events, 'alert').filter((e) => e.alert.kind === 'stuck_processing')).toHaveLength(1); // once per job

  await clock.advance(30 * 60_000);
  expect(await pipeline.reconcileOnce()).toEqual({ checked: 1, resolved: 1 });
  expect(pipeline.getJob(job.id)!.state).toBe('published');
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(1);
});

test('drafts: delivered to the inbox counts as done, the pending-draft cap holds the rest, and the creator posting it upgrades the job', async () => {
  h = await setup({ accounts: [{ id: 'a', caps: { draftsPer24h: 2 } }] });
  const { pipeline, sb } = h;
  // Inbox uploads take no caption: distinct idempotency keys make them distinct jobs.
  const drafts = await pipeline.submitMany(
    ['d1', 'd2', 'd3'].map((key) =>
      videoJob(sb, { account: 'a', mode: 'draft', privacyLevel: undefined, title: undefined, idempotencyKey: key }),
    ),
  );
  await pipeline.drain();
  expect(sb.admin.requests({ endpoint: 'inbox.init' })).toHaveLength(2);
  expect(pipeline.listJobs().map((j) => j.state)).toEqual(['delivered', 'delivered', 'deferred']);
  expect(eventsOf(h.events, 'job_delivered')).toHaveLength(2);

  const first = pipeline.getJob(drafts[0]!.job.id)!;
  sb.admin.publishDraft(first.publishId!);
  const seen = new Set<number>();
  await deliverWebhooks(h, seen);
  expect(pipeline.getJob(first.id)!.state).toBe('published');
  // post.publish.publicly_available (after moderation) brings the post id.
  await h.clock.advance(60_000);
  await deliverWebhooks(h, seen);
  expect(pipeline.getJob(first.id)!.postIds).toHaveLength(1);
  expect(pipeline.getJob(first.id)!.postIds).toEqual(
    h.posts('a').find((p) => p.publishId === first.publishId)!.postIds,
  );
  expect(pipeline.report()[0]).toMatchObject({ published: 1, delivered: 1, pending: 1 });
});

test('alerts: an account whose attempts keep failing raises error-rate and code-spike alerts, as events and through the outgoing webhook', async () => {
  const bodies: unknown[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(raw));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const alertUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
  const logLines: string[] = [];

  h = await setup({
    accounts: [{ id: 'a' }],
    pipeline: {
      logger: (level, message) => logLines.push(`${level} ${message}`),
      maxRetries: 0,
      breaker: { failureThreshold: 10 },
      alerts: {
        minSamples: 2,
        accountRateThreshold: 0.5,
        codeSpikeThreshold: 2,
        webhookUrl: alertUrl,
        transport: axiosTransport(),
      },
    },
  });
  const { pipeline, sb } = h;
  sb.admin.script('video.init', [
    { kind: 'server_error', status: 500, body: 'json' },
    { kind: 'server_error', status: 500, body: 'json' },
  ]);
  await pipeline.submitMany([videoJob(sb, { account: 'a' }), videoJob(sb, { account: 'a' })]);
  await pipeline.drain();
  await until(() => bodies.length >= 2, 'alert webhooks');

  const alerts = eventsOf(h.events, 'alert').map((e) => e.alert);
  expect(alerts.map((a) => a.kind).sort()).toEqual(['error_code_spike', 'error_rate_high']);
  expect(alerts.find((a) => a.kind === 'error_rate_high')).toMatchObject({ account: 'a', rate: 1, count: 2 });
  expect(alerts.find((a) => a.kind === 'error_code_spike')).toMatchObject({ code: 'internal_error', count: 2 });
  expect(bodies).toEqual(
    expect.arrayContaining([expect.objectContaining({ source: 'tokpipe', kind: 'error_rate_high', account: 'a' })]),
  );
  expect((await pipeline.dlq.list()).map((d) => d.error.code)).toEqual(['retries_exhausted', 'retries_exhausted']);
  expect(
    logLines.filter((l) => l.startsWith('warn alert error_rate_high: account a: 2 of 2 attempts failed')),
  ).toHaveLength(1);
  const token = (await pipeline.accounts.getToken('a'))!.access_token;
  expect(logLines.join('\n')).not.toContain(token);
});

test('authorization.removed by webhook marks the account; routed jobs go elsewhere without touching it', async () => {
  h = await setup({ accounts: [{ id: 'gone' }, { id: 'ok' }] });
  const { pipeline, sb } = h;
  sb.admin.removeAuthorization(h.openIds.gone!, 1);
  expect(await deliverWebhooks(h, new Set())).toBe(1);
  expect(pipeline.accounts.get('gone')!.status).toBe('needs_reauth');
  expect(eventsOf(h.events, 'account_status')).toEqual([
    expect.objectContaining({ account: 'gone', status: 'needs_reauth' }),
  ]);

  await pipeline.submitMany([videoJob(sb), videoJob(sb)]);
  await pipeline.drain();
  expect(h.posts('ok')).toHaveLength(2);
  expect(sb.admin.requests({ openId: h.openIds.gone })).toHaveLength(0);
  expect(pipeline.health().find((a) => a.account === 'gone')).toMatchObject({ status: 'needs_reauth', score: 0 });

  // The creator connects again: a fresh token, the account reactivated, and it posts.
  const token = sb.admin.issueToken(h.openIds.gone!);
  await pipeline.accounts.setToken('gone', {
    access_token: token.accessToken,
    refresh_token: token.refreshToken,
    expires_at: h.clock.now() + token.expiresIn * 1000,
    scope: token.scope,
    open_id: h.openIds.gone!,
  });
  await pipeline.reactivateAccount('gone');
  const { job } = await pipeline.submit(videoJob(sb, { account: 'gone' }));
  await pipeline.drain();
  expect(pipeline.getJob(job.id)!.state).toBe('published');
  expect(h.posts('gone')).toHaveLength(1);
});

test('a bad job is refused at submit with the field named, before any request', async () => {
  h = await setup({ accounts: [{ id: 'a' }] });
  const { pipeline, sb } = h;
  const before = sb.admin.requests().length;
  await expect(
    pipeline.submitMany([videoJob(sb), videoJob(sb, { mode: 'draft', title: 'captions are not allowed on drafts' })]),
  ).rejects.toThrow(/^jobs\[1\]\.title: does not apply to draft/);
  await expect(pipeline.submit(videoJob(sb, { account: 'nobody' }))).rejects.toThrow(
    /^job\.account: no account named "nobody"/,
  );
  await expect(
    pipeline.submit({ ...videoJob(sb), media: { type: 'video_url', url: 'ftp://x/y.mp4' } }),
  ).rejects.toMatchObject({ details: { field: 'job.media.url' } });
  expect(pipeline.listJobs()).toHaveLength(0);
  await expect(pipeline.accounts.add({ id: 'x', caps: { directPerDay: -1 } })).rejects.toThrow(
    /^caps\.directPerDay: must be a whole number/,
  );
  await expect(pipeline.accounts.add({ id: 'bad id!' })).rejects.toMatchObject({ details: { field: 'account.id' } });
  expect(pipeline.accounts.list().map((a) => a.id)).toEqual(['a']);
  expect(sb.admin.requests().length).toBe(before);
});

test('video files: uploaded from disk (FILE_UPLOAD); a file that cannot be opened is dead-lettered before any request', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokpipe-files-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const clip = path.join(dir, 'clip.mp4');
  fs.writeFileSync(clip, sampleMp4(360, 640, 30, new Array(30).fill(solidJpeg(360, 640, [10, 200, 30]))));
  h = await setup({ accounts: [{ id: 'a' }], pipeline: { openFile: (p) => fileByteSource(p) } });
  const { pipeline, sb } = h;
  const { job } = await pipeline.submit({
    ...videoJob(sb, { account: 'a' }),
    media: { type: 'video_file', path: clip },
  });
  const { job: missing } = await pipeline.submit({
    ...videoJob(sb, { account: 'a' }),
    media: { type: 'video_file', path: path.join(dir, 'nope.mp4') },
  });
  await pipeline.drain();

  expect(pipeline.getJob(job.id)!.state).toBe('published');
  const [post] = h.posts('a');
  expect(post).toMatchObject({
    source: 'FILE_UPLOAD',
    videoSize: fs.statSync(clip).size,
    uploadedBytes: fs.statSync(clip).size,
  });
  expect((await pipeline.dlq.show(missing.id))!.error).toMatchObject({
    layer: 'input',
    field: expect.any(String),
    disposition: 'fix_input',
    message: expect.stringContaining('nope.mp4'),
  });
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(1);
});

test('scopes: a draft pinned to an account without video.upload is refused before any init, and the account keeps its direct posts', async () => {
  h = await setup({ accounts: [{ id: 'direct-only', scopes: ['user.info.basic', 'video.list', 'video.publish'] }] });
  const { pipeline, sb } = h;
  const [draft, direct] = await pipeline.submitMany([
    videoJob(sb, {
      account: 'direct-only',
      mode: 'draft',
      privacyLevel: undefined,
      title: undefined,
      idempotencyKey: 'draft-no-scope',
    }),
    videoJob(sb, { account: 'direct-only' }),
  ]);
  await pipeline.drain();
  expect((await pipeline.dlq.show(draft!.job.id))!.error).toMatchObject({
    code: 'missing_scope',
    disposition: 'reauthorize',
  });
  expect(pipeline.getJob(direct!.job.id)!.state).toBe('published');
  expect(pipeline.accounts.get('direct-only')!.status).toBe('active');
  expect(sb.admin.requests({ endpoint: 'inbox.init' })).toHaveLength(0);
});
