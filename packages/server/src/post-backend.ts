// Where the API's posts go and are read from. `pipelinePosts`: this process's pipeline (the store file
// or embedded engine: one process). `queuePosts` (queue-posts.ts): the engine's shared queue on
// PostgreSQL, so every `tokpipe serve` and `tokpipe worker` on one DATABASE_URL shares the work and
// every server reads the same posts.
import type { Job, JobSpec, KeyValueStore, Logger, Pipeline, TimelineStep } from '@tokpipe/core';
import type { OutgoingEvent } from './outgoing';

export interface PostFilter {
  account?: string;
  /** core's job state (queued, published, dead, ...). */
  state?: string;
  /** Submitted at or after (epoch ms). */
  since?: number;
  /** Only these accounts (a key limited to accounts). */
  accounts?: readonly string[];
  limit: number;
}

export interface PostBackend {
  /** True when the pipeline's events record the timeline (else the route records the queued step). */
  readonly pipelineEvents: boolean;
  submit(spec: JobSpec): Promise<{ job: Job; created: boolean }>;
  get(id: string): Promise<Job | undefined>;
  /** Newest first. */
  list(filter: PostFilter): Promise<Job[]>;
  /** Steps recorded outside this server's timeline store (a queue post's attempts, by whichever worker
   * made them), after the recorded ones. */
  steps?(job: Job): Promise<TimelineStep[]>;
  /** Outcomes the pipeline's events do not carry (queue posts settled by any worker) → `emit`, until the
   * returned stop is called. */
  follow?(
    emit: (event: OutgoingEvent) => Promise<unknown>,
    options: { cursorStore: KeyValueStore; log: Logger; everyMs?: number },
  ): () => Promise<void>;
}

/** Posts in this process's pipeline (jobs in memory, loaded from the store at open). */
export function pipelinePosts(pipeline: Pipeline): PostBackend {
  return {
    pipelineEvents: true,
    submit: (spec) => pipeline.submit(spec),
    get: async (id) => pipeline.getJob(id),
    list: async (filter) => filterJobs(pipeline.listJobs(), filter).reverse().slice(0, filter.limit),
  };
}

/** The jobs `filter` keeps (in the order given). */
export function filterJobs(jobs: readonly Job[], filter: PostFilter): Job[] {
  return jobs.filter((j) => {
    const account = j.account ?? j.spec.account;
    return (
      (!filter.accounts || (account !== undefined && filter.accounts.includes(account))) &&
      (!filter.account || j.account === filter.account) &&
      (!filter.state || j.state === filter.state) &&
      (filter.since === undefined || j.submittedAt >= filter.since)
    );
  });
}
