// Pure pieces behind large campaigns: which slot a parked job can expect, the shared due-time heap,
// the router's grouping key, and the ReadyQueue's head index.
import { VirtualClock } from '../../src/clock';
import { CapTracker, DAY_MS, mergeSlots, nthFreeSlot } from '../../src/pipeline/caps';
import { DueTimers, type DueEntry } from '../../src/pipeline/due-timers';
import { ReadyQueue } from '../../src/pipeline/ready-queue';
import type { AccountRecord } from '../../src/pipeline/types';

const account = (id: string, directPerDay: number): AccountRecord => ({
  id,
  scopes: [],
  caps: { directPerDay, draftsPer24h: 5 },
  status: 'active',
  addedAt: 0,
});

test('slots: the n-th job waiting on a full account gets the n-th slot to free, repeating every 24 h', () => {
  const caps = new CapTracker();
  const a = account('a', 2);
  caps.record('a', 'direct', 1_000);
  caps.record('a', 'direct', 5_000);
  const now = 10_000;
  expect(caps.slotTimes(a, 'direct', now)).toEqual([1_000 + DAY_MS, 5_000 + DAY_MS]);
  const slots = mergeSlots([{ account: 'a', times: caps.slotTimes(a, 'direct', now) }]);
  expect([0, 1, 2, 3].map((n) => nthFreeSlot(slots, n).at)).toEqual([
    1_000 + DAY_MS,
    5_000 + DAY_MS,
    1_000 + 2 * DAY_MS,
    5_000 + 2 * DAY_MS,
  ]);
  // Two accounts share the waiters in slot order; a cap of 0 offers no slot.
  const b = account('b', 1);
  caps.record('b', 'direct', 3_000);
  const both = mergeSlots(
    [a, b, account('c', 0)].map((x) => ({ account: x.id, times: caps.slotTimes(x, 'direct', now) })),
  );
  expect([0, 1, 2].map((n) => nthFreeSlot(both, n))).toEqual([
    { account: 'a', at: 1_000 + DAY_MS },
    { account: 'b', at: 3_000 + DAY_MS },
    { account: 'a', at: 5_000 + DAY_MS },
  ]);
  expect(nthFreeSlot(mergeSlots([{ account: 'c', times: [] }]), 0, 'c')).toEqual({
    account: 'c',
    at: Number.POSITIVE_INFINITY,
  });
  // A slot free now is offered now.
  expect(caps.slotTimes(account('d', 2), 'direct', now)).toEqual([now, now]);
});

test('due timers: one clock timer for many jobs, woken in due order (ties in the order added)', async () => {
  const clock = new VirtualClock();
  const woken: string[] = [];
  const timers = new DueTimers(clock, (e: DueEntry) => woken.push(e.jobId));
  // Parked jobs get later and later slots: one timer serves them all.
  for (let i = 0; i < 1_000; i++) timers.add(`j${i}`, clock.now() + (i + 1) * 1_000, 'deferred');
  timers.add('tie-1', clock.now() + 500_000, 'deferred');
  timers.add('first', clock.now() + 10, 'retry_wait'); // an earlier one arms one more timer
  expect(clock.pendingSleepers()).toBe(2);
  await clock.advance(1_000 * 1_000);
  expect(woken).toHaveLength(1_002);
  expect(woken.slice(0, 2)).toEqual(['first', 'j0']);
  expect(woken[woken.length - 1]).toBe('j999');
  expect(woken.indexOf('tie-1')).toBe(woken.indexOf('j499') + 1);
});

test('due timers: a wait of months is slept in steps (setTimeout cannot wait past 24.8 days)', async () => {
  const clock = new VirtualClock();
  const woken: string[] = [];
  const timers = new DueTimers(clock, (e) => woken.push(e.jobId));
  timers.add('far', clock.now() + 90 * DAY_MS, 'deferred');
  await clock.advance(89 * DAY_MS);
  expect(woken).toEqual([]);
  await clock.advance(DAY_MS);
  expect(woken).toEqual(['far']);
});

test('ready queue: shifting 100,000 ids keeps counts and order', () => {
  const q = new ReadyQueue(() => 'direct');
  for (let i = 0; i < 100_000; i++) q.push(`j${i}`);
  q.remove('j50000');
  const out: string[] = [];
  for (let id = q.shift(); id !== undefined; id = q.shift()) out.push(id);
  expect(out).toHaveLength(99_999);
  expect(out[0]).toBe('j0');
  expect(out.slice(49_999, 50_001)).toEqual(['j49999', 'j50001']);
  expect(q.count('direct')).toBe(0);
  expect(q.length).toBe(0);
});
