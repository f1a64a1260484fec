// A service whose posts live elsewhere (a server's shared queue): pipelineService over one pipeline (the
// front's: no accounts, no jobs) with `jobs` on another that posts on the sandbox. post, status (waited:
// no event of the front's pipeline fires, so it re-reads on the clock), list and the console's insight
// all go through the source; the source's own steps are shown after the recorded ones. The source's own
// dead-letter queue (a shared queue's dead jobs) is listed and replayed beside the front pipeline's.
import { MemoryStore } from '../../src';
import { pipelineJobs, pipelineService, recordTimelines, type PostingService } from '../../src/service';
import type { Pipeline } from '../../src/pipeline/pipeline';
import { setup, videoJob, type Harness } from '../pipeline/harness';

let h: Harness;
let front: Pipeline;
let service: PostingService;
let stopRecording: () => void;

beforeEach(async () => {
  h = await setup({ accounts: [{ id: 'a' }] });
  front = await h.reopen(new MemoryStore());
  const recorder = recordTimelines(h.pipeline);
  stopRecording = recorder.stop;
  service = pipelineService({
    pipeline: front,
    clock: h.clock,
    jobs: {
      ...pipelineJobs(h.pipeline),
      steps: async (job) => (await recorder.timeline(job.id)) ?? [],
      dlq: h.pipeline.dlq,
    },
    posterFor: () => {
      throw new Error('not used here');
    },
  });
});

afterEach(async () => {
  stopRecording();
  front.stop();
  await h.close();
});

test('post, waited status, list and insight read the injected source; one init reaches TikTok', async () => {
  const spec = { ...videoJob(h.sb), account: 'a', label: 'launch.csv:2' };
  const posted = await service.post(spec);
  expect(posted).toMatchObject({ account: 'a', reused: false });
  expect(h.pipeline.getJob(posted.jobId!)).toBeDefined();
  expect(front.listJobs()).toEqual([]);

  const done = await service.status({ jobId: posted.jobId! }, { budgetMs: 600_000 });
  expect(done).toMatchObject({ jobId: posted.jobId, state: 'published', status: 'PUBLISH_COMPLETE', final: true });
  expect(await service.status({ publishId: done.publishId! })).toMatchObject({ jobId: posted.jobId });
  expect(await service.post(spec)).toMatchObject({ jobId: posted.jobId, reused: true });
  expect(h.inits('a')).toBe(1);
  expect(h.posts('a')).toHaveLength(1);

  expect((await service.list()).map((p) => p.jobId)).toEqual([posted.jobId]);
  expect(await service.list({ state: 'dead' })).toEqual([]);
  const rows = await service.insight!.posts({ campaign: 'LAUNCH' });
  expect(rows.map((r) => [r.jobId, r.campaign, r.state])).toEqual([[posted.jobId, 'launch.csv:2', 'published']]);
  expect(await service.insight!.posts({ campaign: 'other' })).toEqual([]);
  const detail = await service.insight!.post(posted.jobId!);
  expect(detail!.timeline!.map((s) => s.step)).toEqual([
    'job_queued',
    'attempt_started',
    'job_accepted',
    'job_status',
    'job_published',
  ]);
  expect(await service.insight!.post('no-such-job')).toBeNull();
  await expect(service.jobError('no-such-job')).rejects.toThrow(/no post with job id/);
});

test("the source's dead letters: listed beside the front's, error shown, replayed through the source once", async () => {
  h.sb.admin.script('video.init', [
    { kind: 'error', status: 403, code: 'url_ownership_unverified', message: 'domain not verified' },
  ]);
  const posted = await service.post({ ...videoJob(h.sb), account: 'a' });
  await h.pipeline.drain();
  expect(await front.dlq.list()).toEqual([]);
  const [letter] = await service.dlq.list();
  expect(letter).toMatchObject({ jobId: posted.jobId, account: 'a', error: { code: 'url_ownership_unverified' } });
  expect(await service.jobError(posted.jobId!)).toMatchObject({ code: 'url_ownership_unverified' });
  expect(await service.dlq.replay(posted.jobId!)).toMatchObject({ jobId: posted.jobId, account: 'a' });
  await h.pipeline.drain();
  expect(await service.status({ jobId: posted.jobId! })).toMatchObject({ state: 'published' });
  expect(await service.dlq.list()).toEqual([]);
  expect(h.posts('a')).toHaveLength(1);
  await expect(service.dlq.replay(posted.jobId!)).rejects.toThrow(/no dead-lettered job/);
});
