// Issue 14 item 6: a job's `attempts` is the number of init requests TikTok may have seen, whatever
// happened around them (a pre-flight that failed sends no init; a retried init is two).
import { setup, videoJob, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

test('attempts = inits sent: a 5xx init retried by the pipeline counts twice, a failed pre-flight not at all', async () => {
  h = await setup({ accounts: [{ id: 'a' }], pipeline: { retryBaseDelayMs: 1_000 } });
  const { pipeline, sb } = h;
  sb.admin.script('video.init', [{ kind: 'server_error', status: 500, body: 'json' }]);
  const retried = await pipeline.submit(videoJob(sb, { account: 'a' }));
  await pipeline.drain();
  expect(pipeline.getJob(retried.job.id)).toMatchObject({ state: 'published', attempts: 2, retries: 1 });
  expect(h.inits('a')).toBe(2);

  sb.admin.script('creator_info', [{ kind: 'server_error', status: 500, body: 'json' }]);
  const preflight = await pipeline.submit(videoJob(sb, { account: 'a' }));
  await pipeline.drain();
  expect(pipeline.getJob(preflight.job.id)).toMatchObject({ state: 'published', attempts: 1, retries: 1 });
  expect(h.inits('a')).toBe(3);
});
