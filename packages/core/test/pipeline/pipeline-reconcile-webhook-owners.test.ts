// A webhook about a publish_id no job holds settles an unknown init only when no other init on the
// account could own it, and a dead-lettered unknown init still could: its post may be that one. Found
// by the chaos soak (a job told "published" with another job's post, after that job had been given up).
import { VirtualClock } from '../../src/clock';
import type { WebhookEvent } from '../../src/webhooks/events';
import { setup, videoJob, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

test('a webhook about the post of an unknown init that was dead-lettered is never claimed by a later unknown init', async () => {
  const clock = new VirtualClock({ autoAdvance: true });
  h = await setup({
    clock,
    accounts: [{ id: 'a' }],
    pipeline: { webhooks: true, reconcile: { windowMs: 60 * 60_000 } },
  });
  const { pipeline, sb } = h;
  // Drafts: never in the video list, so only a webhook can settle them.
  const draft = (idempotencyKey: string) => {
    const { title: _t, privacyLevel: _p, ...video } = videoJob(sb, { account: 'a', idempotencyKey });
    return { ...video, mode: 'draft' as const };
  };
  // A: TikTok took it, the reply was lost. B, 20 min later: never reached TikTok.
  sb.admin.script('inbox.init', [{ kind: 'reset', processed: true }]);
  const { job: a } = await pipeline.submit(draft('row-a'));
  await pipeline.drain();
  clock.setAutoAdvance(false);
  await clock.advance(20 * 60_000);
  sb.admin.script('inbox.init', [{ kind: 'reset', processed: false }]);
  clock.setAutoAdvance(true);
  const { job: b } = await pipeline.submit(draft('row-b'));
  await pipeline.drain();
  clock.setAutoAdvance(false);
  expect([pipeline.getJob(a.id)!.state, pipeline.getJob(b.id)!.state]).toEqual(['unknown', 'unknown']);
  const [post] = h.posts('a');
  expect(h.posts('a')).toHaveLength(1);

  // TikTok's webhook about A's post arrives late, after B's init.
  const event: WebhookEvent = {
    event: 'post.publish.inbox_delivered',
    rawEvent: 'post.publish.inbox_delivered',
    clientKey: sb.admin.demo().clientKey,
    createTime: Math.floor(clock.now() / 1000),
    openId: h.openIds.a!,
    content: { publish_id: post!.publishId, publish_type: 'INBOX_SHARE' },
    dedupeKey: 'late-1',
  };
  expect(await pipeline.handleWebhook(event)).toBe(false);
  await pipeline.reconcileOnce();
  expect(pipeline.getJob(b.id)!.reconcileNote).toMatch(/cannot tell whose/);

  // A's window ends (B's has 20 min left): A is dead-lettered, B must still not take A's post.
  await clock.advance(45 * 60_000);
  await pipeline.reconcileOnce();
  expect(pipeline.getJob(a.id)!.state).toBe('dead');
  expect(pipeline.getJob(b.id)).toMatchObject({ state: 'unknown', postIds: [] });
  expect(pipeline.getJob(b.id)!.publishId).toBeUndefined();
  expect(pipeline.getJob(b.id)!.reconcileNote).toMatch(/cannot tell whose/);
});
