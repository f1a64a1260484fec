// Where a service's posts are submitted and read from. By default this process's pipeline; a server on
// PostgreSQL gives its shared queue (the server's PostBackend), so the REST API, MCP and the console all
// see the same posts, whichever process made them. Pure: the source is injected.
import type { DeadLetter } from '../pipeline/dlq';
import type { Pipeline } from '../pipeline/pipeline';
import type { Job, JobSpec } from '../pipeline/types';
import type { TimelineStep } from './timeline';

export interface JobFilter {
  account?: string;
  /** core's job state (queued, published, dead, ...). */
  state?: string;
  /** Submitted at or after / before (epoch ms). */
  since?: number;
  until?: number;
  /** Part of the label or idempotency key, any case (a campaign's rows share their file name or key prefix). */
  campaign?: string;
  /** TikTok's publish_id. */
  publishId?: string;
  /** Only these accounts (a key limited to accounts). */
  accounts?: readonly string[];
  limit: number;
}

export interface JobSource {
  submit(spec: JobSpec): Promise<{ job: Job; created: boolean }>;
  get(id: string): Promise<Job | undefined>;
  /** Newest first. */
  list(filter: JobFilter): Promise<Job[]>;
  /** Steps recorded outside the service's timeline source (a queue post's attempts, by whichever worker
   * made them), shown after the recorded ones. */
  steps?(job: Job): Promise<TimelineStep[]>;
  /** Dead letters the pipeline's DLQ does not hold (a shared queue's dead jobs), replayed here. */
  dlq?: JobDlq;
  /** A reconciliation sweep of the posts the pipeline does not hold (a shared queue's parked posts). */
  reconcile?(): Promise<{ checked: number; settled: number }>;
}

export interface ReplayOptions {
  account?: string;
  force?: boolean;
}

/** A dead-letter queue as every front end reads it: list (oldest first), show, replay as a new post. */
export interface JobDlq {
  list(): Promise<DeadLetter[]>;
  show(jobId: string): Promise<DeadLetter | undefined>;
  replay(jobId: string, options?: ReplayOptions): Promise<Job>;
}

/** The pipeline's DLQ and a job source's own (when it has one) as one: a job id is in one of them. */
export function combinedDlq(base: JobDlq, extra: JobDlq | undefined): JobDlq {
  if (!extra) return base;
  return {
    async list() {
      const [a, b] = await Promise.all([base.list(), extra.list()]);
      return [...a, ...b].sort((x, y) => x.at - y.at);
    },
    show: async (jobId) => (await base.show(jobId)) ?? extra.show(jobId),
    async replay(jobId, options) {
      return (await base.show(jobId)) ? base.replay(jobId, options) : extra.replay(jobId, options);
    },
  };
}

/** The jobs `filter` keeps (in the order given; `limit` is the caller's). */
export function filterJobs(jobs: readonly Job[], filter: Omit<JobFilter, 'limit'>): Job[] {
  const campaign = filter.campaign?.toLowerCase();
  return jobs.filter((j) => {
    const account = j.account ?? j.spec.account;
    return (
      (!filter.accounts || (account !== undefined && filter.accounts.includes(account))) &&
      (!filter.account || j.account === filter.account) &&
      (!filter.state || j.state === filter.state) &&
      (!filter.publishId || j.publishId === filter.publishId) &&
      (!campaign || [j.spec.label, j.spec.idempotencyKey].some((s) => s?.toLowerCase().includes(campaign))) &&
      (filter.since === undefined || j.submittedAt >= filter.since) &&
      (filter.until === undefined || j.submittedAt < filter.until)
    );
  });
}

/** Posts in this process's pipeline (jobs in memory, loaded from the store at open). */
export function pipelineJobs(pipeline: Pipeline): JobSource {
  return {
    submit: (spec) => pipeline.submit(spec),
    get: async (id) => pipeline.getJob(id),
    list: async (filter) => filterJobs(pipeline.listJobs(), filter).reverse().slice(0, filter.limit),
  };
}
