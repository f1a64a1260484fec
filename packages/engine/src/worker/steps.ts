// A queue job's timeline: the steps its workers take (attempt n, accepted with the publish_id, the retry
// with TikTok's code, log_id and message and its delay, the outcome) in core's TimelineStep shape, the one
// pipeline posts' timelines use (built by core's timelineStepOf wherever a pipeline event says the same).
// Kept in tokpipe.job_steps (migration 6) and written in the statement that moves the job's row (the
// claim, a transition), so a step and its state change commit together; only a retry's step comes right
// after, once pg-boss has picked its delay. The newest JOB_STEPS_KEPT steps of each job are kept.
import {
  stepWithError,
  timelineStepOf,
  type ErrorDetails,
  type PipelineEvent,
  type PostOutcome,
  type TimelineStep,
} from '@tokpipe/core';
import type { Db } from '../db/db';
import { BOSS_SCHEMA, QUEUES } from '../queue/boss';
import type { Next } from './outcome';

/** Steps kept per job (the oldest go first): a job retried for days stays one bounded row set. */
export const JOB_STEPS_KEPT = 100;

/** CTEs appending the jsonb array `steps` (an SQL expression) to job `job` (an SQL expression), once per
 * row of relation `when` (none: nothing written), keeping the newest JOB_STEPS_KEPT. The DELETE reads the
 * table as it was before this statement, so it leaves room for the steps being added. */
export function appendStepsCtes(job: string, steps: string, when: string): string[] {
  return [
    `steps_in AS (INSERT INTO tokpipe.job_steps (job_id, step)
       SELECT ${job}, t.s FROM ${when}, jsonb_array_elements(${steps}) WITH ORDINALITY AS t(s, i) ORDER BY t.i)`,
    `steps_out AS (DELETE FROM tokpipe.job_steps WHERE job_id = ${job} AND seq IN (
       SELECT seq FROM tokpipe.job_steps WHERE job_id = ${job} AND EXISTS (SELECT 1 FROM ${when})
       ORDER BY seq DESC OFFSET GREATEST(0, ${JOB_STEPS_KEPT} - jsonb_array_length(${steps}))))`,
  ];
}

/** A claim given back (the gate said wait, nothing was sent) is not an attempt: its step goes with it. */
export function withdrawAttemptCte(job: string, when: string): string {
  return `attempt_out AS (DELETE FROM tokpipe.job_steps WHERE job_id = ${job} AND EXISTS (SELECT 1 FROM ${when})
    AND step->>'step' = 'attempt_started'
    AND seq = (SELECT max(seq) FROM tokpipe.job_steps WHERE job_id = ${job}))`;
}

/** A retry's step, once pg-boss has failed the delivery: its delay is the time until pg-boss offers the job
 * again (its backoff has jitter), in ms of the worker's clock (`timeScale` real ms per clock ms). A delivery
 * pg-boss did not put in retry (its fail did not land) gets the step without a delay. */
export async function recordRetry(
  db: Db,
  jobId: string,
  queueJob: string,
  step: TimelineStep,
  timeScale: number,
): Promise<void> {
  const steps = `jsonb_build_array($2::jsonb || COALESCE((SELECT jsonb_build_object('delayMs', ms) FROM delay), '{}'::jsonb))`;
  await db.query(
    `WITH job AS (SELECT id FROM tokpipe.jobs WHERE id = $1),
       delay AS (SELECT GREATEST(0, round(extract(epoch FROM start_after - now()) * 1000 / $4))::bigint AS ms
         FROM ${BOSS_SCHEMA}.job WHERE name = $5 AND id = $3::uuid AND state = 'retry'),
       ${appendStepsCtes('$1', steps, 'job').join(', ')}
     SELECT 1`,
    [jobId, JSON.stringify(step), queueJob, timeScale, QUEUES.post],
  );
}

