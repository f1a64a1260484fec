// Polling inside a platform's short time limit (a Make module's ~40 s, a Zapier step's 30 s): how many
// status checks at what pace fit, from core's schedule and TikTok's status limit.
import { tiktokRateLimits } from '../limiter';
import { defaultPollSchedule, type PollSchedule } from '../polling';

const STATUS_LIMIT = tiktokRateLimits.status_fetch!;

/** TikTok's status-fetch limit per token as the shortest pause between two checks. */
export const STATUS_MIN_INTERVAL_MS = STATUS_LIMIT.windowMs / STATUS_LIMIT.limit;

/** The status limit as help text says it, e.g. "30/min". */
export const STATUS_LIMIT_TEXT =
  STATUS_LIMIT.windowMs === 60_000
    ? `${STATUS_LIMIT.limit}/min`
    : `${STATUS_LIMIT.limit} per ${STATUS_LIMIT.windowMs / 1000} s`;

export interface PollPlan {
  /** Pause between two checks. */
  delay: number;
  /** Checks in all, the first one included. */
  limit: number;
}

/** The schedule's first pause (never faster than the status limit), as many checks as fit in `budgetMs`.
 * The rest of the schedule is the platform's re-run of a step that is still waiting. */
export function pollPlan(budgetMs: number, schedule: PollSchedule = defaultPollSchedule): PollPlan {
  const delay = Math.max(schedule.delaysMs[0] ?? schedule.thenEveryMs, STATUS_MIN_INTERVAL_MS);
  return { delay, limit: Math.max(1, Math.floor(budgetMs / delay)) + 1 };
}

/** How long a plan waits at most, in whole seconds. */
export const pollPlanSeconds = (plan: PollPlan): number => Math.round(((plan.limit - 1) * plan.delay) / 1000);
