// The posts the Post Status Changed trigger watches, under concurrent runs of one connection: Zapier
// runs creates and trigger polls at the same time (the create's lock does not cover the trigger), and
// no run may drop another's post. z.cache with nx as Zapier runs it (nx-cache.ts), the sandbox as TikTok.
import { overrideRuntime } from '../src/lib/common/runtime';
import { startHarness, type Harness } from './harness';
import { nxCache } from './nx-cache';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  overrideRuntime({ cache: nxCache() }); // h.close() restores the whole runtime
});
afterEach(async () => {
  await h.close();
});

const post = (title: string) =>
  h.run(h.App.creates.post_video.operation.perform, { videoUrl: h.mediaUrl(), privacyLevel: 'SELF_ONLY', title });
const statusChanged = () => h.run(h.App.triggers.post_status_changed.operation.perform);
const watched = (items: Array<{ publish_id: string }>) => new Set(items.map((i) => i.publish_id));

it('five creates at once: each post is recorded once, and the trigger follows all five', async () => {
  const created = await Promise.all([1, 2, 3, 4, 5].map((n) => post(`concurrent ${n}`)));
  const ids = new Set(created.map((c: { publish_id: string }) => c.publish_id));
  expect(ids.size).toBe(5);
  expect(h.sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(5);
  const items = await statusChanged();
  expect(items).toHaveLength(5);
  expect(watched(items)).toEqual(ids);
});

it('creates that land while a trigger poll is saving its statuses are not lost', async () => {
  const early = await Promise.all([post('early 1'), post('early 2')]);
  await h.clock.advance(60_000);
  // The poll fetches and writes back two statuses while three new posts are recorded.
  const [, ...late] = await Promise.all([statusChanged(), post('late 1'), post('late 2'), post('late 3')]);
  const items = await statusChanged();
  expect(watched(items)).toEqual(new Set([...early, ...late].map((c: { publish_id: string }) => c.publish_id)));
  // The early posts' final status, learned by the first poll, was kept (not fetched again).
  for (const e of early)
    expect(items.find((i: { id: string }) => i.id === `${e.publish_id}:PUBLISH_COMPLETE`)).toBeDefined();
});

it('an nx set that answers with something else than true still claims one slot per post', async () => {
  overrideRuntime({ cache: nxCache({ set: 'OK', refused: null }) });
  const created = await Promise.all([1, 2, 3].map((n) => post(`odd answer ${n}`)));
  expect(watched(await statusChanged())).toEqual(new Set(created.map((c: { publish_id: string }) => c.publish_id)));
});

it('two trigger polls at once both list the post', async () => {
  const kept = await post('kept');
  const [a, b] = await Promise.all([statusChanged(), statusChanged()]);
  expect(watched(a)).toEqual(new Set([kept.publish_id]));
  expect(watched(b)).toEqual(new Set([kept.publish_id]));
});
