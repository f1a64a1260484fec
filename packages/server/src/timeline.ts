// A post's timeline. Core's Job keeps counts and the last error only, so the server records each step
// from the pipeline's events (under its own prefix), with TikTok's code, log_id and message when a step
// failed. Steps are appended in event order, one job at a time.
import type { ErrorDetails, KeyValueStore, Pipeline, PipelineEvent } from '@tokpipe/core';
import { redactText } from '@tokpipe/core';
import { KeyedQueue, PREFIXES, readJson } from './state';

export interface TimelineStep {
  at: number;
  /** The pipeline event's type (job_queued, attempt_started, job_accepted, retry_scheduled, ...). */
  step: string;
  account?: string;
  attempt?: number;
  publishId?: string;
  status?: string;
  code?: string;
  logId?: string;
  message?: string;
  class?: ErrorDetails['category'];
  delayMs?: number;
}

/** Event → step (undefined: not part of a post's story). */
function stepOf(
  event: PipelineEvent,
  lastError: ErrorDetails | undefined,
): { jobId: string; step: TimelineStep } | undefined {
  const err = (e: ErrorDetails | undefined) =>
    e
      ? {
          code: e.code,
          class: e.category,
          message: redactText(e.problem ?? e.message),
          ...(e.logId ? { logId: e.logId } : {}),
        }
      : {};
  switch (event.type) {
    case 'job_queued':
      return {
        jobId: event.job.id,
        step: { at: event.at, step: event.type, ...(event.job.account ? { account: event.job.account } : {}) },
      };
    case 'job_routed':
      return { jobId: event.jobId, step: { at: event.at, step: event.type, account: event.account } };
    case 'attempt_started':
      return {
        jobId: event.jobId,
        step: { at: event.at, step: event.type, account: event.account, attempt: event.attempt },
      };
    case 'job_accepted':
      return {
        jobId: event.jobId,
        step: { at: event.at, step: event.type, account: event.account, publishId: event.publishId },
      };
    case 'job_status':
      return { jobId: event.jobId, step: { at: event.at, step: event.type, status: event.status } };
    case 'job_published':
    case 'job_delivered':
    case 'job_unconfirmed':
    case 'job_unknown_outcome':
      return { jobId: event.jobId, step: { at: event.at, step: event.type } };
    case 'job_scheduled':
      return { jobId: event.jobId, step: { at: event.at, step: event.type, delayMs: event.until - event.at } };
    case 'job_deferred':
      return {
        jobId: event.jobId,
        step: { at: event.at, step: event.type, account: event.account, delayMs: event.until - event.at },
      };
    case 'rate_limit_wait':
      return { jobId: event.jobId, step: { at: event.at, step: event.type, code: event.code, delayMs: event.delayMs } };
    case 'retry_scheduled':
      // The failure that caused the retry is the job's last error at this moment.
      return {
        jobId: event.jobId,
        step: { at: event.at, step: event.type, delayMs: event.delayMs, ...err(lastError), code: event.code },
      };
    case 'job_requeued':
      return { jobId: event.jobId, step: { at: event.at, step: event.type, message: event.reason } };
    case 'job_dead_lettered':
      return { jobId: event.jobId, step: { at: event.at, step: event.type, ...err(event.error) } };
    default:
      return undefined;
  }
}

export class Timelines {
  private readonly queue = new KeyedQueue();

  constructor(private readonly store: KeyValueStore) {}

  /** Starts recording; returns the unsubscribe function. */
  record(pipeline: Pipeline): () => void {
    return pipeline.on((event) => {
      const jobId = 'jobId' in event ? event.jobId : event.type === 'job_queued' ? event.job.id : undefined;
      const found = stepOf(event, jobId ? pipeline.getJob(jobId)?.lastError : undefined);
      if (found) void this.append(found.jobId, found.step);
    });
  }

  append(jobId: string, step: TimelineStep): Promise<void> {
    return this.queue.run(jobId, async () => {
      const key = PREFIXES.timeline + jobId;
      const steps = (await readJson<TimelineStep[]>(this.store, key)) ?? [];
      steps.push(step);
      await this.store.set(key, JSON.stringify(steps));
    });
  }

  /** Steps recorded so far (waits for appends in flight). */
  async get(jobId: string): Promise<TimelineStep[]> {
    return this.queue.run(
      jobId,
      async () => (await readJson<TimelineStep[]>(this.store, PREFIXES.timeline + jobId)) ?? [],
    );
  }
}
