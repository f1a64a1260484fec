// Reconciliation reads each account's public video list once per pass, shared by every unknown-outcome
// job of that account, and not at all for an account with no job the list can settle. Counted on the
// real sandbox: the Display API's list is rate-limited per token, and reading it once per job spent
// most of a hostile run's requests (the peers bench: 881 list reads, 70 of 128 rate-limit replies).
import { VirtualClock } from '../../src/clock';
import { setup, videoJob, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const listReads = (harness: Harness, account: string) =>
  harness.sb.admin.requests({ endpoint: 'video.list', openId: harness.openIds[account] }).length;

test('five unknown-outcome inits on one account cost one video-list read per reconciliation pass, and each is still judged', async () => {
  h = await setup({ accounts: [{ id: 'a' }, { id: 'b' }], pipeline: { webhooks: true } });
  const { pipeline, sb, clock } = h;
  // Two inits TikTok took (their posts go live) and three it never got: every reply lost.
  sb.admin.script('video.init', [
    { kind: 'reset', processed: true },
    { kind: 'reset', processed: false },
    { kind: 'reset', processed: true },
    { kind: 'reset', processed: false },
    { kind: 'reset', processed: false },
  ]);
  const jobs = [];
  for (let i = 0; i < 5; i++) jobs.push((await pipeline.submit(videoJob(sb, { account: 'a' }))).job);
  await pipeline.drain();
  expect(jobs.map((j) => pipeline.getJob(j.id)!.state)).toEqual([
    'unknown',
    'unknown',
    'unknown',
    'unknown',
    'unknown',
  ]);
  // b: a post that went through; nothing there needs the list.
  await pipeline.submit(videoJob(sb, { account: 'b' }));
  await clock.advance(10 * 60_000);
  await pipeline.drain();
  expect(listReads(h, 'a') + listReads(h, 'b')).toBe(0);

  expect(await pipeline.reconcileOnce()).toEqual({ checked: 5, resolved: 2 });
  expect(listReads(h, 'a')).toBe(1);
  expect(listReads(h, 'b')).toBe(0);
  const live = h.posts('a').filter((p) => p.publicPostIds.length > 0);
  expect(live).toHaveLength(2);
  const found = jobs.map((j) => pipeline.getJob(j.id)!).filter((j) => j.state === 'published');
  expect(found.map((j) => j.postIds[0]).sort()).toEqual(live.map((p) => p.publicPostIds[0]).sort());
  expect(found.map((j) => j.spec.title).sort()).toEqual(live.map((p) => p.title).sort());

  // The next pass reads it once more, for the three still open.
  expect(await pipeline.reconcileOnce()).toEqual({ checked: 3, resolved: 0 });
  expect(listReads(h, 'a')).toBe(2);
  expect(listReads(h, 'b')).toBe(0);
});

test('a failed list read is not repeated for the other jobs of the account in the same pass; they say why', async () => {
  h = await setup({ accounts: [{ id: 'a' }], pipeline: { webhooks: true } });
  const { pipeline, sb, clock } = h;
  sb.admin.script('video.init', [
    { kind: 'reset', processed: false },
    { kind: 'reset', processed: false },
    { kind: 'reset', processed: false },
  ]);
  const jobs = [];
  for (let i = 0; i < 3; i++) jobs.push((await pipeline.submit(videoJob(sb, { account: 'a' }))).job);
  await pipeline.drain();
  await clock.advance(10 * 60_000);
  sb.admin.script('video.list', [{ kind: 'server_error', status: 503 }]);

  await pipeline.reconcileOnce();
  expect(listReads(h, 'a')).toBe(1);
  for (const job of jobs) {
    expect(pipeline.getJob(job.id)).toMatchObject({ state: 'unknown' });
    expect(pipeline.getJob(job.id)!.reconcileNote).toMatch(/the video list of a could not be read/);
  }
});

test('a post not listed 30 min after its init is looked for each time its age doubles, and before its dead letter', async () => {
  const clock = new VirtualClock({ autoAdvance: true });
  h = await setup({
    clock,
    accounts: [{ id: 'a' }],
    pipeline: { webhooks: true, reconcile: { windowMs: 6 * 3_600_000 } },
  });
  const { pipeline, sb } = h;
  sb.admin.script('video.init', [{ kind: 'reset', processed: false }]);
  const { job } = await pipeline.submit(videoJob(sb, { account: 'a' }));
  await pipeline.drain();
  clock.setAutoAdvance(false);
  const intentAt = pipeline.getJob(job.id)!.intentAt!;

  // Every 15 min for 6 h and a little more, as startReconciliation does.
  const readAtMin: number[] = [];
  for (let pass = 1; pass <= 25; pass++) {
    await clock.advance(15 * 60_000);
    const before = listReads(h, 'a');
    await pipeline.reconcileOnce();
    if (listReads(h, 'a') > before) readAtMin.push(Math.round((clock.now() - intentAt) / 60_000));
  }
  expect(readAtMin).toEqual([15, 30, 60, 120, 240, 375]);
  expect(pipeline.getJob(job.id)!.state).toBe('dead');
  const letter = await pipeline.dlq.show(job.id);
  expect(letter!.error.message).toMatch(/most likely the init never reached TikTok/);
  expect(h.posts('a')).toHaveLength(0);
  expect(h.inits('a')).toBe(1);
});
