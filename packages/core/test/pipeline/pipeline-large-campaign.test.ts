// Issue 14 item 1: a campaign far larger than the accounts' daily caps. Scheduling must not recurse
// once per row (8,000+ rows used to overflow the stack), and drain() must end once nothing more can be
// posted in the current cap window, with every other row deferred to the time its slot frees.
import { DAY_MS } from '../../src/pipeline';
import { setup, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ROWS = 20_000;
const ACCOUNTS = 20;
const CAP = 15;

function rows(sb: Harness['sb'], n: number, account: (i: number) => string | undefined) {
  return Array.from({ length: n }, (_, i) => ({
    mode: 'direct' as const,
    media: { type: 'video_url' as const, url: `${sb.url}/media/sample.mp4` },
    title: `big campaign row ${i} #tokpipe`,
    privacyLevel: 'PUBLIC_TO_EVERYONE' as const,
    idempotencyKey: `row-${i}`,
    ...(account(i) ? { account: account(i) } : {}),
  }));
}

const ids = Array.from({ length: ACCOUNTS }, (_, i) => `acct-${String(i + 1).padStart(2, '0')}`);

async function runAndCheck(h: Harness, expectedPublished: number): Promise<void> {
  const { pipeline, sb } = h;
  await pipeline.drain();
  const jobs = pipeline.listJobs();
  expect(jobs).toHaveLength(ROWS);
  const byState = new Map<string, number>();
  for (const j of jobs) byState.set(j.state, (byState.get(j.state) ?? 0) + 1);
  // Exactly the cap on every account was posted; every other row waits for its slot, none lost.
  expect(byState.get('published')).toBe(expectedPublished);
  expect(byState.get('deferred')).toBe(ROWS - expectedPublished);
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(expectedPublished);
  expect(sb.admin.posts().length).toBe(expectedPublished);
  // attempts counts inits sent, nothing else (a row deferred before any init shows 0).
  expect(jobs.reduce((sum, j) => sum + j.attempts, 0)).toBe(expectedPublished);
  expect(byState.get('deferred')! - jobs.filter((j) => j.state === 'deferred' && j.attempts === 0).length).toBe(0);
  const now = h.clock.now();
  const firstUse = Math.min(...jobs.filter((j) => j.acceptedAt !== undefined).map((j) => j.acceptedAt!));
  for (const j of jobs) {
    if (j.state !== 'deferred') continue;
    // Its time is in a later cap window.
    expect(j.dueAt!).toBeGreaterThan(now);
    expect(j.dueAt!).toBeGreaterThanOrEqual(firstUse + DAY_MS);
  }
}

test(`${ROWS} routed rows over ${ACCOUNTS} accounts: the run ends after the caps, the rest deferred`, async () => {
  h = await setup({ accounts: ids.map((id) => ({ id })) });
  await h.pipeline.submitMany(rows(h.sb, ROWS, () => undefined));
  await runAndCheck(h, ACCOUNTS * CAP);
  for (const id of ids) expect(h.posts(id)).toHaveLength(CAP);

  // A later run, once the first slots free: the next cap window's worth is posted, nothing twice.
  h.pipeline.stop();
  await h.clock.advance(DAY_MS + 60 * 60_000);
  const later = await h.reopen(h.store);
  await later.drain();
  later.stop();
  const states = later.listJobs().map((j) => j.state);
  expect(states.filter((s) => s === 'published')).toHaveLength(2 * ACCOUNTS * CAP);
  expect(states.filter((s) => s === 'deferred')).toHaveLength(ROWS - 2 * ACCOUNTS * CAP);
  expect(h.sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(2 * ACCOUNTS * CAP);
}, 120_000);

test(`${ROWS} rows, most pinned to one account: that account posts its cap, the others theirs`, async () => {
  h = await setup({ accounts: ids.map((id) => ({ id })) });
  // 95 % on acct-01, the rest spread over the other 19 (each gets more rows than its cap).
  const pinned = (i: number): string => (i % 20 === 0 ? ids[1 + ((i / 20) % (ACCOUNTS - 1))]! : ids[0]!);
  await h.pipeline.submitMany(rows(h.sb, ROWS, pinned));
  await runAndCheck(h, ACCOUNTS * CAP);
  expect(h.posts('acct-01')).toHaveLength(CAP);
}, 120_000);
