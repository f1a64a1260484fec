// Backoff as TikTok sees it: the times of the requests that reached the sandbox.
import { startHarness, type Harness } from '../poster/harness';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

it('transient 5xx replies are retried with full-jitter exponential backoff (random fixed at 0.5)', async () => {
  h = await startHarness();
  h.sb.admin.script(
    'creator_info',
    [1, 2, 3].map(() => ({ kind: 'server_error' as const, status: 500, body: 'json' as const })),
  );
  await h.poster.creatorInfo();
  const calls = h.sb.admin.requests({ endpoint: 'creator_info' });
  expect(calls.map((r) => r.status)).toEqual([500, 500, 500, 200]);
  const gaps = calls.slice(1).map((r, i) => r.time - calls[i]!.time);
  // 0.5 × min(64 s, 1 s × 2^n): 500, 1000, 2000 ms.
  expect(gaps).toEqual([500, 1_000, 2_000]);
});

it('gives up after maxAttempts and reports the attempts in the error', async () => {
  h = await startHarness({ poster: { retry: { maxAttempts: 3 } } });
  h.sb.admin.script(
    'creator_info',
    [1, 2, 3, 4].map(() => ({ kind: 'server_error' as const, status: 503, body: 'html' as const })),
  );
  await expect(h.poster.creatorInfo()).rejects.toMatchObject({ details: { attempts: 3, retryable: true } });
  expect(h.count('creator_info')).toBe(3);
});

it('honours Retry-After on a 429 instead of the full minute', async () => {
  h = await startHarness({ config: { retryAfterSec: 7 } });
  h.sb.admin.script('creator_info', [{ kind: 'rate_limit', retryAfterSec: 7 }]);
  await h.poster.creatorInfo();
  const [first, second] = h.sb.admin.requests({ endpoint: 'creator_info' });
  expect(first!.status).toBe(429);
  expect(second!.status).toBe(200);
  expect(second!.time - first!.time).toBeGreaterThanOrEqual(7_000);
  expect(second!.time - first!.time).toBeLessThan(60_000);
});

it('a 429 without headers waits for the per-minute window', async () => {
  h = await startHarness();
  h.sb.admin.script('creator_info', [{ kind: 'rate_limit' }]);
  await h.poster.creatorInfo();
  const [first, second] = h.sb.admin.requests({ endpoint: 'creator_info' });
  expect(second!.time - first!.time).toBeGreaterThanOrEqual(60_000);
});
