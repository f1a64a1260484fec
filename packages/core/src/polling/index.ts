// Status polling on the injected clock: wait 10, 30, 60, 120 s between polls, then every 120 s.
// After the budget (5 min) without a terminal state the post is UNCONFIRMED, not failed: TikTok
// guarantees no processing time (moderation can take hours) and reconciliation picks it up.
import { FINAL_STATUSES } from '../catalog/statuses';
import { UNREADABLE_STATUS_ACTION } from '../errors/table';
import type { ErrorDetails } from '../errors/types';
import type { Clock } from '../ports';
import { errorDetails } from '../retry/decide';

export interface PollSchedule {
  /** Waits before each of the first polls. */
  delaysMs: readonly number[];
  /** Wait between polls after `delaysMs` is used up. */
  thenEveryMs: number;
  /** Time from the start of polling after which we stop and report UNCONFIRMED. */
  budgetMs: number;
}

export const defaultPollSchedule: Readonly<PollSchedule> = Object.freeze({
  delaysMs: Object.freeze([10_000, 30_000, 60_000, 120_000]),
  thenEveryMs: 120_000,
  budgetMs: 5 * 60_000,
});

export function resolvePollSchedule(overrides: Partial<PollSchedule> = {}): PollSchedule {
  const schedule: PollSchedule = {
    delaysMs: [...(overrides.delaysMs ?? defaultPollSchedule.delaysMs)],
    thenEveryMs: overrides.thenEveryMs ?? defaultPollSchedule.thenEveryMs,
    budgetMs: overrides.budgetMs ?? defaultPollSchedule.budgetMs,
  };
  schedule.delaysMs.forEach((d, i) => {
    if (!(d >= 0) || !Number.isFinite(d))
      throw new RangeError(`polling.delaysMs[${i}] must be a non-negative number, got ${d}`);
  });
  if (!(schedule.thenEveryMs > 0))
    throw new RangeError(`polling.thenEveryMs must be positive, got ${schedule.thenEveryMs}`);
  if (!(schedule.budgetMs >= 0))
    throw new RangeError(`polling.budgetMs must be non-negative, got ${schedule.budgetMs}`);
  return schedule;
}

/** Wait before poll number `index` (0-based). */
export function pollDelay(schedule: PollSchedule, index: number): number {
  return index < schedule.delaysMs.length ? schedule.delaysMs[index]! : schedule.thenEveryMs;
}

/** The earlier name of FINAL_STATUSES (catalog/statuses.ts), kept for callers. */
export const terminalStatuses: ReadonlySet<string> = FINAL_STATUSES;

export type PollResult<T> =
  | { terminal: true; result: T; polls: number }
  | { terminal: false; last?: T; lastError?: unknown; polls: number };

export interface PollOptions<T extends { status: string }> {
  fetch: () => Promise<T>;
  clock: Clock;
  schedule?: Partial<PollSchedule>;
  isTerminal?: (result: T) => boolean;
  /** Absolute clock deadline on top of the schedule's budget (e.g. a Zapier 30 s limit). */
  deadline?: number;
  onPoll?: (result: T, poll: number) => void;
}

/** Polls until a terminal status or the budget ends. Transient fetch errors count as "no answer
 * yet"; anything else (revoked token, unknown publish_id) is thrown to the caller. */
export async function pollUntilTerminal<T extends { status: string }>(options: PollOptions<T>): Promise<PollResult<T>> {
  const schedule = resolvePollSchedule(options.schedule);
  const isTerminal = options.isTerminal ?? ((r: T) => terminalStatuses.has(r.status));
  const { clock } = options;
  const end = Math.min(clock.now() + schedule.budgetMs, options.deadline ?? Number.POSITIVE_INFINITY);
  let last: T | undefined;
  let lastError: unknown;
  let polls = 0;

  for (let index = 0; ; index++) {
    const remaining = end - clock.now();
    if (remaining <= 0 && polls > 0) break;
    // The last wait is shortened so one final poll happens right at the end of the budget.
    await clock.sleep(Math.min(pollDelay(schedule, index), Math.max(0, remaining)));
    polls++;
    try {
      last = await options.fetch();
      lastError = undefined;
    } catch (error) {
      if (!errorDetails(error)?.retryable) throw error;
      lastError = error;
      continue;
    }
    options.onPoll?.(last, polls);
    if (isTerminal(last)) return { terminal: true, result: last, polls };
  }
  return { terminal: false, last, lastError, polls };
}

/** The outcome error when polling ran out while TikTok's replies could not be read (an HTML page, an
 * empty or cut-off body, an unknown status): the last reply's own classification (a transport fault,
 * saying what was received), marked unknown outcome; never "TikTok is still processing". */
export function unreadableStatusDetails(
  lastError: unknown,
  publishId: string,
  polls: number,
): ErrorDetails | undefined {
  const last = errorDetails(lastError);
  if (!last) return undefined;
  const what = last.message.endsWith(last.action) ? last.message.slice(0, -last.action.length).trim() : last.message;
  return {
    ...last,
    disposition: 'unknown_outcome',
    category: 'needs_human',
    retryable: false,
    action: UNREADABLE_STATUS_ACTION,
    message: `No readable status for post ${publishId} after ${polls} poll${polls === 1 ? '' : 's'}; the last reply: ${what} ${UNREADABLE_STATUS_ACTION}`,
  };
}