/** The job's steps, oldest first. */
export async function readJobSteps(db: Db, jobId: string): Promise<TimelineStep[]> {
  const { rows } = await db.query<{ step: TimelineStep }>(
    'SELECT step FROM tokpipe.job_steps WHERE job_id = $1 ORDER BY seq',
    [jobId],
  );
  return rows.map((r) => r.step);
}

/** The step core's pipeline timeline records for this event. */
const stepOf = (event: PipelineEvent, lastError?: ErrorDetails): TimelineStep => timelineStepOf(event, lastError)!.step;

/** Pure builders of a queue job's steps (`at`: the worker's clock). */
export const queueSteps = {
  /** The claim: its attempt number is the row's count after the claim (added by the claiming statement). */
  attempt: (jobId: string, account: string, at: number): TimelineStep =>
    stepOf({ type: 'attempt_started', at, jobId, account, attempt: 0 }),
  deferred: (account: string, at: number, until: number, reason: string, error?: ErrorDetails): TimelineStep =>
    stepWithError({ at, step: 'job_deferred', account, delayMs: Math.max(0, until - at), note: reason }, error),
  /** recordRetry adds the delay. */
  retry: (account: string, at: number, error: ErrorDetails | undefined): TimelineStep =>
    stepWithError({ at, step: 'retry_scheduled', account, note: 'retry' }, error),
  dead: (jobId: string, at: number, error: ErrorDetails | undefined, message: string): TimelineStep =>
    error ? stepOf({ type: 'job_dead_lettered', at, jobId, error }) : { at, step: 'job_dead_lettered', note: message },
  /** Replayed from the dead-letter queue: a new post attempt (generation n, a new ledger key). */
  replayed: (jobId: string, at: number, generation: number, forced: boolean): TimelineStep =>
    stepOf({
      type: 'job_requeued',
      at,
      jobId,
      reason: `replayed from the dead-letter queue (generation ${generation}${forced ? ', forced' : ''})`,
    }),
  published: (jobId: string, at: number, mode: 'direct' | 'draft', postIds: readonly string[]): TimelineStep =>
    mode === 'draft'
      ? stepOf({ type: 'job_delivered', at, jobId, timeToPublishMs: 0 })
      : stepOf({ type: 'job_published', at, jobId, postIds: [...postIds], timeToPublishMs: 0 }),
};

interface OutcomeContext {
  job: { id: string; account: string; publish_id: string | null };
  mode: 'direct' | 'draft';
  outcome: PostOutcome;
  at: number;
}

/** The step each next state stands for (a retry's comes from recordRetry). */
const stepByNext: { [S in Next['state']]: (c: OutcomeContext, next: Extract<Next, { state: S }>) => TimelineStep[] } = {
  published: (c) => [queueSteps.published(c.job.id, c.at, c.mode, c.outcome.postIds)],
  unconfirmed: (c) => [stepOf({ type: 'job_unconfirmed', at: c.at, jobId: c.job.id })],
  unknown: (c) => [stepOf({ type: 'job_unknown_outcome', at: c.at, jobId: c.job.id }, c.outcome.error ?? undefined)],
  retry: () => [],
  deferred: (c, next) => [
    queueSteps.deferred(c.job.account, c.at, c.at + next.forMs, next.reason, c.outcome.error ?? undefined),
  ],
  dead: (c, next) => [queueSteps.dead(c.job.id, c.at, c.outcome.error ?? undefined, next.message)],
};

/** What an attempt's outcome adds to the timeline: TikTok's acceptance (a publish_id new to the job), then
 * the step of the job's next state. */
export function outcomeSteps(c: OutcomeContext, next: Next): TimelineStep[] {
  const { publishId } = c.outcome;
  const accepted =
    publishId && publishId !== c.job.publish_id
      ? [stepOf({ type: 'job_accepted', at: c.at, jobId: c.job.id, account: c.job.account, publishId })]
      : [];
  return [...accepted, ...(stepByNext[next.state] as (c: OutcomeContext, n: Next) => TimelineStep[])(c, next)];
}
