// A post's timeline, persisted. Core's Job keeps counts and the last error only, so the server records
// each step from the pipeline's events (core's timelineStepOf: the same steps the console and MCP show,
// with TikTok's code, message and log_id when a step failed) under its own store prefix, one job at a
// time, so a restart or another reader still sees them. Steps of attempts made by another process are
// recorded by that process.
import {
  timelineStepOf,
  type KeyValueStore,
  type Pipeline,
  type TimelineSource,
  type TimelineStep,
} from '@tokpipe/core';
import { KeyedQueue, PREFIXES, readJson } from './state';

export type { TimelineStep } from '@tokpipe/core';

export class Timelines implements TimelineSource {
  private readonly queue = new KeyedQueue();

  constructor(private readonly store: KeyValueStore) {}

  /** Starts recording; returns the unsubscribe function. */
  record(pipeline: Pipeline): () => void {
    return pipeline.on((event) => {
      const jobId = 'jobId' in event ? event.jobId : event.type === 'job_queued' ? event.job.id : undefined;
      const found = timelineStepOf(event, jobId ? pipeline.getJob(jobId)?.lastError : undefined);
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

  /** core's TimelineSource (the console reads the persisted steps through it). */
  async timeline(jobId: string): Promise<TimelineStep[] | null> {
    const steps = await this.get(jobId);
    return steps.length ? steps : null;
  }
}
