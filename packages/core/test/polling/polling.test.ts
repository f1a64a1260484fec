import { VirtualClock } from '../../src/clock';
import { defaultPollSchedule, pollUntilTerminal } from '../../src/polling';
import type { ErrorDetails } from '../../src/errors/types';

function transient() {
  const details = { code: 'internal_error', disposition: 'retry', retryable: true } as ErrorDetails;
  return Object.assign(new Error('internal_error'), { details });
}

describe('pollUntilTerminal', () => {
  it('polls at 10, 30, 60, 120 s intervals then every 120 s, and gives up UNCONFIRMED after 5 min', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: true });
    const polledAt: number[] = [];
    const result = await pollUntilTerminal({
      clock,
      fetch: async () => {
        polledAt.push(clock.now() / 1000);
        return { status: 'PROCESSING_DOWNLOAD' };
      },
    });
    expect(defaultPollSchedule.delaysMs).toEqual([10_000, 30_000, 60_000, 120_000]);
    // 10, +30, +60, +120, then the last wait is cut to end exactly at the 300 s budget.
    expect(polledAt).toEqual([10, 40, 100, 220, 300]);
    expect(result).toEqual({
      terminal: false,
      last: { status: 'PROCESSING_DOWNLOAD' },
      lastError: undefined,
      polls: 5,
    });
  });

  it('stops at the first terminal status', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: true });
    const answers = ['PROCESSING_UPLOAD', 'PROCESSING_UPLOAD', 'PUBLISH_COMPLETE', 'FAILED'];
    let calls = 0;
    const result = await pollUntilTerminal({ clock, fetch: async () => ({ status: answers[calls++]! }) });
    expect(result).toMatchObject({ terminal: true, result: { status: 'PUBLISH_COMPLETE' }, polls: 3 });
    expect(clock.now()).toBe(100_000);
  });

  it('treats SEND_TO_USER_INBOX as terminal (the draft now waits on the creator)', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: true });
    const result = await pollUntilTerminal({ clock, fetch: async () => ({ status: 'SEND_TO_USER_INBOX' }) });
    expect(result.terminal).toBe(true);
  });

  it('follows a custom schedule and budget', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: true });
    const polledAt: number[] = [];
    await pollUntilTerminal({
      clock,
      schedule: { delaysMs: [1_000], thenEveryMs: 2_000, budgetMs: 6_000 },
      fetch: async () => {
        polledAt.push(clock.now());
        return { status: 'PROCESSING_UPLOAD' };
      },
    });
    expect(polledAt).toEqual([1_000, 3_000, 5_000, 6_000]);
  });

  it('keeps polling through transient errors but throws permanent ones', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: true });
    let calls = 0;
    const result = await pollUntilTerminal({
      clock,
      fetch: async () => {
        calls++;
        if (calls < 3) throw transient();
        return { status: 'PUBLISH_COMPLETE' };
      },
    });
    expect(result).toMatchObject({ terminal: true, polls: 3 });

    const permanent = Object.assign(new Error('invalid_publish_id'), {
      details: { code: 'invalid_publish_id', retryable: false, disposition: 'fix_input' },
    });
    await expect(pollUntilTerminal({ clock, fetch: async () => Promise.reject(permanent) })).rejects.toBe(permanent);
  });

  it('rejects a bad schedule naming the field', async () => {
    await expect(
      pollUntilTerminal({
        clock: new VirtualClock(),
        schedule: { thenEveryMs: 0 },
        fetch: async () => ({ status: 'x' }),
      }),
    ).rejects.toThrow(/polling.thenEveryMs/);
  });
});
