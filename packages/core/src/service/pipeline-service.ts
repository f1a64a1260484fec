// PostingService over core's Pipeline: the same store, accounts, jobs and DLQ the CLI uses. Posts go to and
// are read from a job source: the pipeline by default, a server's shared queue when it gives one (so MCP and
// the console see what the REST API sees). Waiting goes through the injected clock.
import { isFinalStatus } from '../catalog/statuses';
import type { CreatorInfo } from '../client/types';
import { inputError } from '../errors/classify';
import type { Pipeline } from '../pipeline/pipeline';
import type { AccountRecord, Job, JobSpec, PosterOutcome } from '../pipeline/types';
import { defaultPollSchedule } from '../polling';
import type { Clock } from '../ports';
import type { ByteSource } from '../types';
import type {
  AccountView,
  CreatorInfoView,
  DeadLetterView,
  PostingService,
  PostView,
  StatusRef,
  WaitOptions,
} from './service';
import { insightOf } from './insight';
import { combinedDlq, pipelineJobs, type JobSource } from './jobs';
import type { TimelineSource } from './timeline';
import { accountView, creatorInfoView, errorView, isSettledState, jobView } from './views';
import { validateSpec } from './validate';

/** What the backend needs from an account's poster outside the pipeline's own jobs. */
export interface AccountPoster {
  creatorInfo(): Promise<CreatorInfo>;
  status(publishId: string): Promise<PosterOutcome>;
}

export interface PipelineServiceOptions {
  pipeline: Pipeline;
  clock: Clock;
  /** A poster for an account (creator_info, the status of a publish_id no job holds). */
  posterFor(account: AccountRecord): AccountPoster;
  /** Opens a video file, to check it before posting (Node: fileByteSource). */
  openFile?: (path: string) => ByteSource | Promise<ByteSource>;
  /** Where post timelines are read from (recordTimelines(pipeline) started before the posts). */
  timelines?: TimelineSource;
  /** Where posts are submitted and read (post, status, list, insight). Default: the pipeline. */
  jobs?: JobSource;
  /** Called by close() (e.g. stop the pipeline and close the store). */
  onClose?: () => void | Promise<void>;
}

