// Where the API's posts go and are read from: core's JobSource (the same source MCP and the console read
// through core's pipelineService on `tokpipe serve`). `pipelinePosts`: this process's pipeline (the store
// file or embedded engine: one process). `queuePosts` (queue-posts.ts): the engine's shared queue on
// PostgreSQL, so every `tokpipe serve` and `tokpipe worker` on one DATABASE_URL shares the work and
// every server reads the same posts.
import {
  pipelineJobs,
  type JobFilter,
  type JobSource,
  type JobSpec,
  type KeyValueStore,
  type Logger,
  type Pipeline,
} from '@tokpipe/core';
import type { OutgoingEvent } from './outgoing';
import type { Timelines } from './timeline';

export { filterJobs } from '@tokpipe/core';
export type PostFilter = JobFilter;

export interface PostBackend extends JobSource {
  /** True when the pipeline's events record the timeline (else the first step is recorded on submit). */
  readonly pipelineEvents: boolean;
  /** Outcomes the pipeline's events do not carry (queue posts settled by any worker) → `emit`, until the
   * returned stop is called. */
  follow?(
    emit: (event: OutgoingEvent) => Promise<unknown>,
    options: { cursorStore: KeyValueStore; log: Logger; everyMs?: number },
  ): () => Promise<void>;
}

/** Posts in this process's pipeline (jobs in memory, loaded from the store at open). */
export function pipelinePosts(pipeline: Pipeline): PostBackend {
  return { ...pipelineJobs(pipeline), pipelineEvents: true };
}

/** The backend as every front end submits through it (REST, and MCP and the console on `tokpipe serve`):
 * a post on the shared queue has no pipeline event here, so its first step (job_queued) is recorded when
 * it is created. */
export function recordedPosts(posts: PostBackend, timelines: Timelines, pipeline: Pipeline): JobSource {
  return {
    ...posts,
    async submit(spec: JobSpec) {
      const submitted = await posts.submit(spec);
      const { job, created } = submitted;
      if (created && !posts.pipelineEvents && !pipeline.getJob(job.id) && job.state === 'queued')
        await timelines.append(job.id, {
          at: job.submittedAt,
          step: 'job_queued',
          ...(job.account ? { account: job.account } : {}),
        });
      return submitted;
    },
  };
}
