// How long a Make module may wait for TikTok, compiled from core's poll schedule: Make stops a module
// after about 40 s, so each module polls only as long as fits, and Make's own re-runs do the rest.
import { defaultPollSchedule, tiktokRateLimits, type PollSchedule } from '@tokpipe/core';

/** Make's module timeout is about 40 s; polling inside one run stays under this, leaving room for the requests. */
export const MODULE_WAIT_BUDGET_MS = 30_000;
/** TikTok's status fetch limit per token (core's limiter table) as the shortest pause between two fetches. */
const STATUS_LIMIT = tiktokRateLimits.status_fetch!;
export const STATUS_MIN_INTERVAL_MS = STATUS_LIMIT.windowMs / STATUS_LIMIT.limit;
/** The limit as help text says it, e.g. "30/min". */
export const STATUS_LIMIT_TEXT =
  STATUS_LIMIT.windowMs === 60_000
    ? `${STATUS_LIMIT.limit}/min`
    : `${STATUS_LIMIT.limit} per ${STATUS_LIMIT.windowMs / 1000} s`;

/** Core's schedule compiled into Make's `repeat`: the first poll interval (never faster than the status
 * rate limit), as many polls as fit in one module run. The rest of core's schedule (then every 120 s,
 * 5 min budget) becomes Make's own re-run of an IncompleteDataError. */
export function repeatFromSchedule(
  schedule: PollSchedule = defaultPollSchedule,
  budgetMs = MODULE_WAIT_BUDGET_MS,
): { delay: number; limit: number } {
  const delay = Math.max(schedule.delaysMs[0] ?? schedule.thenEveryMs, STATUS_MIN_INTERVAL_MS);
  return { delay, limit: Math.max(1, Math.floor(budgetMs / delay)) + 1 };
}

/** Time a file module keeps for its upload PUT inside Make's module limit (64 MB at 6.4 MB/s): its status
 * wait is shorter by this much. A module that runs over the limit fails with ModuleTimeoutError, which
 * Make retries, and a re-run posts again. */
export const FILE_UPLOAD_ALLOWANCE_MS = 10_000;

export type Repeat = { delay: number; limit: number };
/** The status wait of the URL modules and Wait for Post. */
export const REPEAT = repeatFromSchedule();
export const waitSeconds = (r: Repeat) => Math.round(((r.limit - 1) * r.delay) / 1000);
export const REPEAT_WAIT_S = waitSeconds(REPEAT);
/** The file modules' status wait: shorter by the time kept for the upload PUT. */
export const FILE_REPEAT = repeatFromSchedule(defaultPollSchedule, MODULE_WAIT_BUDGET_MS - FILE_UPLOAD_ALLOWANCE_MS);
