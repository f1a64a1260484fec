// What the poster's parts share: the client, the clock, the ledger, the API caller, the options,
// and the few helpers every part uses to report an outcome.
import type { TikTokClient } from '../client/client';
import type { StatusResult } from '../client/types';
import { classifyFailReason } from '../errors/classify';
import type { ErrorDetails } from '../errors/types';
import type { Ledger } from '../idempotency';
import type { Clock, Logger, Random } from '../ports';
import type { PostOutcome, PosterOptions } from '../poster';
import type { PostStatus } from '../types';
import type { ApiCaller } from './api-call';

export interface PosterContext {
  client: TikTokClient;
  clock: Clock;
  random: Random;
  ledger: Ledger;
  api: ApiCaller;
  options: PosterOptions;
  log: (level: Parameters<Logger>[0], message: string, fields?: Record<string, unknown>) => void;
}

/** A status that is not a plain success, with why. */
export interface StepFailure {
  status: PostStatus;
  error: ErrorDetails;
}

export function makeOutcome(
  key: string,
  publishId: string | null,
  status: PostOutcome['status'],
  postIds: string[],
  attempts: number,
  error: ErrorDetails | null,
  reused = false,
): PostOutcome {
  return { publishId, status, postIds, attempts, idempotencyKey: key, reused, error };
}

/** Why TikTok failed the post, when it did. */
export function failureDetails(result: StatusResult, publishId: string): ErrorDetails | null {
  if (result.status !== 'FAILED') return null;
  return result.error ?? classifyFailReason(result.failReason ?? 'unknown', { publishId, logId: result.logId });
}

/** TikTok's status for `publishId`, through the API caller. */
export function fetchStatus(ctx: PosterContext, publishId: string, deadline: number): Promise<StatusResult> {
  return ctx.api.call('status_fetch', (token) => ctx.client.fetchStatus(token, publishId), deadline);
}

// Keys a post() in this process is working on, per ledger store: a concurrent repeat must not
// resume the same upload in parallel (TikTok wants chunks strictly in sequence).
const keysInFlight = new WeakMap<object, Set<string>>();

export function keysInFlightFor(ctx: PosterContext): Set<string> {
  const owner = ctx.options.store ?? ctx.ledger;
  let keys = keysInFlight.get(owner);
  if (!keys) {
    keys = new Set();
    keysInFlight.set(owner, keys);
  }
  return keys;
}
