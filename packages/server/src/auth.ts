// Who may call what: `Authorization: Bearer tpk_...` checked before the body is read, the route's scope
// (read < post < admin), and a per-key request budget (sliding window on the injected clock).
import type { Clock } from '@tokpipe/core';
import { accountAllowed, scopeAllows, type ApiKeyRecord, type ApiKeyScope, type ApiKeys } from './keys';
import { HttpProblem } from './problem';

export interface RateLimit {
  /** Requests per key per window. */
  max: number;
  windowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { max: 600, windowMs: 60_000 };

function bearer(header: string | undefined): string | undefined {
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

export class Gate {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly keys: ApiKeys,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly limit: RateLimit,
  ) {}

  /** The caller's key, when it may use a route needing `scope`; throws the refusal otherwise. */
  async admit(authorization: string | undefined, scope: ApiKeyScope): Promise<ApiKeyRecord> {
    const presented = bearer(authorization);
    const auth = { headers: { 'www-authenticate': 'Bearer realm="tokpipe"' } };
    if (!presented)
      throw new HttpProblem(
        401,
        'api_key_required',
        'send Authorization: Bearer <API key> (tokpipe keys create)',
        auth,
      );
    const key = await this.keys.verify(presented);
    if (!key)
      throw new HttpProblem(401, 'api_key_invalid', 'API key not accepted (unknown, revoked or malformed)', auth);
    this.spend(key.id);
    if (!scopeAllows(key.scope, scope))
      throw new HttpProblem(403, 'scope_insufficient', `this key has scope ${key.scope}; this route needs ${scope}`);
    return key;
  }

  /** A token bucket per key: `max` requests, refilled evenly over `windowMs` (O(1) per request). */
  private spend(id: string): void {
    const now = this.clock.now();
    const { max, windowMs } = this.limit;
    const bucket = this.buckets.get(id) ?? { tokens: max, at: now };
    const tokens = Math.min(max, bucket.tokens + ((now - bucket.at) * max) / windowMs);
    if (tokens < 1) {
      this.buckets.set(id, { tokens, at: now });
      const retryAfterSec = Math.max(1, Math.ceil(((1 - tokens) * windowMs) / max / 1000));
      throw new HttpProblem(
        429,
        'api_rate_limited',
        `more than ${max} requests in ${windowMs / 1000} s with this key`,
        {
          headers: { 'retry-after': String(retryAfterSec) },
        },
      );
    }
    this.buckets.set(id, { tokens: tokens - 1, at: now });
  }
}

/** Refuses an account the key may not act on (named as not found, so a key cannot probe for others). */
export function requireAccount(key: ApiKeyRecord, account: string | undefined, what = 'account'): void {
  if (!accountAllowed(key, account))
    throw new HttpProblem(
      403,
      'account_not_allowed',
      `this key may act on ${key.accounts!.join(', ')} only: name one of them`,
      {
        field: what,
      },
    );
}
