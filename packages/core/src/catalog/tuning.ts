// The knobs an adapter offers under "Options": each with core's default, its bounds and what it
// means, and the one function that turns the values a user set into poster options.
import type { PollSchedule } from '../polling';
import { defaultPollSchedule } from '../polling';
import type { RetryPolicy } from '../retry/policy';
import { defaultRetryPolicy } from '../retry/policy';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './tiktok';

export type TuningName =
  | 'retryAttempts'
  | 'maxBackoffSeconds'
  | 'requestTimeoutSeconds'
  | 'pollEverySeconds'
  | 'maxWaitSeconds';

export interface TuningOption {
  name: TuningName;
  label: string;
  default: number;
  min: number;
  max?: number;
  description: string;
  /** Only means something when the call polls for the post's status. */
  polling?: boolean;
}

/** TikTok allows 30 status checks a minute per token: a 2 s pace stays inside it. */
const MIN_POLL_SECONDS = 2;
const seconds = (ms: number) => ms / 1000;

export const TUNING_OPTIONS: readonly TuningOption[] = Object.freeze([
  {
    name: 'retryAttempts',
    label: 'Retry Attempts',
    default: defaultRetryPolicy.maxAttempts,
    min: 1,
    max: 10,
    description:
      'Attempts in all for a call that fails for a passing reason (rate limit, 5xx, network). A post request whose outcome is unknown is never repeated.',
  },
  {
    name: 'maxBackoffSeconds',
    label: 'Max Backoff (Seconds)',
    default: seconds(defaultRetryPolicy.maxDelayMs),
    min: 1,
    description: 'Longest wait between two attempts.',
  },
  {
    name: 'requestTimeoutSeconds',
    label: 'Request Timeout (Seconds)',
    default: seconds(DEFAULT_REQUEST_TIMEOUT_MS),
    min: 1,
    description:
      'How long one request to TikTok may take. A post request that times out may still have created the post: it is reported as unknown, never sent again.',
  },
  {
    name: 'pollEverySeconds',
    label: 'Poll Every (Seconds)',
    default: seconds(defaultPollSchedule.thenEveryMs),
    min: MIN_POLL_SECONDS,
    polling: true,
    description: `Longest pause between two status checks (the first come sooner: ${defaultPollSchedule.delaysMs.map(seconds).join(', ')} s).`,
  },
  {
    name: 'maxWaitSeconds',
    label: 'Wait Limit (Seconds)',
    default: seconds(defaultPollSchedule.budgetMs),
    min: 0,
    polling: true,
    description:
      "How long to wait for TikTok's final answer before reporting UNCONFIRMED (the post is not lost: check its status later).",
  },
] satisfies TuningOption[]);

export interface PosterTuning {
  retry: Partial<RetryPolicy>;
  polling: Partial<PollSchedule>;
  requestTimeoutMs?: number;
}

/** The values a user set (absent, empty or not a number: core's default) → poster options. */
export function posterTuning(values: Partial<Record<TuningName, unknown>>): PosterTuning {
  const read = (name: TuningName): number | undefined => {
    const raw = values[name];
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
    const option = TUNING_OPTIONS.find((o) => o.name === name)!;
    return Math.min(Math.max(value, option.min), option.max ?? Number.POSITIVE_INFINITY);
  };
  const tuning: PosterTuning = { retry: {}, polling: {} };
  const attempts = read('retryAttempts');
  if (attempts !== undefined) tuning.retry.maxAttempts = Math.round(attempts);
  const backoff = read('maxBackoffSeconds');
  if (backoff !== undefined) tuning.retry.maxDelayMs = backoff * 1000;
  const timeout = read('requestTimeoutSeconds');
  if (timeout !== undefined) tuning.requestTimeoutMs = Math.round(timeout * 1000);
  const pace = read('pollEverySeconds');
  if (pace !== undefined) {
    // The pace caps every pause, the early ones included.
    tuning.polling.thenEveryMs = pace * 1000;
    tuning.polling.delaysMs = defaultPollSchedule.delaysMs.map((d) => Math.min(d, pace * 1000));
  }
  const wait = read('maxWaitSeconds');
  if (wait !== undefined) tuning.polling.budgetMs = wait * 1000;
  return tuning;
}
