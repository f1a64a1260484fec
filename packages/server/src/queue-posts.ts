// Posts through the engine's shared queue (PostgreSQL): a post is a row in tokpipe.jobs and a pg-boss
// job in one transaction (engine's submitPosts), taken by whichever `tokpipe serve` or `tokpipe worker`
// is free; GET reads the row and the steps its workers recorded (every attempt with TikTok's code, log_id
// and message, each retry with its delay: engine's worker/steps.ts), so every server shows every post.
// A post the queue cannot carry stays on this server's pipeline (its events record its timeline): without
// an account (the pipeline's router picks one) or with a file the server downloaded (serverUpload: the
// file is on this server's disk).
import {
  attemptKeyFor,
  errorView,
  newJob,
  jobPostRequest,
  type Clock,
  type Job,
  type Pipeline,
  type TimelineStep,
} from '@tokpipe/core';
import {
  getDeadJob,
  listDeadJobs,
  readJobSteps,
  replayDeadJob,
  ReplayConflictError,
  submitPosts,
  type Db,
  type RunningWorker,
} from '@tokpipe/engine';
import { HttpProblem } from './problem';
import { filterJobs, type PostBackend } from './post-backend';
import { watchQueueEvents } from './queue-events';
import { COLUMNS, finalStep, jobOf, rowStatesOf, type Row } from './queue-rows';

export interface QueuePostsOptions {
  db: Db;
  boss: RunningWorker['boss'];
  clock: Pick<Clock, 'now' | 'sleep'>;
  /** This server's pipeline: validation (accounts, fields) and the posts the queue cannot carry. */
  pipeline: Pipeline;
  /** The queue's reconciliation sweep (this server's worker's), run by POST /v1/reconcile. */
  reconcile?: RunningWorker['reconcile'];
}

export function queuePosts({ db, boss, clock, pipeline, reconcile }: QueuePostsOptions): PostBackend {
  const read = async (id: string): Promise<Job | undefined> => {
    const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM tokpipe.jobs WHERE id = $1`, [id]);
    return rows[0] && jobOf(rows[0]);
  };
  return {
    pipelineEvents: false,
    follow: (emit, options) => watchQueueEvents({ db, clock, emit, ...options }),
    async submit(spec) {
      if (!spec.account || spec.media.type === 'video_file') return pipeline.submit(spec);
      pipeline.check(spec);
      const now = clock.now();
      const job = newJob(spec, 0, now);
      const local = pipeline.getJob(job.id);
      if (local) return { job: local, created: false };
      // The ledger key every path (a pipeline, a worker, any server) computes the same way for this post.
      job.attemptKey = attemptKeyFor(job.id, spec.account);
      const request = await jobPostRequest(job, undefined);
      const { created } = await submitPosts(db, boss, [{ id: job.id, account: spec.account, request, spec }], now);
      if (created) return { job, created: true };
      return { job: (await read(job.id)) ?? job, created: false };
    },
    get: async (id) => (await read(id)) ?? pipeline.getJob(id),
    // Dead queue jobs (any worker's), beside the pipeline's DLQ; a replay is the engine's compare-and-set.
    dlq: {
      list: () => listDeadJobs(db, clock),
      show: (id) => getDeadJob(db, clock, id),
      async replay(id, options) {
        try {
          await replayDeadJob(db, boss, clock, id, options);
        } catch (error) {
          if (error instanceof ReplayConflictError) throw new HttpProblem(409, error.code, error.message);
          throw error;
        }
        return (await read(id))!;
      },
    },
    ...(reconcile ? { reconcile: async () => reconcile() } : {}),
    async list(filter) {
      const submitted = `COALESCE((spec->>'submittedAt')::bigint, updated_at)`;
      const { rows } = await db.query<Row>(
        `SELECT ${COLUMNS} FROM tokpipe.jobs
         WHERE ($1::text IS NULL OR account = $1) AND ($2::text[] IS NULL OR state = ANY($2))
           AND ($3::text[] IS NULL OR account = ANY($3))
           AND ($4::bigint IS NULL OR ${submitted} >= $4) AND ($5::bigint IS NULL OR ${submitted} < $5)
           AND ($6::text IS NULL OR publish_id = $6)
           AND ($7::text IS NULL OR strpos(lower(COALESCE(spec->'spec'->>'label', '')), $7) > 0
             OR strpos(lower(COALESCE(spec->'spec'->>'idempotencyKey', '')), $7) > 0)
         ORDER BY ${submitted} DESC LIMIT $8`,
        [
          filter.account ?? null,
          filter.state ? rowStatesOf(filter.state) : null,
          filter.accounts ? [...filter.accounts] : null,
          filter.since ?? null,
          filter.until ?? null,
          filter.publishId ?? null,
          filter.campaign?.toLowerCase() ?? null,
          filter.limit,
        ],
      );
      // The same filter again on core's jobs (a published draft's row is 'delivered' only there).
      const queued = filterJobs(rows.map(jobOf), filter);
      const local = filterJobs(pipeline.listJobs(), filter);
      return [...queued, ...local].sort((a, b) => b.submittedAt - a.submittedAt).slice(0, filter.limit);
    },
    async steps(job) {
      if (pipeline.getJob(job.id)) return []; // the pipeline's events recorded them
      const recorded = await readJobSteps(db, job.id);
      if (!recorded.length) return derivedSteps(job);
      // Settled by a worker that records no steps (an older version): the outcome from the row.
      const final = finalStep[job.state];
      return final && !recorded.some((s) => s.step === final)
        ? [...recorded, ...derivedSteps(job).filter((s) => s.step === final)]
        : recorded;
    },
  };
}

/** What the row alone says (a post no worker recorded steps for): accepted with its publish_id, the outcome. */
function derivedSteps(job: Job): TimelineStep[] {
  const steps: TimelineStep[] = [];
  const at = job.completedAt ?? job.submittedAt;
  const account = job.account;
  if (job.publishId) steps.push({ at, step: 'job_accepted', account, publishId: job.publishId });
  const step = finalStep[job.state];
  if (step)
    steps.push({
      at,
      step,
      account,
      ...(job.lastError && job.state !== 'published' && job.state !== 'delivered'
        ? { error: errorView(job.lastError) }
        : {}),
    });
  return steps;
}
