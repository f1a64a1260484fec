// Error-rate alerts over sliding windows, per account and per error code. An alert fires when a
// rate crosses its threshold and again when it recovers, not on every failure.
import type { Alert } from './types';

export interface AlertOptions {
  windowMs: number;
  /** Failures / attempts in the window at or above which an account is alerted. */
  accountRateThreshold: number;
  /** Attempts needed in the window before a rate means anything. */
  minSamples: number;
  /** Occurrences of one error code (all accounts) in the window that raise a spike alert. */
  codeSpikeThreshold: number;
  /** Processing longer than this is alerted once per job. */
  stuckProcessingMs: number;
}

export const defaultAlertOptions: Readonly<AlertOptions> = Object.freeze({
  windowMs: 10 * 60_000,
  accountRateThreshold: 0.5,
  minSamples: 4,
  codeSpikeThreshold: 5,
  stuckProcessingMs: 10 * 60_000,
});

interface Sample {
  at: number;
  ok: boolean;
  code?: string;
}

/** An account's samples in the window, time-ordered, and how many of them succeeded. */
interface AccountWindow {
  samples: Sample[];
  ok: number;
}

/** A content failure (bad input, policy) counts for the per-code alerts but not against the account. */
export type AttemptResult = 'ok' | 'failure' | 'content_failure';

export class ErrorRateMonitor {
  private readonly byAccount = new Map<string, AccountWindow>();
  private readonly codes: Array<{ at: number; code: string }> = [];
  private readonly accountsHigh = new Set<string>();
  private readonly codesSpiking = new Set<string>();

  constructor(private readonly options: AlertOptions) {}

  /** Records one attempt's result; returns the alerts it triggers. */
  record(account: string, result: AttemptResult, code: string | undefined, now: number): Alert[] {
    const alerts: Alert[] = [];
    const window = this.window(account, now);
    const { samples } = window;
    if (result !== 'content_failure') {
      const at = firstIndexAbove(samples, now);
      if (at === samples.length) samples.push({ at: now, ok: result === 'ok', code });
      else samples.splice(at, 0, { at: now, ok: result === 'ok', code });
      if (result === 'ok') window.ok++;
    }
    if (result !== 'ok' && code) this.codes.push({ at: now, code });
    this.pruneCodes(now);
    const spikes = this.codeSpikes();
    if (samples.length === 0) return spikes;

    const failures = samples.length - window.ok;
    const rate = failures / samples.length;
    const { windowMs, accountRateThreshold, minSamples } = this.options;
    if (!this.accountsHigh.has(account) && samples.length >= minSamples && rate >= accountRateThreshold) {
      this.accountsHigh.add(account);
      const minutes = Math.round(windowMs / 60_000);
      const message = `account ${account}: ${failures} of ${samples.length} attempts failed in the last ${minutes} min`;
      alerts.push({ kind: 'error_rate_high', account, rate, count: failures, windowMs, message });
    } else if (this.accountsHigh.has(account) && rate < accountRateThreshold / 2) {
      this.accountsHigh.delete(account);
      const message = `account ${account}: error rate back to ${Math.round(rate * 100)}%`;
      alerts.push({ kind: 'error_rate_recovered', account, rate, count: failures, windowMs, message });
    }

    return [...alerts, ...spikes];
  }

  private codeSpikes(): Alert[] {
    const alerts: Alert[] = [];
    const { windowMs, codeSpikeThreshold } = this.options;
    const counts = new Map<string, number>();
    for (const c of this.codes) counts.set(c.code, (counts.get(c.code) ?? 0) + 1);
    for (const [c, n] of counts) {
      if (n >= codeSpikeThreshold && !this.codesSpiking.has(c)) {
        this.codesSpiking.add(c);
        const message = `${n} × ${c} in the last ${Math.round(windowMs / 60_000)} min`;
        alerts.push({ kind: 'error_code_spike', code: c, count: n, windowMs, message });
      }
    }
    for (const c of [...this.codesSpiking]) if ((counts.get(c) ?? 0) < codeSpikeThreshold) this.codesSpiking.delete(c);
    return alerts;
  }

  /** Success ratio in the window with a neutral prior (1 success, 1 failure): 0..1. */
  health(account: string, now: number): number {
    const { samples, ok } = this.window(account, now);
    return (ok + 1) / (samples.length + 2);
  }

  /** The account's samples still in the window. Kept sorted by time (inserted in order), so the
   * expired ones are a prefix: dropped in place instead of re-filtering every sample per call. */
  private window(account: string, now: number): AccountWindow {
    let window = this.byAccount.get(account);
    if (!window) {
      window = { samples: [], ok: 0 };
      this.byAccount.set(account, window);
    }
    const expired = firstIndexAbove(window.samples, now - this.options.windowMs);
    if (expired > 0) window.ok -= okCount(window.samples.splice(0, expired));
    return window;
  }

  private pruneCodes(now: number): void {
    while (this.codes.length && this.codes[0]!.at <= now - this.options.windowMs) this.codes.shift();
  }
}

function okCount(samples: readonly Sample[]): number {
  let ok = 0;
  for (const s of samples) if (s.ok) ok++;
  return ok;
}

/** In samples sorted by time: the index of the first one later than `at` (length if none). */
function firstIndexAbove(samples: readonly Sample[], at: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (samples[mid]!.at > at) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
