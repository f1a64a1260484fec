// TikTok's per-token rate windows shared by every worker on the database. One statement per
// acquire decides and counts under the row's lock (INSERT ... ON CONFLICT DO UPDATE), so no two
// workers both take the last slot and none of them causes a 429.
import { randomUUID } from 'node:crypto';
import { RateLimiter, tiktokRateLimits, type RateLimit, type RateLimiterOptions } from '@tokpipe/core';
import type { Db } from '../db/db';

const ACQUIRE = `
INSERT INTO tokpipe.rate_windows AS w (subject, endpoint, sent, last_grant) VALUES ($1, $2, ARRAY[$3::float8], $6)
ON CONFLICT (subject, endpoint) DO UPDATE SET
  sent = CASE
    WHEN w.paused_until <= $3 AND (SELECT count(*) FROM unnest(w.sent) s WHERE s > $3 - $4) < $5
      THEN ARRAY(SELECT s FROM unnest(w.sent) s WHERE s > $3 - $4 ORDER BY s) || $3::float8
    ELSE ARRAY(SELECT s FROM unnest(w.sent) s WHERE s > $3 - $4 ORDER BY s)
  END,
  last_grant = CASE
    WHEN w.paused_until <= $3 AND (SELECT count(*) FROM unnest(w.sent) s WHERE s > $3 - $4) < $5 THEN $6
    ELSE w.last_grant
  END
RETURNING last_grant = $6 AS granted, sent, paused_until`;

const PAUSE = `
INSERT INTO tokpipe.rate_windows AS w (subject, endpoint, paused_until) VALUES ($1, $2, $3)
ON CONFLICT (subject, endpoint) DO UPDATE SET paused_until = greatest(w.paused_until, EXCLUDED.paused_until)`;

export class SqlRateLimiter extends RateLimiter {
  private readonly sharedLimits: Record<string, RateLimit>;
  private readonly margin: number;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly limiterOptions: RateLimiterOptions,
  ) {
    super(limiterOptions);
    this.sharedLimits = { ...tiktokRateLimits };
    for (const [endpoint, limit] of Object.entries(limiterOptions.limits ?? {})) if (limit) this.sharedLimits[endpoint] = limit;
    this.margin = limiterOptions.marginMs ?? 1_000;
  }

  override async acquire(subject: string, endpoint: string): Promise<number> {
    const limit = this.sharedLimits[endpoint];
    if (!limit) return 0;
    const { clock } = this.limiterOptions;
    const started = clock.now();
    const span = limit.windowMs + this.margin;
    for (;;) {
      const now = clock.now();
      const { rows } = await this.db.query<{ granted: boolean; sent: number[]; paused_until: number }>(ACQUIRE, [subject, endpoint, now, span, limit.limit, randomUUID()]);
      const row = rows[0]!;
      if (row.granted) return clock.now() - started;
      const sent = row.sent.map(Number);
      const windowWait = sent.length >= limit.limit ? sent[sent.length - limit.limit]! + span - now : 0;
      await clock.sleep(Math.max(1, Number(row.paused_until) - now, windowWait));
    }
  }

  /** A 429 anyway (another app on the token, skew): every worker holds this token's endpoint. */
  override onRateLimited(subject: string, endpoint: string, retryAfterMs?: number): void {
    super.onRateLimited(subject, endpoint, retryAfterMs);
    const windowMs = this.sharedLimits[endpoint]?.windowMs ?? 60_000;
    const until = this.limiterOptions.clock.now() + (retryAfterMs ?? windowMs) + this.margin;
    const write = this.db.query(PAUSE, [subject, endpoint, until]).catch(() => undefined);
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  }

  /** Resolves when every pause written so far is stored. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
