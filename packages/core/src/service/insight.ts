// The console's extra reads over core's Pipeline: account insight (breaker cooldown, caps used, last
// error), post rows with times and campaign, and one post in full with its recorded timeline. Pure reads.
import type { Pipeline } from '../pipeline/pipeline';
import type { Job } from '../pipeline/types';
import { redact } from '../redact';
import type { AccountInsight, PostDetail, PostingService, PostRow, PostSearch } from './service';
import type { TimelineSource } from './timeline';
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

const matches = (job: Job, search: PostSearch): boolean =>
  (!search.account || job.account === search.account) &&
  (!search.state || job.state === search.state) &&
  (!search.campaign ||
    [job.spec.label, job.spec.idempotencyKey].some((s) => s?.toLowerCase().includes(search.campaign!.toLowerCase()))) &&
  (search.since === undefined || job.submittedAt >= search.since) &&
  (search.until === undefined || job.submittedAt < search.until);

export function insightOf(pipeline: Pipeline, timelines?: TimelineSource): NonNullable<PostingService['insight']> {
  return {
    async accounts(): Promise<AccountInsight[]> {
      const jobs = pipeline.listJobs();
      return pipeline.health().map((h) => {
        const record = pipeline.accounts.get(h.account)!;
        const failed = jobs
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
      const found = pipeline
        .listJobs()
        .filter((j) => matches(j, search))
        .reverse();
      return found.slice(0, search.limit ?? 200).map(rowOf);
    },
    async post(jobId: string): Promise<PostDetail | null> {
      const job = pipeline.getJob(jobId);
      if (!job) return null;
      return {
        post: rowOf(job),
        sent: redact({ ...job.spec }) as Record<string, unknown>,
        dueAt: job.dueAt ?? null,
        deferredFor: job.deferredFor ?? null,
        reconcileNote: job.reconcileNote ?? null,
        timeline: timelines ? await timelines.timeline(jobId) : null,
      };
    },
  };
}
