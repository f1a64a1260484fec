// Server-requested waits. TikTok documents no rate-limit headers, but proxies and gateways send
// them, and honouring them is never wrong.

/** The longest server-requested wait honoured: a day (TikTok's longest window, the daily caps). A
 * larger or unparseably large value (400 digits is Infinity) would pause an endpoint forever. */
export const MAX_SERVER_WAIT_MS = 24 * 60 * 60_000;

/** Milliseconds to wait from `Retry-After` (delta seconds or an HTTP date) or `X-RateLimit-Reset`
 * (epoch seconds or milliseconds, or delta seconds when small), at most MAX_SERVER_WAIT_MS, or
 * undefined. Header names are matched case-insensitively. */
export function retryAfterFromHeaders(
  headers: Record<string, string | undefined> | undefined,
  now: number,
): number | undefined {
  const wait = parseServerWait(headers, now);
  return wait === undefined || Number.isNaN(wait) ? undefined : Math.min(wait, MAX_SERVER_WAIT_MS);
}

function parseServerWait(headers: Record<string, string | undefined> | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (typeof value === 'string') lower[name.toLowerCase()] = value.trim();

  const retryAfter = lower['retry-after'];
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = lower['x-ratelimit-reset'] ?? lower['x-rate-limit-reset'];
  if (reset && /^\d+(\.\d+)?$/.test(reset)) {
    const value = Number(reset);
    // Epoch milliseconds are ~1.7e12, epoch seconds ~1.7e9; below a year's worth of seconds it is a delta.
    if (value > 1e11) return Math.max(0, Math.ceil(value - now));
    return value > 31_536_000 ? Math.max(0, Math.ceil(value * 1000 - now)) : Math.ceil(value * 1000);
  }
  return undefined;
}