export function pipelineService(options: PipelineServiceOptions): PostingService {
  const { pipeline, clock } = options;
  const jobs = options.jobs ?? pipelineJobs(pipeline);
  // The pipeline's dead letters and the job source's (a shared queue's dead jobs), as one DLQ.
  const dlq = combinedDlq(pipeline.dlq, jobs.dlq);

  const account = (id: string): AccountRecord => {
    const record = pipeline.accounts.get(id);
    if (!record) throw inputError('account', `no account named ${JSON.stringify(id)} (list_accounts shows them)`);
    return record;
  };

  const onlyAccount = (): AccountRecord => {
    const active = pipeline.accounts.list().filter((a) => a.status === 'active');
    if (active.length === 1) return active[0]!;
    throw inputError(
      'account',
      active.length ? `${active.length} accounts are connected: name one` : 'no active account is connected',
    );
  };

  const creatorInfo = async (record: AccountRecord): Promise<CreatorInfoView> => {
    return creatorInfoView(record.id, await options.posterFor(record).creatorInfo());
  };

  const findJob = async (ref: StatusRef): Promise<Job | undefined> => {
    if (ref.jobId) return jobs.get(ref.jobId);
    return (await jobs.list({ publishId: ref.publishId, limit: 1 }))[0];
  };

  /** Resolves on the next pipeline event about this job, or after `ms` of the injected clock (a job the
   * pipeline does not hold, e.g. on a shared queue, has no events here: the wait is the clock's). */
  const changeOrTimeout = (jobId: string, ms: number): Promise<void> =>
    new Promise((resolve) => {
      const off = pipeline.on((event) => {
        if ('jobId' in event && event.jobId === jobId) done();
      });
      const done = (): void => {
        off();
        resolve();
      };
      void clock.sleep(ms).then(done);
    });

  const waitForJob = async (first: Job, wait: WaitOptions): Promise<Job> => {
    const budget = wait.budgetMs ?? defaultPollSchedule.budgetMs;
    const started = clock.now();
    let step = 0;
    let job = first;
    for (;;) {
      const left = budget - (clock.now() - started);
      if (isSettledState(job.state) || left <= 0) return job;
      step++;
      await wait.onProgress?.({ progress: step, message: `${job.state}${job.status ? ` (${job.status})` : ''}` });
      // The polling schedule's own intervals bound each wait; a pipeline event ends it sooner.
      const interval = defaultPollSchedule.delaysMs[step - 1] ?? defaultPollSchedule.thenEveryMs;
      await changeOrTimeout(job.id, Math.min(interval, left));
      job = (await jobs.get(job.id)) ?? job;
    }
  };

  const outcomeView = (outcome: PosterOutcome, accountId: string): PostView => ({
    jobId: null,
    idempotencyKey: outcome.idempotencyKey ?? null,
    reused: false,
    account: accountId,
    state:
      outcome.status === 'FAILED'
        ? 'dead'
        : outcome.status === 'PUBLISH_COMPLETE'
          ? 'published'
          : outcome.status === 'SEND_TO_USER_INBOX'
            ? 'delivered'
            : 'accepted',
    status: outcome.status,
    final: isFinalStatus(outcome.status),
    publishId: outcome.publishId ?? null,
    postIds: [...outcome.postIds],
    attempts: outcome.attempts ?? 0,
    label: null,
    error: outcome.error ? errorView(outcome.error) : null,
  });

  const healthOf = (id: string) => pipeline.health().find((h) => h.account === id);

  return {
    accounts: {
      async list(): Promise<AccountView[]> {
        const now = clock.now();
        const views: AccountView[] = [];
        for (const record of pipeline.accounts.list()) {
          views.push(accountView(record, healthOf(record.id), await pipeline.accounts.getToken(record.id), now));
        }
        return views;
      },
      async creatorInfo(id?: string): Promise<CreatorInfoView> {
        return creatorInfo(id ? account(id) : onlyAccount());
      },
    },

    validate: (spec) =>
      validateSpec(spec, {
        accounts: pipeline.accounts.list(),
        health: pipeline.health(),
        openFile: options.openFile,
        creatorInfo: (record) => options.posterFor(record).creatorInfo(),
      }),

    async post(spec: JobSpec): Promise<PostView> {
      const { job, created } = await jobs.submit(spec);
      return jobView(job, !created);
    },

    async status(ref: StatusRef, wait?: WaitOptions): Promise<PostView> {
      if (!ref.jobId && !ref.publishId) throw inputError('publishId', 'give a jobId or a publishId');
      const job = await findJob(ref);
      if (job) return jobView(wait ? await waitForJob(job, wait) : job);
      if (ref.jobId) throw inputError('jobId', `no post with job id ${ref.jobId} (list_posts shows them)`);
      // A publish_id tokpipe did not post (or posted from another store): ask TikTok.
      const record = ref.account ? account(ref.account) : onlyAccount();
      const poster = options.posterFor(record);
      let outcome = await poster.status(ref.publishId!);
      const budget = wait ? (wait.budgetMs ?? defaultPollSchedule.budgetMs) : 0;
      const started = clock.now();
      for (let step = 0; wait && !outcomeView(outcome, record.id).final; step++) {
        const left = budget - (clock.now() - started);
        if (left <= 0 || outcome.error) break;
        await wait.onProgress?.({ progress: step + 1, message: outcome.status });
        await clock.sleep(Math.min(defaultPollSchedule.delaysMs[step] ?? defaultPollSchedule.thenEveryMs, left));
        outcome = await poster.status(ref.publishId!);
      }
      return outcomeView(outcome, record.id);
    },

    async list(filter = {}): Promise<PostView[]> {
      return (await jobs.list({ ...filter, limit: filter.limit ?? 20 })).map((j) => jobView(j));
    },

    dlq: {
      async list(): Promise<DeadLetterView[]> {
        return (await dlq.list()).map((e) => ({
          jobId: e.jobId,
          account: e.account ?? null,
          label: e.spec.idempotencyKey ?? e.spec.label ?? null,
          at: e.at,
          attempts: e.attempts,
          publishId: e.publishId ?? null,
          error: errorView(e.error),
        }));
      },
      async replay(jobId, replayOptions = {}): Promise<PostView> {
        return jobView(await dlq.replay(jobId, replayOptions));
      },
    },

    async reconcile() {
      const result = await pipeline.reconcileOnce();
      const stillOpen = pipeline
        .listJobs()
        .filter((j) => j.state === 'unconfirmed' || j.state === 'unknown' || j.state === 'accepted');
      if (!jobs.reconcile) return { ...result, stillOpen: stillOpen.map((j) => jobView(j)) };
      // The job source's own parked posts too (a shared queue's): its sweep, then what is still open there.
      const swept = await jobs.reconcile();
      const parked = [
        ...(await jobs.list({ state: 'unconfirmed', limit: 100 })),
        ...(await jobs.list({ state: 'unknown', limit: 100 })),
      ].filter((j) => !pipeline.getJob(j.id));
      return {
        checked: result.checked + swept.checked,
        resolved: result.resolved + swept.settled,
        stillOpen: [...stillOpen, ...parked].map((j) => jobView(j)),
      };
    },

    async jobError(jobId: string) {
      const job = await jobs.get(jobId);
      if (!job) throw inputError('jobId', `no post with job id ${jobId}`);
      const entry = await dlq.show(jobId);
      const details = entry?.error ?? job.lastError;
      return details ? errorView(details) : null;
    },

    insight: insightOf(pipeline, options.timelines, jobs),

    async close() {
      await options.onClose?.();
    },
  };
}
