// Per-account circuit breaker. Repeated transient or throttle failures open it (the account is
// degraded: the router sends new jobs elsewhere); after a cooldown one probe job is let through
// (half-open); its success closes the breaker, its failure opens it again for a longer cooldown.
// Content failures never reach it: they say nothing about the account's health.
import type { BreakerState } from './types';

export interface BreakerOptions {
  /** Consecutive transient/throttle failures that open the breaker. */
  failureThreshold: number;
  /** First cooldown; doubles on each failed probe, up to maxCooldownMs. */
  cooldownMs: number;
  maxCooldownMs: number;
}

export const defaultBreakerOptions: Readonly<BreakerOptions> = Object.freeze({
  failureThreshold: 3,
  cooldownMs: 60_000,
  maxCooldownMs: 15 * 60_000,
});

export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAt = 0;
  private cooldown: number;
  private probeInFlight = false;
  private current: BreakerState = 'closed';

  constructor(private readonly options: BreakerOptions) {
    this.cooldown = options.cooldownMs;
  }

  /** The state at `now` (an open breaker whose cooldown is over reads as half-open). */
  state(now: number): BreakerState {
    if (this.current === 'open' && now >= this.openUntil()) return 'half_open';
    return this.current;
  }

  openUntil(): number {
    return this.openedAt + this.cooldown;
  }

  /** May a job start on this account now? Half-open admits a single probe at a time. */
  allows(now: number): boolean {
    const state = this.state(now);
    if (state === 'closed') return true;
    if (state === 'half_open') return !this.probeInFlight;
    return false;
  }

  /** Call when a job starts; returns true when it is the half-open probe. */
  onStart(now: number): boolean {
    if (this.state(now) !== 'half_open') return false;
    this.current = 'half_open';
    this.probeInFlight = true;
    return true;
  }

  /** Returns the new state when it changed. */
  onSuccess(now: number): BreakerState | undefined {
    const before = this.state(now);
    this.consecutiveFailures = 0;
    this.probeInFlight = false;
    this.cooldown = this.options.cooldownMs;
    this.current = 'closed';
    return before === 'closed' ? undefined : 'closed';
  }

  /** A transient or throttle failure. Returns the new state when it changed. */
  onFailure(now: number): BreakerState | undefined {
    const before = this.state(now);
    this.consecutiveFailures++;
    const wasProbe = this.probeInFlight;
    this.probeInFlight = false;
    if (before === 'half_open' || wasProbe) {
      this.cooldown = Math.min(this.cooldown * 2, this.options.maxCooldownMs);
      return this.open(now);
    }
    if (before === 'closed' && this.consecutiveFailures >= this.options.failureThreshold) return this.open(now);
    return undefined;
  }

  /** A result that says nothing about the account (content failure): frees the probe slot. */
  onNeutral(): void {
    this.probeInFlight = false;
  }

  private open(now: number): BreakerState {
    this.current = 'open';
    this.openedAt = now;
    return 'open';
  }
}
