// A smaller run of `npm run chaos` (same code): 100 posts over 20 accounts against the sandbox's
// hostile profile, one creator disconnecting mid-run. Every post ends published exactly once or in
// the DLQ with its classification; nothing is lost or posted twice.
import { runInProcessSoak } from './in-process';

test('chaos: 100 posts, 20 accounts, hostile sandbox: every post published once or dead-lettered with its classification', async () => {
  const r = await runInProcessSoak({ posts: 100, accounts: 20, seed: 11, revocations: 1, slowMs: 60, requestTimeoutMs: 250 });
  console.log(JSON.stringify({ ...r, printed: undefined }, null, 1));
  expect(r.violations).toEqual([]);
  expect(r.lost).toBe(0);
  expect(r.duplicates).toBe(0);
  expect(r.published + r.deadLettered).toBe(100);
}, 60_000);
