// The real-time clock for Node. TOKPIPE_TIME_SCALE multiplies every wait (0.001 turns a minute of
// backoff into 60 ms) and makes now() run correspondingly faster, so windows and budgets still add up.
import type { Clock } from '../ports';

export interface SystemClockOptions {
  /** Real ms per virtual ms. Default: TOKPIPE_TIME_SCALE, else 1. */
  scale?: number;
}

export function timeScaleFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env.TOKPIPE_TIME_SCALE;
  if (raw === undefined || raw.trim() === '') return 1;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new RangeError(`TOKPIPE_TIME_SCALE must be a positive number, got "${raw}"`);
  }
  return scale;
}

export function systemClock(options: SystemClockOptions = {}): Clock & { readonly scale: number } {
  const scale = options.scale ?? timeScaleFromEnv();
  if (!Number.isFinite(scale) || scale <= 0) throw new RangeError(`time scale must be a positive number, got ${scale}`);
  const origin = Date.now();
  return {
    scale,
    now: () => (scale === 1 ? Date.now() : origin + (Date.now() - origin) / scale),
    sleep: (ms) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms * scale)) : Promise.resolve()),
  };
}
