// A smaller run of `npm run chaos` (the same code): 100 posts over 20 accounts against the sandbox's
// hostile profile, one creator disconnecting mid-run. Every post ends published exactly once or in
// the DLQ with its classification (and TikTok's log_id when TikTok replied); nothing is lost or
// posted twice, checked against every post the sandbox holds.
import { runInProcessSoak } from './in-process';
import { runKillSoak } from './kill-restart';

test('chaos: 100 posts, 20 accounts, hostile sandbox: each published exactly once or dead-lettered with its classification', async () => {
  const r = await runInProcessSoak({
    posts: 100,
    accounts: 20,
    seed: 11,
    revocations: 1,
    slowMs: 60,
    requestTimeoutMs: 250,
  });
  expect(r.violations).toEqual([]);
  expect({ lost: r.lost, duplicates: r.duplicates, finished: r.published + r.deadLettered }).toEqual({
    lost: 0,
    duplicates: 0,
    finished: 100,
  });
  // The run really was hostile: faults of every kind hit it, and most posts still made it.
  for (const kind of ['server_error', 'reset', 'rate_limit', 'async_fail'])
    expect(r.faults[kind] ?? 0).toBeGreaterThan(0);
  expect(r.events.account_status).toBeGreaterThanOrEqual(1); // the disconnected creator
  expect(r.published).toBeGreaterThan(60);
  expect(r.webhooks.received).toBeGreaterThan(50);
}, 90_000);

test('chaos on the embedded SQL engine (PGlite store): 100 posts, 20 accounts, hostile: the same guarantees', async () => {
  const r = await runInProcessSoak({
    posts: 100,
    accounts: 20,
    seed: 11,
    revocations: 1,
    slowMs: 60,
    requestTimeoutMs: 250,
    engine: 'embedded',
  });
  expect(r.violations).toEqual([]);
  const finished = r.published + r.deadLettered;
  expect({ lost: r.lost, duplicates: r.duplicates, finished }).toEqual({ lost: 0, duplicates: 0, finished: 100 });
  expect(r.published).toBeGreaterThan(60);
}, 240_000);

test('chaos, SIGKILL variant: the pipeline process is killed at random moments and restarted on its FileStore; same guarantees', async () => {
  const r = await runKillSoak({
    posts: 30,
    accounts: 10,
    seed: 21,
    kills: 3,
    killAfter: { events: [5, 80] },
    scale: 0.002,
    revocations: 0,
    slowMs: 60,
    requestTimeoutMs: 500,
    reconcileWindowMs: 20 * 60_000,
  });
  expect(r.kills).toBe(3);
  expect(r.violations).toEqual([]);
  expect({ lost: r.lost, duplicates: r.duplicates, finished: r.published + r.deadLettered }).toEqual({
    lost: 0,
    duplicates: 0,
    finished: 30,
  });
  expect(r.published).toBeGreaterThan(0);
}, 90_000);

test('chaos, SIGKILL variant on the embedded SQL engine (PGlite): killed at random moments and restarted; same guarantees', async () => {
  const r = await runKillSoak({
    posts: 30,
    accounts: 10,
    seed: 22,
    kills: 3,
    killAfter: { events: [5, 80] },
    scale: 0.002,
    revocations: 0,
    slowMs: 60,
    requestTimeoutMs: 500,
    reconcileWindowMs: 20 * 60_000,
    engine: 'embedded',
  });
  expect(r.kills).toBe(3);
  expect(r.violations).toEqual([]);
  const finished = r.published + r.deadLettered;
  expect({ lost: r.lost, duplicates: r.duplicates, finished }).toEqual({ lost: 0, duplicates: 0, finished: 30 });
  expect(r.published).toBeGreaterThan(0);
}, 300_000);
