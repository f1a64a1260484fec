// n8n loads a workflow's static data when a run starts and saves it when the run ends: two copies of one
// TikTok delivery that arrive while the first run is still going each see static data without the other.
// withProcessMemory puts this process's memory in front, so exactly one of them fires.
import { objectFieldStore, VirtualClock, WebhookDeduper, withProcessMemory } from '../../src';

const clock = () => new VirtualClock({ start: Date.UTC(2026, 0, 5) });

/** One run's view: its own copy of the static data as saved before the run began. */
const runStore = (saved: Record<string, unknown>, scope?: string) => {
  const copy = structuredClone(saved);
  const store = objectFieldStore(copy, 'seen');
  return { copy, store: scope ? withProcessMemory(store, scope) : store };
};

test('two copies in flight at once, each run with its own copy of static data: the memory lets one fire', async () => {
  const saved: Record<string, unknown> = {};
  const c = clock();
  const runs = [runStore(saved, 'wf-1/node-a/seen'), runStore(saved, 'wf-1/node-a/seen')];
  const fired = await Promise.all(
    runs.map((r) => new WebhookDeduper({ store: r.store, clock: c }).firstSighting('evt-1')),
  );
  expect(fired.sort()).toEqual([false, true]);
  // Without it, both would have fired: the failure this guards against.
  const bare = [runStore(saved), runStore(saved)];
  expect(
    await Promise.all(bare.map((r) => new WebhookDeduper({ store: r.store, clock: c }).firstSighting('evt-1'))),
  ).toEqual([true, true]);
});

test('the memory is per scope, keeps what the saved store has, and lists both', async () => {
  const saved: Record<string, unknown> = { seen: { 'k/old': '1' } };
  const a = withProcessMemory(objectFieldStore(structuredClone(saved), 'seen'), 'wf-2/node-a/seen');
  const b = withProcessMemory(objectFieldStore(structuredClone(saved), 'seen'), 'wf-2/node-b/seen');
  expect(await a.compareAndSet!('k/new', undefined, '2')).toBe(true);
  expect(await b.compareAndSet!('k/new', undefined, '3')).toBe(true); // another node: its own memory
  expect(await a.compareAndSet!('k/new', undefined, '4')).toBe(false);
  expect(await a.get('k/old')).toBe('1');
  expect(await a.list('k/')).toEqual([
    ['k/new', '2'],
    ['k/old', '1'],
  ]);
});
