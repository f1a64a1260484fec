// Pure pieces of the pipeline: the circuit breaker's state machine, rolling 24 h caps, and the
// error-rate alerts. (Their behaviour against the sandbox is in the pipeline tests.)
import { CircuitBreaker } from '../../src/pipeline/breaker';
import { CapTracker, DAY_MS } from '../../src/pipeline/caps';
import { ErrorRateMonitor, defaultAlertOptions } from '../../src/pipeline/alerts';
import type { AccountRecord } from '../../src/pipeline/types';

const opts = { failureThreshold: 3, cooldownMs: 60_000, maxCooldownMs: 240_000 };

test('breaker: opens after 3 consecutive failures, half-opens after the cooldown for one probe, closes on success', () => {
  const b = new CircuitBreaker(opts);
  expect(b.onFailure(0)).toBeUndefined();
  b.onSuccess(1); // a success resets the count
  b.onFailure(2);
  b.onFailure(3);
  expect(b.onFailure(4)).toBe('open');
  expect(b.allows(30_000)).toBe(false);
  expect(b.state(60_004)).toBe('half_open');
  expect(b.allows(60_004)).toBe(true);
  expect(b.onStart(60_004)).toBe(true);
  expect(b.allows(60_005)).toBe(false); // one probe at a time
  expect(b.onSuccess(61_000)).toBe('closed');
  expect(b.allows(61_000)).toBe(true);
});

test('breaker: a failed probe reopens it with a doubled cooldown, capped', () => {
  const b = new CircuitBreaker(opts);
  for (let i = 0; i < 3; i++) b.onFailure(0);
  b.onStart(60_000);
  expect(b.onFailure(60_000)).toBe('open');
  expect(b.openUntil()).toBe(180_000);
  b.onStart(180_000);
  b.onFailure(180_000);
  expect(b.openUntil()).toBe(180_000 + 240_000);
});

test('breaker: a neutral (content) result frees the probe slot without closing or opening', () => {
  const b = new CircuitBreaker(opts);
  for (let i = 0; i < 3; i++) b.onFailure(0);
  b.onStart(60_000);
  b.onNeutral();
  expect(b.state(60_000)).toBe('half_open');
  expect(b.allows(60_000)).toBe(true);
});

const account = (caps: Partial<AccountRecord['caps']> = {}, extra: Partial<AccountRecord> = {}): AccountRecord => ({
  id: 'a',
  scopes: [],
  caps: { directPerDay: 3, draftsPer24h: 2, ...caps },
  status: 'active',
  addedAt: 0,
  ...extra,
});

test('caps: rolling 24 h per mode; the next slot frees when the oldest use leaves the window', () => {
  const caps = new CapTracker();
  const a = account();
  caps.record('a', 'direct', 1_000);
  caps.record('a', 'direct', 2_000);
  caps.record('a', 'draft', 3_000);
  expect(caps.remaining(a, 'direct', 5_000)).toBe(1);
  expect(caps.remaining(a, 'draft', 5_000)).toBe(1);
  caps.record('a', 'direct', 4_000);
  expect(caps.remaining(a, 'direct', 5_000)).toBe(0);
  expect(caps.nextFreeAt(a, 'direct', 5_000)).toBe(1_000 + DAY_MS);
  expect(caps.remaining(a, 'direct', 1_000 + DAY_MS)).toBe(1);
});

test('caps: a block from TikTok (cap refused before our count) wins until it ends', () => {
  const caps = new CapTracker();
  const a = account({}, { capBlockedUntil: { direct: 50_000 } });
  expect(caps.remaining(a, 'direct', 10_000)).toBe(0);
  expect(caps.nextFreeAt(a, 'direct', 10_000)).toBe(50_000);
  expect(caps.remaining(a, 'direct', 50_000)).toBe(3);
  expect(caps.remaining(a, 'draft', 10_000)).toBe(2);
});

test('alerts: an account crossing the error-rate threshold alerts once, and again when it recovers', () => {
  const m = new ErrorRateMonitor({
    ...defaultAlertOptions,
    minSamples: 4,
    accountRateThreshold: 0.5,
    codeSpikeThreshold: 100,
  });
  const kinds: string[] = [];
  const rec = (r: 'ok' | 'failure', t: number) =>
    kinds.push(...m.record('a', r, r === 'ok' ? undefined : 'internal_error', t).map((x) => x.kind));
  rec('ok', 0);
  rec('failure', 1);
  rec('failure', 2);
  expect(kinds).toEqual([]); // 3 samples: below minSamples
  rec('failure', 3);
  expect(kinds).toEqual(['error_rate_high']);
  rec('failure', 4);
  expect(kinds).toEqual(['error_rate_high']); // not repeated
  // The failures leave the 10-min window; successes bring the rate down.
  const later = defaultAlertOptions.windowMs + 10;
  rec('ok', later);
  expect(kinds).toEqual(['error_rate_high', 'error_rate_recovered']);
});

test('alerts: per-code spikes across accounts; content failures count for codes but not against the account', () => {
  const m = new ErrorRateMonitor({ ...defaultAlertOptions, codeSpikeThreshold: 3, minSamples: 1 });
  const alerts = [
    ...m.record('a', 'content_failure', 'spam_risk_text', 0),
    ...m.record('b', 'content_failure', 'spam_risk_text', 1),
    ...m.record('c', 'content_failure', 'spam_risk_text', 2),
  ];
  expect(alerts.map((a) => [a.kind, a.code, a.count])).toEqual([['error_code_spike', 'spam_risk_text', 3]]);
  expect(m.health('a', 3)).toBe(0.5); // no samples: neutral prior
});
