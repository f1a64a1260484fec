// The shared breaker's state machine (pure): the same rules as core's per-process breaker.
import { DAY_MS, nextBreaker, type BreakerRow } from '../src/worker/account-guard';

const closed: BreakerRow = { state: 'closed', failures: 0, open_until: 0, open_ms: 0 };

test('3 failures open it for 60 s; a failed probe doubles the cooldown; a success closes it', () => {
  let row = closed;
  row = nextBreaker(row, 'failure', 1_000);
  row = nextBreaker(row, 'failure', 2_000);
  expect(row.state).toBe('closed');
  row = nextBreaker(row, 'failure', 3_000);
  expect(row).toEqual({ state: 'open', failures: 3, open_until: 63_000, open_ms: 60_000 });
  row = nextBreaker(row, 'failure', 70_000); // the probe after the cooldown failed
  expect(row).toEqual({ state: 'open', failures: 4, open_until: 190_000, open_ms: 120_000 });
  expect(nextBreaker(row, 'neutral', 80_000)).toBe(row);
  expect(nextBreaker(row, 'success', 200_000)).toEqual(closed);
});

test('TikTok cap: the account is blocked for a day', () => {
  expect(nextBreaker(closed, 'capped', 5)).toMatchObject({ state: 'capped', open_until: 5 + DAY_MS });
});
