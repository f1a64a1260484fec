// A post whose status replies cannot be read (an HTML page where JSON belongs) ends tracking as
// unconfirmed with what was received, in the event and on the job: never "TikTok is still processing".
import { eventsOf, setup, videoJob, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const GATEWAY_PAGE = {
  kind: 'garbled' as const,
  status: 200,
  body: '<html><body>Bad gateway</body></html>',
  contentType: 'text/html',
};

test('unreadable status replies until the budget ends: job_unconfirmed and the job carry the reason', async () => {
  h = await setup({ accounts: [{ id: 'a' }] });
  const { pipeline, sb } = h;
  sb.admin.script(
    'status',
    Array.from({ length: 20 }, () => GATEWAY_PAGE),
  );
  const { job } = await pipeline.submit(videoJob(sb, { account: 'a' }));
  await pipeline.drain();

  const polls = sb.admin.requests({ endpoint: 'status' }).length;
  expect(polls).toBeGreaterThan(1);
  const stored = pipeline.getJob(job.id)!;
  expect(stored.state).toBe('unconfirmed');
  expect(stored.lastError).toMatchObject({ disposition: 'unknown_outcome', retryable: false });
  expect(stored.lastError!.message).toContain(`No readable status for post ${stored.publishId} after ${polls} polls`);
  expect(stored.lastError!.message).not.toMatch(/still processing/i);
  const [event] = eventsOf(h.events, 'job_unconfirmed');
  expect(event).toMatchObject({ jobId: job.id, error: stored.lastError });
  expect(h.inits('a')).toBe(1);
});

test('a readable reply after unreadable ones leaves no such reason: the post was still processing', async () => {
  h = await setup({ accounts: [{ id: 'a' }], sandbox: { processingDelayMs: 60 * 60_000 } });
  const { pipeline, sb } = h;
  sb.admin.script('status', [GATEWAY_PAGE, GATEWAY_PAGE]);
  const { job } = await pipeline.submit(videoJob(sb, { account: 'a' }));
  await pipeline.drain();

  const stored = pipeline.getJob(job.id)!;
  expect(stored.state).toBe('unconfirmed');
  expect(stored.lastError).toBeUndefined();
  expect(eventsOf(h.events, 'job_unconfirmed')[0]!.error).toBeUndefined();
});
