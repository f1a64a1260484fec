// Reconciliation: jobs whose outcome is not known yet (accepted but untracked, unconfirmed, unknown)
// are checked again: publish_ids by status, unknown-outcome inits by the ledger and the account's
// public video list (video-match.ts decides whether a listed video is the job's post).
import type { PipelineContext } from './context';
import { safeMessage } from './context';
import { pipelineError } from './pipeline-errors';
import type { Job } from './types';
import { parseVideoList } from './video-list';
import {
  candidatesOnPage,
  captionOf,
  heldPostIds,
  judgeCandidates,
  notBeforeSec,
  rivalsOf,
  sameCaptionWithoutPostId,
  type Candidate,
  type VideoListMatch,
} from './video-match';

export class Reconciler {
  constructor(private readonly ctx: PipelineContext) {}

  /** Re-checks every job that is not terminal and younger than the window (72 h). */
  async once(): Promise<{ checked: number; resolved: number }> {
    const { ctx } = this;
    const { tracker } = ctx.parts;
    let checked = 0;
    let resolved = 0;
    const candidates = [...ctx.jobs.values()].filter(
      (j) => (j.state === 'accepted' && !tracker.isTracking(j)) || j.state === 'unconfirmed' || j.state === 'unknown',
    );
    for (const job of candidates) {
      checked++;
      const before = job.state;
      await this.reconcileJob(job).catch((err: unknown) =>
        ctx.log('warn', `reconciliation of ${job.id} failed: ${safeMessage(err)}`, { jobId: job.id }),
      );
      if (job.state !== before) resolved++;
    }
    ctx.parts.scheduler.dispatch();
    ctx.checkSettled();
    return { checked, resolved };
  }

  private async reconcileJob(job: Job): Promise<void> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const age = now - (job.intentAt ?? job.submittedAt);
    if (job.state === 'unknown') {
      await this.reconcileUnknown(job, age);
      return;
    }
    const asked = job.publishId;
    const outcome = await ctx.parts.tracker.fetchStatus(job);
    if (outcome && asked) await ctx.parts.tracker.applyStatus(job, asked, outcome);
    if ((job.state === 'accepted' || job.state === 'unconfirmed') && age > ctx.settings.reconcileWindowMs) {
      const hours = Math.round(age / 3_600_000);
      const message = `Post ${job.publishId} had no final status after ${hours} h (last: ${job.status ?? 'none'}).`;
      await ctx.parts.deadLettering.put(job, pipelineError('unconfirmed_expired', message, job.attempts, job.lastError));
    }
  }

  private async reconcileUnknown(job: Job, age: number): Promise<void> {
    const { ctx } = this;
    const entry = job.attemptKey && ctx.options.ledger ? await ctx.options.ledger.get(job.attemptKey) : undefined;
    if (entry?.publishId) {
      await ctx.parts.tracker.markAccepted(job, entry.publishId);
      return;
    }
    await this.learnPostIdsOfSameCaptionJobs(job);
    const match = await this.findInVideoList(job);
    if (match.found) {
      const found = match.found;
      ctx.jobs.claimedPostIds.add(found.id);
      job.postIds = [found.id];
      job.publishId = undefined;
      job.state = 'published';
      job.status = 'PUBLISH_COMPLETE';
      job.completedAt = ctx.clock.now();
      job.reconcileNote = undefined;
      await ctx.jobs.save(job);
      const timeToPublishMs = job.completedAt - job.submittedAt;
      ctx.emit({ type: 'job_published', at: ctx.clock.now(), jobId: job.id, account: job.account, postIds: job.postIds, timeToPublishMs });
      ctx.log('info', `job ${job.id}: unknown-outcome post found on ${job.account} (post ${found.id})`, { jobId: job.id });
      return;
    }
    if (match.why !== job.reconcileNote) {
      job.reconcileNote = match.why;
      await ctx.jobs.save(job);
      ctx.log('info', `job ${job.id}: outcome still unknown: ${match.why}`, { jobId: job.id });
    }
    if (age > ctx.settings.reconcileWindowMs) {
      const hours = Math.round(ctx.settings.reconcileWindowMs / 3_600_000);
      const message =
        `No post could be confirmed on ${job.account} within ${hours} h of an init whose outcome was unknown ` +
        `(last check: ${match.why}).`;
      await ctx.parts.deadLettering.put(job, pipelineError('unknown_outcome', message, job.attempts, job.lastError));
    }
  }

  /** TikTok reports PUBLISH_COMPLETE before moderation makes the post public, so a job can be published
   * without its post id. Asks again for same-caption jobs on the account, so their videos count as held. */
  private async learnPostIdsOfSameCaptionJobs(job: Job): Promise<void> {
    const { tracker } = this.ctx.parts;
    for (const other of sameCaptionWithoutPostId(job, [...this.ctx.jobs.values()])) {
      const asked = other.publishId!;
      const outcome = await tracker.fetchStatus(other);
      if (outcome && outcome.postIds.length > 0) await tracker.applyStatus(other, asked, outcome);
    }
  }

  /** Reads the account's public video list back to the intent time and lets judgeCandidates decide. */
  private async findInVideoList(job: Job): Promise<VideoListMatch> {
    const { ctx } = this;
    const pages = ctx.settings.videoListPages;
    const account = job.account ? ctx.accounts.get(job.account) : undefined;
    const poster = account ? ctx.parts.attempts.poster(account) : undefined;
    const caption = captionOf(job);
    // Without a caption nothing ties a listed video to this job: leave it to a person (DLQ after the window).
    if (caption === '') return { why: 'the post has no caption, so no listed video can be tied to it' };
    if (!account || !poster?.listVideos) return { why: `the video list of ${job.account ?? 'its account'} cannot be read` };
    if (job.intentAt === undefined) return { why: 'no intent time was recorded for the init' };
    const notBefore = notBeforeSec(job.intentAt);
    const held = heldPostIds(ctx.jobs.values(), ctx.jobs.claimedPostIds);
    const rivals = rivalsOf(job, ctx.jobs.values());

    const candidates: Candidate[] = [];
    let cursor: number | string | undefined;
    let complete = false;
    for (let page = 0; page < pages; page++) {
      let reply: unknown;
      try {
        reply = await poster.listVideos({ cursor, maxCount: 20 });
      } catch (err) {
        ctx.log('debug', `video list for ${account.id} failed: ${safeMessage(err)}`);
        return { why: `the video list of ${account.id} could not be read (${safeMessage(err)})` };
      }
      const { videos, cursor: next, hasMore } = parseVideoList(reply);
      for (const c of candidatesOnPage(videos, caption, notBefore, held)) {
        if (!candidates.some((known) => known.id === c.id)) candidates.push(c);
      }
      // The list is newest first: once past the intent time, older pages cannot hold the post.
      if (!hasMore || next === undefined || videos.some((v) => v.createTime !== undefined && v.createTime < notBefore)) {
        complete = true;
        break;
      }
      cursor = next;
    }
    return judgeCandidates({ account: account.id, candidates, complete, pages, rivals });
  }
}
