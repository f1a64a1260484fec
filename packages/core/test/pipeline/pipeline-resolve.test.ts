// Issue 14 item 2: an unknown outcome always has a way out. Reconciliation uses every signal TikTok
// gives (the ledger's publish_id, webhooks about a publish_id no job holds, the public video list
// within time bounds), says why a job is still open, and a person can settle it by hand.
import { Ledger } from '../../src/idempotency/ledger';
import { axiosTransport } from '../../src/node';
import { createPoster } from '../../src/poster';
import { TokenManager } from '../../src/tokens/manager';
import type { WebhookEvent } from '../../src/webhooks/events';
import { eventsOf, setup, videoJob, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const inits = (h: Harness) => h.sb.admin.requests({ endpoint: 'video.init' }).length;

test('a private post whose init reply was lost: not looked for in the public list, explained, then settled by hand', async () => {
  h = await setup({ accounts: [{ id: 'a' }] });
  const { pipeline, sb, clock } = h;
  sb.admin.script('video.init', [{ kind: 'reset', processed: true }]);
  const { job } = await pipeline.submit(videoJob(sb, { account: 'a', privacyLevel: 'SELF_ONLY' }));
  await pipeline.drain();
  await clock.advance(2 * 60_000);
  expect(await pipeline.reconcileOnce()).toEqual({ checked: 1, resolved: 0 });
  const open = pipeline.getJob(job.id)!;
  expect(open.state).toBe('unknown');
  expect(open.reconcileNote).toMatch(/posted as SELF_ONLY, and TikTok's video list shows public videos only/);
  expect(sb.admin.requests({ endpoint: 'video.list' })).toHaveLength(0); // no pointless lookups
  const why = pipeline.explain(open);
  expect(why).toMatch(/reply was lost .*may or may not have made the post, so it is never sent again automatically/);
  expect(why).toMatch(/Reconciliation keeps checking until \d{4}-\d\d-\d\dT/);

  // The person sees it in the TikTok app and settles it with its post id.
  const [post] = h.posts('a');
  const postId = post!.postIds[0]!;
  await expect(pipeline.resolve(job.id, { postId: '-1' })).rejects.toThrow(/1 to 19 digits/);
  const settled = await pipeline.resolve(job.id, { postId });
  expect(settled).toMatchObject({ state: 'published', postIds: [postId], resolvedByHand: true });
  expect(eventsOf(h.events, 'job_resolved')).toEqual([
    expect.objectContaining({ jobId: job.id, posted: true, postId }),
  ]);
  // The ledger agrees: the same post submitted through a poster would be answered, not sent.
  const entry = await new Ledger(h.store, clock).get(open.attemptKey!);
  expect(entry).toMatchObject({ state: 'final', status: 'PUBLISH_COMPLETE', postIds: [postId] });
  await expect(pipeline.resolve(job.id, { notPosted: true })).rejects.toThrow(/already published/);
  expect(inits(h)).toBe(1);
});

test('settled as not posted: the job is forgotten and the same post goes out once when submitted again', async () => {
  h = await setup({ accounts: [{ id: 'a' }] });
  const { pipeline, sb } = h;
  sb.admin.script('video.init', [{ kind: 'reset', processed: false }]); // TikTok never got it
  const spec = videoJob(sb, { account: 'a' });
  const { job } = await pipeline.submit(spec);
  await pipeline.drain();
  expect(pipeline.getJob(job.id)!.state).toBe('unknown');
  expect(pipeline.findJob(job.id.slice(0, 12))).toBe(pipeline.getJob(job.id));

  await pipeline.resolve(job.id, { notPosted: true });
  expect(pipeline.getJob(job.id)).toBeUndefined();
  const again = await pipeline.submit(spec);
  expect(again.created).toBe(true);
  await pipeline.drain();
  expect(pipeline.getJob(job.id)).toMatchObject({ state: 'published', attempts: 1 });
  expect(inits(h)).toBe(2);
  expect(h.posts('a')).toHaveLength(1);
});

test('a webhook about a publish_id no job holds settles the one unknown init on that account (a draft: never listed)', async () => {
  h = await setup({ accounts: [{ id: 'a' }], pipeline: { webhooks: true } });
  const { pipeline, sb, clock } = h;
  sb.admin.script('inbox.init', [{ kind: 'reset', processed: true }]);
  const { title: _t, privacyLevel: _p, ...video } = videoJob(sb, { account: 'a' });
  const { job } = await pipeline.submit({ ...video, mode: 'draft' as const });
  await pipeline.drain();
  expect(pipeline.getJob(job.id)!.state).toBe('unknown');
  await clock.advance(60_000);
  await pipeline.reconcileOnce();
  const note = pipeline.getJob(job.id)!.reconcileNote;
  expect(note).toMatch(/no webhook about an unclaimed publish_id.*; it went to the creator's inbox as a draft/);
  const [post] = h.posts('a');
  const event: WebhookEvent = {
    event: 'post.publish.inbox_delivered',
    rawEvent: 'post.publish.inbox_delivered',
    clientKey: sb.admin.demo().clientKey,
    createTime: Math.floor(clock.now() / 1000),
    openId: h.openIds.a!,
    content: { publish_id: post!.publishId, publish_type: 'INBOX_SHARE' },
    dedupeKey: 'e1',
  };
  expect(await pipeline.handleWebhook(event)).toBe(false); // no job holds it (yet)

  await pipeline.reconcileOnce();
  expect(pipeline.getJob(job.id)).toMatchObject({ state: 'delivered', publishId: post!.publishId });
  expect(sb.admin.requests({ endpoint: 'video.list' })).toHaveLength(0);
  expect(sb.admin.requests({ endpoint: 'inbox.init' })).toHaveLength(1);
});

test('a caption-less public post is found by time: the only caption-less video created just after the init', async () => {
  h = await setup({ accounts: [{ id: 'a' }] });
  const { pipeline, sb, clock } = h;
  sb.admin.script('video.init', [{ kind: 'reset', processed: true }]);
  const { title: _none, ...captionless } = videoJob(sb, { account: 'a' });
  const { job } = await pipeline.submit(captionless);
  await pipeline.drain();
  await clock.advance(2 * 60_000);
  await pipeline.reconcileOnce();
  const [post] = h.posts('a');
  expect(pipeline.getJob(job.id)).toMatchObject({ state: 'published', postIds: post!.publicPostIds });
  expect(inits(h)).toBe(1);
});

test('a webhook about another post made through the same store (its ledger holds the publish_id) is never claimed', async () => {
  h = await setup({ accounts: [{ id: 'a' }], pipeline: { webhooks: true } });
  const { pipeline, sb, clock, store } = h;
  sb.admin.script('inbox.init', [{ kind: 'reset', processed: false }]); // this job's init never reached TikTok
  const { title: _t, privacyLevel: _p, ...video } = videoJob(sb, { account: 'a' });
  const { job } = await pipeline.submit({ ...video, mode: 'draft' as const });
  await pipeline.drain();
  // Meanwhile a single post through a poster sharing the store's ledger (what `tokpipe post` does).
  const refresh = () => Promise.reject(new Error('no refresh here'));
  const poster = createPoster({
    baseUrl: sb.url,
    transport: clock.trackTransport(axiosTransport({ defaultTimeoutMs: 5_000 })),
    clock,
    store,
    auth: new TokenManager({ store: pipeline.accounts.tokenStore('a'), clock, refresh }),
  });
  const single = await poster.post({
    mode: 'draft',
    media: { type: 'video_url', url: `${sb.url}/media/sample.mp4?single` },
  });
  const event: WebhookEvent = {
    event: 'post.publish.inbox_delivered',
    rawEvent: 'post.publish.inbox_delivered',
    clientKey: sb.admin.demo().clientKey,
    createTime: Math.floor(clock.now() / 1000),
    openId: h.openIds.a!,
    content: { publish_id: single.publishId!, publish_type: 'INBOX_SHARE' },
    dedupeKey: 'e2',
  };
  await pipeline.handleWebhook(event);
  await pipeline.reconcileOnce();
  expect(pipeline.getJob(job.id)).toMatchObject({ state: 'unknown' });
  expect(pipeline.getJob(job.id)!.publishId).toBeUndefined();
  expect(pipeline.getJob(job.id)!.reconcileNote).toMatch(/no webhook about an unclaimed publish_id/);
});
