// Per-token, per-endpoint sliding-window limiter on the injected clock. TikTok counts requests per
// user access token per endpoint per minute; if we never send more than that, a caller that goes
// through core never sees rate_limit_exceeded. If one arrives anyway (another app using the same
// token, clock skew), the whole endpoint for that token pauses for the window, not just one request.
import type { Clock } from '../ports';

export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** TikTok's documented limits (reference §3.1). Endpoints not listed are not limited here. */
export const tiktokRateLimits: Readonly<Record<string, RateLimit>> = Object.freeze({
  video_init: { limit: 6, windowMs: 60_000 },
  inbox_video_init: { limit: 6, windowMs: 60_000 },
  content_init: { limit: 6, windowMs: 60_000 },
  creator_info: { limit: 20, windowMs: 60_000 },
  status_fetch: { limit: 30, windowMs: 60_000 },
});

export type LimitedEndpoint = keyof typeof tiktokRateLimits;

export interface RateLimiterOptions {
  clock: Clock;
  limits?: Partial<Record<string, RateLimit>>;
  /** Extra time each send stays in the window: absorbs latency and clock skew between us and TikTok. */
  marginMs?: number;
}

interface WindowState {
  sent: number[];
  pausedUntil: number;
}

export class RateLimiter {
  private readonly clock: Clock;
  private readonly limits: Record<string, RateLimit>;
  private readonly marginMs: number;
  private readonly windows = new Map<string, WindowState>();

  constructor(options: RateLimiterOptions) {
    this.clock = options.clock;
    this.limits = { ...tiktokRateLimits };
    for (const [endpoint, limit] of Object.entries(options.limits ?? {})) {
      if (!limit) continue;
      if (!(limit.limit >= 1) || !(limit.windowMs > 0)) {
        throw new RangeError(`limits.${endpoint} needs limit >= 1 and windowMs > 0`);
      }
      this.limits[endpoint] = limit;
    }
    this.marginMs = options.marginMs ?? 1_000;
  }

  /** Waits (on the clock) until `subject` may call `endpoint`, then counts the call.
   * Resolves with how long it waited. `subject` identifies the token or account. */
  async acquire(subject: string, endpoint: string): Promise<number> {
    const limit = this.limits[endpoint];
    if (!limit) return 0;
    const started = this.clock.now();
    for (;;) {
      const state = this.state(subject, endpoint);
      const wait = this.waitFor(state, limit);
      if (wait <= 0) {
        state.sent.push(this.clock.now());
        return this.clock.now() - started;
      }
      await this.clock.sleep(wait);
    }
  }

  /** How long a call made now would have to wait (0 = free). */
  waitTime(subject: string, endpoint: string): number {
    const limit = this.limits[endpoint];
    return limit ? Math.max(0, this.waitFor(this.state(subject, endpoint), limit)) : 0;
  }

  /** TikTok said rate_limit_exceeded anyway: hold every call of this token to this endpoint. */
  onRateLimited(subject: string, endpoint: string, retryAfterMs?: number): void {
    const windowMs = this.limits[endpoint]?.windowMs ?? 60_000;
    this.pause(subject, endpoint, (retryAfterMs ?? windowMs) + this.marginMs);
  }

  pause(subject: string, endpoint: string, ms: number): void {
    const state = this.state(subject, endpoint);
    state.pausedUntil = Math.max(state.pausedUntil, this.clock.now() + ms);
  }

  private state(subject: string, endpoint: string): WindowState {
    const key = `${subject}\u0000${endpoint}`;
    let state = this.windows.get(key);
    if (!state) {
      state = { sent: [], pausedUntil: 0 };
      this.windows.set(key, state);
    }
    return state;
  }

  private waitFor(state: WindowState, limit: RateLimit): number {
    const now = this.clock.now();
    const span = limit.windowMs + this.marginMs;
    // Forget sends that left the window: memory stays bounded by `limit` per key.
    while (state.sent.length > 0 && state.sent[0]! <= now - span) state.sent.shift();
    const pausedFor = state.pausedUntil - now;
    const windowWait = state.sent.length >= limit.limit ? state.sent[state.sent.length - limit.limit]! + span - now : 0;
    return Math.max(pausedFor, windowWait);
  }
}

// One limiter per clock: TikTok counts per token, not per poster, so every poster of a process
// (same clock) must share the windows. Keyed by clock because windows compare its timestamps.
const sharedByClock = new WeakMap<Clock, RateLimiter>();

/** The process-wide limiter for `clock` (createPoster's default). */
export function sharedRateLimiter(clock: Clock): RateLimiter {
  let limiter = sharedByClock.get(clock);
  if (!limiter) {
    limiter = new RateLimiter({ clock });
    sharedByClock.set(clock, limiter);
  }
  return limiter;
}
