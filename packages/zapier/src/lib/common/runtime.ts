// The clock every wait in a perform goes through, and the perform's time budget. Production uses
// real time; tests swap in core's VirtualClock (shared with the sandbox) so minutes of backoff or a
// rate-limit window take no real time.
import type { Clock, Random, Transport } from '@tokpipe/core';
import { cryptoRandom } from '@tokpipe/core';
import { systemClock } from '@tokpipe/core/node';
import type { ZapierCache } from './cache-store';
import { DOWNLOAD_IDLE_MS, PERFORM_BUDGET_MS } from './config';

export interface Runtime {
  clock: Clock;
  random: Random;
  /** How long one perform may spend on TikTok calls, retries and waits (Zapier kills it at 30 s). */
  performBudgetMs: number;
  /** A file download that delivers no byte for this long is given up (a connection dropped mid-file
   * never ends the body otherwise). Real time, like any socket timeout. */
  downloadIdleMs: number;
  /** Tests: wrap the transport (e.g. VirtualClock.trackTransport, so time never jumps during I/O). */
  wrapTransport?: (transport: Transport) => Transport;
  /** Tests: a z.cache that honours `nx` like Zapier's (the appTester's ignores it). */
  cache?: ZapierCache;
}

// Real time, unscaled: Zapier's 30 s limit is wall-clock time.
const production = (): Runtime => ({
  clock: systemClock({ scale: 1 }),
  random: cryptoRandom,
  performBudgetMs: PERFORM_BUDGET_MS,
  downloadIdleMs: DOWNLOAD_IDLE_MS,
});

let current: Runtime = production();

export function runtime(): Runtime {
  return current;
}

/** Tests only: replace parts of the runtime; returns a function that restores production. */
export function overrideRuntime(parts: Partial<Runtime>): () => void {
  current = { ...current, ...parts };
  return () => {
    current = production();
  };
}
