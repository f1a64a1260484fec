import { VirtualClock } from '../../src/clock';
import { backoffDelay, decideRetry, resolveRetryPolicy, retry, retryAfterFromHeaders } from '../../src/retry';
import type { Disposition, ErrorDetails } from '../../src/errors/types';

// A classified error as core-client's TokpipeError carries it (only `details` matters to retry).
function classified(code: string, disposition: Disposition, retryable: boolean, extra: Partial<ErrorDetails> = {}) {
  const details: ErrorDetails = {
    layer: 'application',
    code,
    disposition,
    category: retryable ? 'retryable' : 'not_retryable',
    retryable,
    action: 'test',
    message: code,
    attempts: 1,
    ...extra,
  };
  return Object.assign(new Error(code), { details });
}

const fixed = (v: number) => () => v;

describe('backoff', () => {
  it('is full jitter over min(cap, base * 2^n)', () => {
    const policy = resolveRetryPolicy();
    expect(backoffDelay(1, policy, fixed(0.999999))).toBe(999);
    expect(backoffDelay(3, policy, fixed(0.5))).toBe(2_000);
    expect(backoffDelay(7, policy, fixed(0.999999))).toBe(63_999);
    expect(backoffDelay(20, policy, fixed(0.999999))).toBe(63_999); // capped at 64 s
    expect(backoffDelay(5, policy, fixed(0))).toBe(0);
  });

  it('rejects nonsense policies naming the field', () => {
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(/retry.maxAttempts/);
    expect(() => resolveRetryPolicy({ baseDelayMs: -1 })).toThrow(/retry.baseDelayMs/);
  });
});

describe('retry-after headers', () => {
  const now = Date.UTC(2026, 0, 1);
  it.each([
    [{ 'Retry-After': '7' }, 7_000],
    [{ 'retry-after': new Date(now + 12_000).toUTCString() }, 12_000],
    [{ 'X-RateLimit-Reset': String(now / 1000 + 30) }, 30_000],
    [{ 'x-ratelimit-reset': '45' }, 45_000],
    [{ 'X-RateLimit-Reset': String(now + 20_000) }, 20_000], // epoch milliseconds
    [{ 'X-RateLimit-Reset': String(now / 1000 - 5) }, 0], // a reset already past: go now
    [{ 'Retry-After': '0' }, 0],
    [{ 'Retry-After': '1.5', 'X-RateLimit-Reset': '60' }, 1_500], // Retry-After wins
    [{ 'Retry-After': '9'.repeat(400) }, 86_400_000], // Infinity as a double: capped at a day, never forever
    [{ 'Retry-After': `${'9'.repeat(400)}.5` }, 86_400_000],
    [{ 'Retry-After': '172800' }, 86_400_000], // two days: capped at one
    [{ 'X-RateLimit-Reset': '9'.repeat(400) }, 86_400_000],
    [{}, undefined],
    [{ 'retry-after': 'soon' }, undefined],
  ])('%j → %s ms', (headers, expected) => {
    expect(retryAfterFromHeaders(headers, now)).toBe(expected);
  });
});

describe('decideRetry', () => {
  const policy = resolveRetryPolicy();
  it('backs off on transient errors and honours a server wait', () => {
    expect(decideRetry(classified('internal_error', 'retry', true), 1, policy, fixed(0.5))).toEqual({
      retry: true,
      delayMs: 500,
    });
    expect(
      decideRetry(classified('internal_error', 'retry', true, { retryAfterMs: 9_000 }), 1, policy, fixed(0.5)),
    ).toEqual({ retry: true, delayMs: 9_000 });
  });

  it('waits the per-minute window for rate_limit_exceeded without headers', () => {
    const d = decideRetry(classified('rate_limit_exceeded', 'wait_for_quota', true), 1, policy, fixed(0));
    expect(d).toEqual({ retry: true, delayMs: 60_000 });
  });

  it.each([
    ['timeout', 'unknown_outcome', true],
    ['invalid_param', 'fix_input', false],
    ['spam_risk_too_many_posts', 'route_to_another_account', false],
    ['access_token_invalid', 'retry_after_refresh', true],
    ['invalid_grant', 'reauthorize', false],
  ] as const)('never retries %s (%s)', (code, disposition, retryable) => {
    expect(decideRetry(classified(code, disposition, retryable), 1, policy, fixed(0.5)).retry).toBe(false);
  });

  it('does not retry unclassified errors', () => {
    expect(decideRetry(new Error('boom'), 1, policy, fixed(0.5)).retry).toBe(false);
  });
});

describe('retry runner', () => {
  it('retries transient failures on the clock and reports the attempts', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: true });
    const calls: number[] = [];
    const result = await retry(
      async (attempt) => {
        calls.push(clock.now());
        if (attempt < 3) throw classified('internal_error', 'retry', true);
        return 'ok';
      },
      { clock, random: fixed(0.5) },
    );
    expect(result).toBe('ok');
    expect(calls).toEqual([0, 500, 1_500]);
  });

  it('stops at maxAttempts and stamps the attempt count on the error', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: true });
    let calls = 0;
    const error = await retry(
      async () => {
        calls++;
        throw classified('internal_error', 'retry', true);
      },
      { clock, random: fixed(0.5), policy: { maxAttempts: 3 } },
    ).catch((e: unknown) => e as { details: ErrorDetails });
    expect(calls).toBe(3);
    expect(error.details.attempts).toBe(3);
  });

  it('never starts a wait that ends past the time budget', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: true });
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw classified('rate_limit_exceeded', 'wait_for_quota', true);
        },
        { clock, random: fixed(0), policy: { budgetMs: 30_000 } },
      ),
    ).rejects.toThrow('rate_limit_exceeded');
    expect(calls).toBe(1);
    expect(clock.now()).toBe(0);
  });

  it('custom decisions are still bounded by maxAttempts', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: true });
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error('always');
        },
        { clock, policy: { maxAttempts: 4 }, decide: () => ({ retry: true, delayMs: 10 }) },
      ),
    ).rejects.toThrow('always');
    expect(calls).toBe(4);
  });

  it('does not retry a permanent failure', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: true });
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw classified('privacy_level_option_mismatch', 'fix_input', false);
        },
        { clock },
      ),
    ).rejects.toThrow();
    expect(calls).toBe(1);
  });
});
