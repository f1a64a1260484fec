// The console's extra reads: account insight from core's Pipeline (breaker cooldown, caps used, last
// error), post rows with times and campaign, and one post in full with its timeline, from the service's
// job source (the pipeline, or a server's shared queue). Pure reads.
import type { Pipeline } from '../pipeline/pipeline';
import type { Job } from '../pipeline/types';
import { redact } from '../redact';
import { pipelineJobs, type JobSource } from './jobs';
import type { AccountInsight, PostDetail, PostingService, PostRow, PostSearch } from './service';
import type { TimelineSource, TimelineStep } from './timeline';
import { errorView, jobView } from './views';

const rowOf = (job: Job): PostRow => ({
  ...jobView(job),
  mode: job.spec.mode,
  submittedAt: job.submittedAt,
  completedAt: job.completedAt ?? null,
  campaign: job.spec.label ?? null,
});

/** When a job last changed, as far as the record tells (for "last error" ordering). */
const lastTouched = (job: Job): number => job.completedAt ?? job.acceptedAt ?? job.intentAt ?? job.submittedAt;

/** How many recent posts are searched for an account's last error. */
const LAST_ERROR_SCAN = 1000;

export function insightOf(
  pipeline: Pipeline,
  timelines?: TimelineSource,
  jobs: JobSource = pipelineJobs(pipeline),
): NonNullable<PostingService['insight']> {
  /** The recorded steps, then the source's own (a queue post's attempts); null when neither has any. */
  const timelineOf = async (job: Job): Promise<TimelineStep[] | null> => {
    const recorded = timelines ? await timelines.timeline(job.id) : null;
    const extra = (await jobs.steps?.(job)) ?? [];
    return recorded || extra.length ? [...(recorded ?? []), ...extra] : null;
  };
  return {
    async accounts(): Promise<AccountInsight[]> {
      const recent = await jobs.list({ limit: LAST_ERROR_SCAN });
      return pipeline.health().map((h) => {
        const record = pipeline.accounts.get(h.account)!;
        const failed = recent
          .filter((j) => j.account === h.account && j.lastError && j.state !== 'published' && j.state !== 'delivered')
          .sort((a, b) => lastTouched(b) - lastTouched(a))[0];
        return {
          id: h.account,
          breakerOpenUntil: h.breakerOpenUntil ?? null,
          directUsed24h: Math.max(0, record.caps.directPerDay - h.remaining.direct),
          draftsUsed24h: Math.max(0, record.caps.draftsPer24h - h.remaining.draft),
          lastError: failed ? { ...errorView(failed.lastError!), jobId: failed.id, at: lastTouched(failed) } : null,
        };
      });
    },
    async posts(search: PostSearch = {}): Promise<PostRow[]> {
      return (await jobs.list({ ...search, limit: search.limit ?? 200 })).map(rowOf);
    },
    async post(jobId: string): Promise<PostDetail | null> {
      const job = await jobs.get(jobId);
      if (!job) return null;
      return {
        post: rowOf(job),
        sent: redact({ ...job.spec }) as Record<string, unknown>,
        dueAt: job.dueAt ?? null,
        deferredFor: job.deferredFor ?? null,
        reconcileNote: job.reconcileNote ?? null,
        timeline: await timelineOf(job),
      };
    },
  };
}
