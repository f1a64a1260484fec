// How long a Make module may wait for TikTok, from core's poll plan: Make stops a module after about
// 40 s, so each module polls only as long as fits, and Make's own re-runs do the rest.
import { pollPlan, pollPlanSeconds } from '@tokpipe/core';

export { pollPlan, pollPlanSeconds, STATUS_LIMIT_TEXT, STATUS_MIN_INTERVAL_MS, type PollPlan } from '@tokpipe/core';

/** Make's module timeout is about 40 s; polling inside one run stays under this, leaving room for the requests. */
export const MODULE_WAIT_BUDGET_MS = 30_000;

/** Time a file module keeps for its upload PUT inside Make's module limit (64 MB at 6.4 MB/s): its status
 * wait is shorter by this much. A module that runs over the limit fails with ModuleTimeoutError, which
 * Make retries, and a re-run posts again. */
export const FILE_UPLOAD_ALLOWANCE_MS = 10_000;

/** The status wait of the URL modules and Wait for Post. */
export const REPEAT = pollPlan(MODULE_WAIT_BUDGET_MS);
export const REPEAT_WAIT_S = pollPlanSeconds(REPEAT);
/** The file modules' status wait: shorter by the time kept for the upload PUT. */
export const FILE_REPEAT = pollPlan(MODULE_WAIT_BUDGET_MS - FILE_UPLOAD_ALLOWANCE_MS);
