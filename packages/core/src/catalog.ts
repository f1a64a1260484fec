// Core's vocabulary: every TikTok fact and default an adapter shows or sends, said once (parts in catalog/).
// fields (the post form), privacy (who can view), statuses, media (content types), outcome-fields
// (what a post returns), tiktok (URLs and default numbers), tuning (the knobs adapters offer).
// Transport error codes: errors/transport-codes.
import { defaultPollSchedule, type PollSchedule } from './polling';
import { defaultRetryPolicy } from './retry/policy';
import { defaultPostLimits, PRIVACY_LEVELS } from './schemas/post';
import { fields, operations } from './catalog/fields';
import { PRIVACY_OPTIONS } from './catalog/privacy';
import { TUNING_OPTIONS } from './catalog/tuning';
import { DEFAULT_MAX_POST_ATTEMPTS, DEFAULT_REQUEST_TIMEOUT_MS, TIKTOK_API_BASE_URL } from './catalog/tiktok';

export * from './catalog/fields';
export * from './catalog/to-post-request';
export * from './catalog/form';
export * from './catalog/privacy';
export * from './catalog/statuses';
export * from './catalog/media';
export * from './catalog/outcome-fields';
export * from './catalog/tiktok';
export * from './catalog/tuning';
export * from './catalog/server-api';

/** The status polling schedule adapters show and use (10, 30, 60, 120 s, then every 120 s; 5 min budget). */
export const pollSchedule: Readonly<PollSchedule> = defaultPollSchedule;

/** The defaults a poster runs with, for adapters to show (and offer to change) without retyping them. */
export const defaults = Object.freeze({
  baseUrl: TIKTOK_API_BASE_URL,
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  maxPostAttempts: DEFAULT_MAX_POST_ATTEMPTS,
  retry: defaultRetryPolicy,
  polling: defaultPollSchedule,
  limits: defaultPostLimits,
});

export const catalog = Object.freeze({
  operations,
  fields,
  pollSchedule,
  privacyLevels: PRIVACY_LEVELS,
  privacyOptions: PRIVACY_OPTIONS,
  limits: defaultPostLimits,
  defaults,
  tuning: TUNING_OPTIONS,
});
