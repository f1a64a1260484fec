// Invariants under the sandbox's seeded fault profiles (5xx, resets before and after processing,
// 429s, slow replies, async FAILED): whatever happens, no job is lost and none is posted twice.
import { setup, videoJob, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

for (const [profile, seed] of [
  ['flaky', 1],
  ['flaky', 2],
  ['flaky', 3],
  ['hostile', 4],
  ['hostile', 5],
] as const) {
  test(`${profile} TikTok (seed ${seed}): every job ends accounted for, and no caption is live twice`, async () => {
    h = await setup({
      faults: profile,
      seed,
      accounts: [
        { id: 'a', region: 'EU' },
        { id: 'b', region: 'EU' },
        { id: 'c', region: 'US' },
      ],
    });
    const { pipeline, sb, clock } = h;
    const specs = Array.from({ length: 18 }, (_, i) =>
      videoJob(sb, i % 3 === 0 ? { account: ['a', 'b', 'c'][i % 3] } : i % 3 === 1 ? { region: 'EU' } : {}),
    );
    await pipeline.submitMany(specs);
    await pipeline.drain();
    for (
      let pass = 0;
      pass < 3 && pipeline.listJobs().some((j) => j.state === 'unknown' || j.state === 'unconfirmed');
      pass++
    ) {
      await clock.advance(15 * 60_000);
      await pipeline.reconcileOnce();
    }

    const jobs = pipeline.listJobs();
    expect(jobs).toHaveLength(18);
    expect(sb.admin.requests().filter((r) => r.fault).length).toBeGreaterThan(3); // the faults did happen
    const live = sb.admin.posts().filter((p) => p.status !== 'FAILED');
    for (const job of jobs) {
      const mine = live.filter((p) => p.title === job.spec.title);
      // Never posted twice, whatever the faults did.
      expect(mine.length).toBeLessThanOrEqual(1);
      const expectations: Record<string, () => void> = {
        published: () => expect(mine).toHaveLength(1),
        delivered: () => expect(mine).toHaveLength(1),
        // A dead job is either a known failure (nothing live) or an unknown outcome a person must check.
        dead: () => expect(mine.length === 0 || job.lastError?.disposition === 'unknown_outcome').toBe(true),
        // Parked without a confirmation: at most the one post TikTok may have.
        unknown: () => undefined,
        unconfirmed: () => expect(mine).toHaveLength(1),
        deferred: () => undefined,
      };
      expect(Object.keys(expectations)).toContain(job.state);
      expectations[job.state]!();
      // The account that holds the post is the job's account.
      if (mine.length === 1) expect(mine[0]!.openId).toBe(h.openIds[job.account!]);
    }
    // Region rules held for routed EU jobs.
    for (const job of jobs.filter((j) => j.spec.region === 'EU')) expect(['a', 'b']).toContain(job.account);
    expect(jobs.filter((j) => j.state === 'published').length).toBeGreaterThanOrEqual(profile === 'flaky' ? 12 : 8);
  });
}
