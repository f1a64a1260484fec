// A post's story, attempt by attempt. Core's Job keeps counts and the last error only, so each step is
// recorded from the pipeline's events as they happen (in memory, the newest jobs kept), with TikTok's
// code, message and log_id when a step failed and the reply (already redacted by core) for "show raw".
import type { ErrorDetails } from '../errors/types';
import type { Pipeline } from '../pipeline/pipeline';
import type { PipelineEvent } from '../pipeline/types';
import { redact, redactText } from '../redact';
import type { ErrorView } from './service';
import { errorView } from './views';

export interface TimelineStep {
  at: number;
  /** The pipeline event's type (job_queued, attempt_started, job_accepted, retry_scheduled, ...). */
  step: PipelineEvent['type'];
  account?: string;
  attempt?: number;
  publishId?: string;
  status?: string;
  postIds?: string[];
  delayMs?: number;
  note?: string;
  error?: ErrorView;
  /** TikTok's reply for that failure, tokens and secrets removed (shown on demand). */
  raw?: unknown;
}

/** Where a front end reads timelines from (this recorder, or a server's own persisted copy). */
export interface TimelineSource {
  timeline(jobId: string): Promise<TimelineStep[] | null>;
}

/** The step with its failure: the message is the problem alone (code and action are fields already).
 * Exported for recorders that build steps without a pipeline event (the engine's queue workers). */
export const stepWithError = (step: TimelineStep, details: ErrorDetails | undefined): TimelineStep => {
  if (!details) return step;
  const error = errorView(details);
  if (details.problem) error.message = redactText(details.problem);
  return { ...step, error, ...(details.raw !== undefined ? { raw: redact(details.raw) } : {}) };
};

/** Event → step (undefined: not part of one post's story). `lastError` is the job's at that moment.
 * Exported for recorders that keep steps elsewhere (the server persists them in its store). */
export function timelineStepOf(
  event: PipelineEvent,
  lastError: ErrorDetails | undefined,
): { jobId: string; step: TimelineStep } | undefined {
  const base = (jobId: string, extra: Partial<TimelineStep> = {}) => ({
    jobId,
    step: { at: event.at, step: event.type, ...extra },
  });
  switch (event.type) {
    case 'job_queued':
      return base(event.job.id, event.job.account ? { account: event.job.account } : {});
    case 'job_routed':
    case 'attempt_started':
      return base(event.jobId, {
        account: event.account,
        ...(event.type === 'attempt_started' ? { attempt: event.attempt } : {}),
      });
    case 'job_accepted':
      return base(event.jobId, { account: event.account, publishId: event.publishId });
    case 'job_status':
      return base(event.jobId, { status: event.status });
    case 'job_published':
      return base(event.jobId, { postIds: [...event.postIds] });
    case 'job_delivered':
    case 'job_unconfirmed':
      return base(event.jobId);
    case 'job_unknown_outcome': {
      // The failure that left the outcome unknown (a reset or timeout after the init left).
      const found = base(event.jobId);
      return { jobId: found.jobId, step: stepWithError(found.step, lastError) };
    }
    case 'job_scheduled':
    case 'job_deferred':
      return base(event.jobId, {
        delayMs: event.until - event.at,
        ...(event.type === 'job_deferred' ? { note: event.reason } : {}),
      });
    case 'rate_limit_wait': {
      // TikTok's rate_limit_exceeded carries its reply; our own limiter's holds (limiter:*) have none.
      const found = base(event.jobId, { delayMs: event.delayMs, note: event.code });
      return event.code.startsWith('limiter:')
        ? found
        : { jobId: found.jobId, step: stepWithError(found.step, lastError) };
    }
    case 'retry_scheduled': {
      // The failure that caused the retry is the job's last error at this moment.
      const found = base(event.jobId, { delayMs: event.delayMs, note: event.reason });
      return { jobId: found.jobId, step: stepWithError(found.step, lastError) };
    }
    case 'job_resolved':
      return base(event.jobId, {
        note: event.posted ? 'marked as posted by a person' : 'marked as not posted by a person',
        ...(event.postId ? { postIds: [event.postId] } : {}),
      });
    case 'job_requeued': {
      // Taken off an account for a failure ("account: code"); a replay or a restart names no failure.
      const found = base(event.jobId, { note: event.reason });
      const cause = lastError && event.reason.endsWith(`: ${lastError.code}`) ? lastError : undefined;
      return { jobId: found.jobId, step: stepWithError(found.step, cause) };
    }
    case 'job_dead_lettered': {
      const found = base(event.jobId);
      return { jobId: found.jobId, step: stepWithError(found.step, event.error) };
    }
    default:
      return undefined;
  }
}

export interface TimelineRecorder extends TimelineSource {
  /** Stops listening to the pipeline. */
  stop(): void;
}

/** Records every job's steps from now on. Keeps the newest `maxJobs` jobs (default 2000). */
export function recordTimelines(pipeline: Pipeline, options: { maxJobs?: number } = {}): TimelineRecorder {
  const maxJobs = options.maxJobs ?? 2000;
  const steps = new Map<string, TimelineStep[]>();
  const stop = pipeline.on((event) => {
    const jobId = 'jobId' in event ? event.jobId : event.type === 'job_queued' ? event.job.id : undefined;
    const found = timelineStepOf(event, jobId ? pipeline.getJob(jobId)?.lastError : undefined);
    if (!found) return;
    const list = steps.get(found.jobId) ?? [];
    if (!steps.has(found.jobId)) {
      steps.set(found.jobId, list);
      if (steps.size > maxJobs) steps.delete(steps.keys().next().value!);
    }
    list.push(found.step);
  });
  return {
    stop,
    async timeline(jobId) {
      const list = steps.get(jobId);
      return list ? list.map((s) => ({ ...s })) : null;
    },
  };
}
