// The limiter as TikTok sees it: bursts through core never earn a rate_limit_exceeded.
import { createPoster } from '../../src/poster';
import { startHarness, type Harness } from '../poster/harness';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

it('40 status checks in a burst: 30 in the first minute, the rest after, no 429', async () => {
  h = await startHarness({ config: { downloadDelayMs: 3_600_000 } });
  const accepted = await h.poster.post({
    mode: 'direct',
    media: { type: 'video_url', url: h.mediaUrl() },
    privacyLevel: 'SELF_ONLY',
  });
  await Promise.all(Array.from({ length: 40 }, () => h.poster.status(accepted.publishId!)));
  const calls = h.sb.admin.requests({ endpoint: 'status' });
  expect(calls).toHaveLength(40);
  expect(calls.filter((r) => r.status !== 200)).toHaveLength(0);
  for (let i = 30; i < calls.length; i++) expect(calls[i]!.time - calls[i - 30]!.time).toBeGreaterThanOrEqual(60_000);
});

it('25 creator_info calls: never more than 20 a minute reach TikTok', async () => {
  h = await startHarness();
  await Promise.all(Array.from({ length: 25 }, () => h.poster.creatorInfo()));
  const calls = h.sb.admin.requests({ endpoint: 'creator_info' });
  expect(calls.filter((r) => r.status === 429)).toHaveLength(0);
  expect(calls[20]!.time - calls[0]!.time).toBeGreaterThanOrEqual(60_000);
});

it('two accounts do not share a window', async () => {
  h = await startHarness();
  const second = h.sb.admin.createUser();
  const token = h.sb.admin.issueToken(second.openId, { scope: 'video.publish,video.upload' });
  const other = createPoster({
    baseUrl: h.sb.url,
    transport: h.transport,
    clock: h.clock,
    auth: { getAccessToken: async () => token.accessToken, openId: async () => second.openId },
    requestTimeoutMs: 3_000,
  });
  const started = h.clock.now();
  await Promise.all([
    ...Array.from({ length: 20 }, () => h.poster.creatorInfo()),
    ...Array.from({ length: 20 }, () => other.creatorInfo()),
  ]);
  expect(h.clock.now()).toBe(started); // 20 each: nobody waited
  expect(h.count('creator_info')).toBe(40);
});
