// Reconciliation of unknown-outcome inits when captions repeat on one account, against the real sandbox.
// The video list ties a post to a job only by caption and time, so a job must never claim a video that
// another job holds or may own: a wrong claim tells the user a post is live that was never made.
import { VirtualClock } from '../../src/clock';
import { eventsOf, setup, until, videoJob, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

// Rows of one campaign differ by their idempotency key (the same spec twice would be the same job).
const CAPTION = 'spring drop #tokpipe';

/** B's init reply is lost (`lostInit`); 10 min later A, same caption, is accepted and made public by
 * TikTok before we learn its status (webhook mode: no polling until the end of the 5-min budget).
 * Returns with B unknown and A accepted, its video public, its post id not yet known to us. */
async function lostInitThenTwinProcessing(lostInit: { kind: 'reset' | 'timeout'; processed: boolean }) {
  const clock = new VirtualClock({ autoAdvance: true });
  h = await setup({ clock, accounts: [{ id: 'a' }], pipeline: { webhooks: true } });
  const { pipeline, sb } = h;
  sb.admin.script('video.init', [lostInit]);
  const { job: lost } = await pipeline.submit(
    videoJob(sb, { account: 'a', title: CAPTION, idempotencyKey: 'row-lost' }),
  );
  await pipeline.drain();
  expect(pipeline.getJob(lost.id)!.state).toBe('unknown');

  // Time now moves only when the test says so.
  clock.setAutoAdvance(false);
  await clock.advance(10 * 60_000);
  const { job: twin } = await pipeline.submit(
    videoJob(sb, { account: 'a', title: CAPTION, idempotencyKey: 'row-twin' }),
  );
  await until(() => pipeline.getJob(twin.id)!.state === 'accepted', 'twin accepted');
  await clock.advance(2 * 60_000);
  const twinPost = h.posts('a').find((p) => p.publishId === pipeline.getJob(twin.id)!.publishId)!;
  expect(twinPost.publicPostIds).toHaveLength(1);
  expect(sb.admin.requests({ endpoint: 'status' })).toHaveLength(0);
  return { pipeline, sb, clock, lost, twin, twinPostIds: twinPost.publicPostIds };
}

test('a lost init that created nothing never claims the post of a same-caption job still being tracked; it is dead-lettered after 72 h saying why', async () => {
  const { pipeline, sb, clock, lost, twin, twinPostIds } = await lostInitThenTwinProcessing({
    kind: 'reset',
    processed: false,
  });

  await pipeline.reconcileOnce();
  expect(pipeline.getJob(lost.id)).toMatchObject({ state: 'unknown', postIds: [] });
  expect(pipeline.getJob(lost.id)!.reconcileNote).toMatch(new RegExp(`job ${twin.id} \\(accepted\\).*same caption`));

  clock.setAutoAdvance(true);
  await pipeline.drain();
  expect(pipeline.getJob(twin.id)).toMatchObject({ state: 'published', postIds: twinPostIds });

  await pipeline.reconcileOnce(); // the twin's post is now held: nothing left for the lost job
  expect(pipeline.getJob(lost.id)).toMatchObject({ state: 'unknown', postIds: [] });
  await clock.advance(72 * 60 * 60_000);
  await pipeline.reconcileOnce();
  expect(pipeline.getJob(lost.id)!.state).toBe('dead');
  const letter = await pipeline.dlq.show(lost.id);
  expect(letter!.error).toMatchObject({ code: 'unknown_outcome', disposition: 'unknown_outcome' });
  expect(letter!.error.message).toMatch(/no unclaimed public video on a has its caption/);

  // What the user is told: one post published, and it is the twin's.
  expect(eventsOf(h!.events, 'job_published').map((e) => [e.jobId, e.postIds])).toEqual([[twin.id, twinPostIds]]);
  expect(h!.posts('a')).toHaveLength(1);
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(2);
});

test("a lost init that did post is matched to its own video, not the twin's, once the twin holds its post id", async () => {
  const { pipeline, sb, clock, lost, twin, twinPostIds } = await lostInitThenTwinProcessing({
    kind: 'timeout',
    processed: true,
  });
  const lostPostIds = h!.posts('a').find((p) => p.publishId !== pipeline.getJob(twin.id)!.publishId)!.publicPostIds;
  expect(lostPostIds).toHaveLength(1);

  await pipeline.reconcileOnce(); // two unclaimed videos with the caption: no guess
  expect(pipeline.getJob(lost.id)).toMatchObject({ state: 'unknown', postIds: [] });
  expect(pipeline.getJob(lost.id)!.reconcileNote).toMatch(/2 unclaimed public videos on a have its caption/);

  clock.setAutoAdvance(true);
  await pipeline.drain();
  expect(pipeline.getJob(twin.id)).toMatchObject({ state: 'published', postIds: twinPostIds });
  expect(await pipeline.reconcileOnce()).toEqual({ checked: 1, resolved: 1 });
  expect(pipeline.getJob(lost.id)).toMatchObject({
    state: 'published',
    postIds: lostPostIds,
    reconcileNote: undefined,
  });
  expect(lostPostIds).not.toEqual(twinPostIds);
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(2);
});

test('the post of a same-caption job published earlier is never claimed; the lost init finds its own video', async () => {
  h = await setup({ accounts: [{ id: 'a' }] });
  const { pipeline, sb, clock } = h;
  const { job: first } = await pipeline.submit(videoJob(sb, { account: 'a', title: CAPTION, idempotencyKey: 'row-1' }));
  await pipeline.drain();
  expect(pipeline.getJob(first.id)!.state).toBe('published');

  sb.admin.script('video.init', [{ kind: 'reset', processed: true }]);
  const { job: lost } = await pipeline.submit(videoJob(sb, { account: 'a', title: CAPTION, idempotencyKey: 'row-2' }));
  await pipeline.drain();
  expect(pipeline.getJob(lost.id)!.state).toBe('unknown');
  await clock.advance(2 * 60_000);
  expect(await pipeline.reconcileOnce()).toEqual({ checked: 1, resolved: 1 });

  // TikTok said PUBLISH_COMPLETE before moderation made the first post public: its id was learnt now.
  const postOf = (publishId: string | undefined) => h!.posts('a').find((p) => p.publishId === publishId)!;
  const firstPost = postOf(pipeline.getJob(first.id)!.publishId);
  const lostPost = h.posts('a').find((p) => p.publishId !== firstPost.publishId)!;
  expect(pipeline.getJob(first.id)!.postIds).toEqual(firstPost.publicPostIds);
  expect(pipeline.getJob(lost.id)).toMatchObject({ state: 'published', postIds: lostPost.publicPostIds });
  expect(h.posts('a')).toHaveLength(2);
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(2);
});

test('after a restart, a lost init that created nothing never claims an earlier same-caption post published before it was public (its id is learnt first)', async () => {
  h = await setup({ accounts: [{ id: 'a' }] });
  const { pipeline, sb, clock, store } = h;
  const { job: first } = await pipeline.submit(videoJob(sb, { account: 'a', title: CAPTION, idempotencyKey: 'row-1' }));
  await pipeline.drain();
  sb.admin.script('video.init', [{ kind: 'reset', processed: false }]);
  const { job: lost } = await pipeline.submit(videoJob(sb, { account: 'a', title: CAPTION, idempotencyKey: 'row-2' }));
  await pipeline.drain();
  await clock.advance(2 * 60_000);
  pipeline.stop();

  // The first post was created within the minute of clock tolerance before the lost init's intent.
  const revived = await h.reopen(store);
  await revived.reconcileOnce();
  expect(revived.getJob(lost.id)).toMatchObject({ state: 'unknown', postIds: [] });
  expect(revived.getJob(first.id)!.postIds).toEqual(h.posts('a')[0]!.publicPostIds);
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(2);
  revived.stop();
});

test('two lost inits with one caption: neither is guessed, both end in the DLQ saying the caption is shared', async () => {
  h = await setup({ accounts: [{ id: 'a' }] });
  const { pipeline, sb, clock } = h;
  sb.admin.script('video.init', [
    { kind: 'reset', processed: true },
    { kind: 'reset', processed: false },
  ]);
  const jobs = [];
  for (let i = 0; i < 2; i++)
    jobs.push((await pipeline.submit(videoJob(sb, { account: 'a', title: CAPTION, idempotencyKey: `row-${i}` }))).job);
  await pipeline.drain();
  expect(jobs.map((j) => pipeline.getJob(j.id)!.state)).toEqual(['unknown', 'unknown']);
  await clock.advance(2 * 60_000);
  expect(await pipeline.reconcileOnce()).toEqual({ checked: 2, resolved: 0 });

  await clock.advance(72 * 60 * 60_000);
  await pipeline.reconcileOnce();
  for (const [mine, other] of [jobs, [...jobs].reverse()]) {
    expect(pipeline.getJob(mine!.id)).toMatchObject({ state: 'dead', postIds: [] });
    expect((await pipeline.dlq.show(mine!.id))!.error.message).toMatch(
      new RegExp(`job ${other!.id} \\((unknown|dead)\\) on a has the same caption`),
    );
  }
  expect(eventsOf(h.events, 'job_published')).toHaveLength(0);
  expect(h.posts('a')).toHaveLength(1);
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(2);
});
