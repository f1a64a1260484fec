// The console's reads over a real Pipeline and sandbox: a post's timeline recorded from the pipeline's
// events (each failed attempt with TikTok's code, log_id and redacted reply), account insight while
// the breaker is open (cooldown end, last error) and the post search filters.
import { pipelineService, recordTimelines, type PostingService, type TimelineRecorder } from '../../src/service';
import { setup, videoJob, type Harness } from '../pipeline/harness';

let h: Harness;
let timelines: TimelineRecorder;
let service: PostingService;

beforeEach(async () => {
  h = await setup({ accounts: [{ id: 'a' }, { id: 'b' }] });
  timelines = recordTimelines(h.pipeline);
  service = pipelineService({
    pipeline: h.pipeline,
    clock: h.clock,
    timelines,
    posterFor: () => {
      throw new Error('not used here');
    },
  });
});

afterEach(async () => {
  timelines.stop();
  await h.close();
});

const settled = (id: string) => ['published', 'delivered', 'dead'].includes(h.pipeline.getJob(id)?.state ?? '');

async function until(cond: () => boolean, what: string): Promise<void> {
  const giveUpAt = Date.now() + 15_000;
  while (!cond()) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('three 500s open the breaker: insight says until when, and the timeline has each attempt with its log_id', async () => {
  h.sb.admin.script('video.init', Array(3).fill({ kind: 'server_error', status: 500, body: 'json' }));
  let openSeen: { now: number; until: number | null; lastError: string | null } | undefined;
  const off = h.pipeline.on((event) => {
    if (event.type !== 'breaker' || event.state !== 'open' || openSeen) return;
    h.clock.setAutoAdvance(false); // hold time where the breaker opened
    void service.insight!.accounts().then((all) => {
      const a = all.find((x) => x.id === 'a')!;
      openSeen = { now: h.clock.now(), until: a.breakerOpenUntil, lastError: a.lastError?.code ?? null };
      h.clock.setAutoAdvance(true);
    });
  });
  const { job } = await h.pipeline.submit({
    ...videoJob(h.sb),
    account: 'a',
    label: 'launch.csv:2',
    idempotencyKey: 'launch-1',
  });
  await until(() => settled(job.id), 'the post');
  off();
  expect(h.pipeline.getJob(job.id)!.state).toBe('published');
  expect(openSeen).toBeDefined();
  expect(openSeen!.until).toBeGreaterThan(openSeen!.now);
  expect(openSeen!.lastError).toBe('internal_error');

  const detail = (await service.insight!.post(job.id))!;
  const failed = detail.timeline!.filter((s) => s.error);
  expect(failed).toHaveLength(3);
  for (const step of failed) {
    expect(step.step).toBe('retry_scheduled');
    expect(step.error).toMatchObject({ code: 'internal_error', class: 'retryable', httpStatus: 500 });
    expect(step.error!.logId).toMatch(/\w{8,}/);
    expect(JSON.stringify(step.raw)).toContain('internal_error');
  }
  expect(detail.timeline!.filter((s) => s.step === 'attempt_started')).toHaveLength(4);
  expect(detail.timeline!.at(-1)).toMatchObject({ step: 'job_published' });
  expect(detail.post).toMatchObject({ campaign: 'launch.csv:2', mode: 'direct', state: 'published' });
  expect(detail.sent).toMatchObject({ idempotencyKey: 'launch-1', account: 'a' });
});

test('post search: by account, state, campaign text and submission time', async () => {
  const first = await h.pipeline.submit({ ...videoJob(h.sb), account: 'a', label: 'spring.csv:2' });
  await until(() => settled(first.job.id), 'the first post');
  const later = h.clock.now();
  const second = await h.pipeline.submit({ ...videoJob(h.sb), account: 'b', label: 'autumn.csv:2' });
  await until(() => settled(second.job.id), 'the second post');
  const ids = async (search: Parameters<NonNullable<PostingService['insight']>['posts']>[0]) =>
    (await service.insight!.posts(search)).map((p) => p.jobId);
  expect(await ids({ account: 'a' })).toEqual([first.job.id]);
  expect(await ids({ campaign: 'AUTUMN' })).toEqual([second.job.id]);
  expect(await ids({ since: later })).toEqual([second.job.id]);
  expect(await ids({ until: later })).toEqual([first.job.id]);
  expect(await ids({ state: 'dead' })).toEqual([]);
  expect(await ids({})).toEqual([second.job.id, first.job.id]);
});
