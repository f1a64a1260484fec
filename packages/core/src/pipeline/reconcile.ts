// Reconciliation: jobs whose outcome is not known yet (accepted but untracked, unconfirmed, unknown)
// are checked again: publish_ids by status, unknown-outcome inits by the ledger and the account's
// public video list (video-match.ts decides whether a listed video is the job's post).
import type { PipelineContext } from './context';
import { safeMessage } from './context';
import { settleInLedger } from './resolve';
import { pipelineError } from './pipeline-errors';
import type { AccountRecord, Job } from './types';
import { searchVideoList, VideoListPages } from './video-list-pages';
import {
  captionOf,
  heldPostIds,
  rivalsOf,
  sameCaptionWithoutPostId,
  whyNotInVideoList,
  videoListCheckDue,
  LISTED_WITHIN_MS,
  mayOwnUnheldPublishId,
  type VideoListMatch,
} from './video-match';

/** Rounds over the unknown jobs per reconcileOnce (see there). */
const RECONCILE_ROUNDS = 3;

export class Reconciler {
  /** Per unknown-outcome job, its age when its account's video list was last read for it (this process). */
  private readonly listReadAtAge = new Map<string, number>();

  constructor(private readonly ctx: PipelineContext) {}

  /** Re-checks every job that is not terminal and younger than the window (72 h). */
  async once(): Promise<{ checked: number; resolved: number }> {
    const { ctx } = this;
    const { tracker } = ctx.parts;
    let checked = 0;
    let resolved = 0;
    let candidates = [...ctx.jobs.values()].filter(
      (j) => (j.state === 'accepted' && !tracker.isTracking(j)) || j.state === 'unconfirmed' || j.state === 'unknown',
    );
    checked = candidates.length;
    // One read of each account's video list for the whole pass, shared by its jobs (none for an account
    // whose jobs do not need it).
    const lists = new VideoListPages((message) => ctx.log('debug', message));
    // A job settled in one round can settle another (its post or publish_id no longer competes): a few
    // more rounds over the unknown ones while that happens.
    for (let round = 0; round < RECONCILE_ROUNDS && candidates.length > 0; round++) {
      let progress = false;
      for (const job of candidates) {
        const before = job.state;
        await this.reconcileJob(job, lists).catch((err: unknown) =>
          ctx.log('warn', `reconciliation of ${job.id} failed: ${safeMessage(err)}`, { jobId: job.id }),
        );
        if (job.state !== before) {
          resolved++;
          progress = true;
        }
      }
      if (!progress) break;
      candidates = candidates.filter((j) => j.state === 'unknown');
    }
    for (const id of this.listReadAtAge.keys())
      if (ctx.jobs.get(id)?.state !== 'unknown') this.listReadAtAge.delete(id);
    ctx.parts.scheduler.dispatch();
    ctx.checkSettled();
    return { checked, resolved };
  }

  private async reconcileJob(job: Job, lists: VideoListPages): Promise<void> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const age = now - (job.intentAt ?? job.submittedAt);
    if (job.state === 'unknown') {
      await this.reconcileUnknown(job, age, lists);
      return;
    }
    const asked = job.publishId;
    const outcome = await ctx.parts.tracker.fetchStatus(job);
    if (outcome && asked) await ctx.parts.tracker.applyStatus(job, asked, outcome);
    if (job.state !== 'accepted' && job.state !== 'unconfirmed') return;
    const note = outcome
      ? `TikTok still reports ${outcome.status} for publish_id ${asked} (asked ${new Date(now).toISOString()})`
      : `TikTok's status for publish_id ${asked} could not be read (asked ${new Date(now).toISOString()})`;
    await this.note(job, note);
    if (age > ctx.settings.reconcileWindowMs) {
      const hours = Math.round(age / 3_600_000);
      const message = `Post ${job.publishId} had no final status after ${hours} h (last: ${job.status ?? 'none'}).`;
      await ctx.parts.deadLettering.put(
        job,
        pipelineError('unconfirmed_expired', message, job.attempts, job.lastError),
      );
    }
  }

  private async note(job: Job, why: string): Promise<void> {
    if (why === job.reconcileNote) return;
    job.reconcileNote = why;
    await this.ctx.jobs.save(job);
    this.ctx.log('info', `job ${job.id}: outcome still open: ${why}`, { jobId: job.id });
  }

  /** Every signal, strongest first: the ledger's publish_id, a webhook about a publish_id no job holds,
   * then the account's public video list. What none of them settles stays open, with the reason. */
  private async reconcileUnknown(job: Job, age: number, lists: VideoListPages): Promise<void> {
    const { ctx } = this;
    const entry = job.attemptKey && ctx.options.ledger ? await ctx.options.ledger.get(job.attemptKey) : undefined;
    if (entry?.publishId) {
      await this.adoptPublishId(job, entry.publishId);
      return;
    }
    const fromWebhook = await this.webhookFor(job);
    if (fromWebhook.publishId) {
      await ctx.parts.webhookInbox.claimed(fromWebhook.publishId);
      await this.adoptPublishId(job, fromWebhook.publishId);
      return;
    }
    const notListable = whyNotInVideoList(job);
    const window = ctx.settings.reconcileWindowMs;
    const listFree = job.account !== undefined && lists.has(job.account);
    // Not due: the last read's verdict (the job's note) stands until the job's age has doubled.
    if (!notListable && !listFree && !videoListCheckDue(age, this.listReadAtAge.get(job.id), window)) return;
    await this.learnPostIdsOfSameCaptionJobs(job);
    const match: VideoListMatch = notListable ? { why: notListable } : await this.findInVideoList(job, lists);
    if (!notListable) this.listReadAtAge.set(job.id, age);
    if (match.found) {
      await this.claimListedVideo(job, match.found.id);
      return;
    }
    const likelyNeverArrived = match.nothingFits === true && age > LISTED_WITHIN_MS;
    const why = [
      fromWebhook.why,
      match.why,
      likelyNeverArrived
        ? 'a public post is normally listed within 30 min, so most likely the init never reached TikTok'
        : undefined,
    ]
      .filter(Boolean)
      .join('; ');
    await this.note(job, why);
    if (age > window) {
      const hours = Math.round(window / 3_600_000);
      const message =
        `No post could be confirmed on ${job.account} within ${hours} h of an init whose outcome was unknown ` +
        `(last check: ${why}).`;
      await ctx.parts.deadLettering.put(job, pipelineError('unknown_outcome', message, job.attempts, job.lastError));
    }
  }

  /** The publish_id the init got after all: TikTok's status answers from here. */
  private async adoptPublishId(job: Job, publishId: string): Promise<void> {
    const { tracker } = this.ctx.parts;
    job.reconcileNote = undefined;
    await tracker.markAccepted(job, publishId);
    const outcome = await tracker.fetchStatus(job);
    if (outcome) await tracker.applyStatus(job, publishId, outcome);
  }

  /** A webhook about a publish_id no job holds, for this job's account, after its init: it is this
   * job's when this is the only open init on the account that can own it. */
  private async webhookFor(job: Job): Promise<{ publishId?: string; why?: string }> {
    const { ctx } = this;
    const account = job.account ? ctx.accounts.get(job.account) : undefined;
    if (!account?.openId || job.intentAt === undefined) return {};
    const heard = ctx.parts.webhookInbox
      .forAccount(account.openId, job.intentAt - 60_000)
      .filter((e) => ctx.jobs.byPublishId(e.publishId) === undefined);
    // A publish_id whose post some job already holds (found in the video list, say) is not this one's.
    const held = heldPostIds(ctx.jobs.values(), ctx.jobs.claimedPostIds);
    const seen: typeof heard = [];
    const { ledger } = ctx.options;
    for (const e of heard) {
      // Another post made through this store (a single `tokpipe post`, say) got it.
      const owner = ledger?.findByPublishId
        ? await ledger.findByPublishId(e.publishId).catch(() => undefined)
        : undefined;
      const postIds = owner ? [] : e.postId ? [e.postId] : await this.postIdsOf(account, e.publishId);
      if ((owner && owner.key !== job.attemptKey) || postIds.some((id) => held.has(id)))
        await ctx.parts.webhookInbox.claimed(e.publishId);
      else seen.push(e);
    }
    if (seen.length === 0)
      return { why: 'no webhook about an unclaimed publish_id arrived for the account since the init' };
    const others = [...ctx.jobs.values()].filter(
      (o) => o.id !== job.id && o.account === job.account && mayOwnUnheldPublishId(o),
    );
    const owners = others.filter((o) => seen.some((e) => e.at >= o.intentAt! - 60_000));
    if (seen.length === 1 && owners.length === 0) return { publishId: seen[0]!.publishId };
    const ids = seen.map((e) => e.publishId).join(', ');
    const heardOf = `TikTok's webhooks named ${seen.length} publish_id(s) on ${job.account} that no job holds (${ids})`;
    if (owners.length === 0) return { why: `${heardOf}: cannot tell which, if any, is this job's` };
    const names = [job, ...owners].map((o) => o.spec.idempotencyKey ?? o.spec.label ?? o.id).join(', ');
    return {
      why: `${heardOf}, and ${owners.length + 1} inits there lost their reply about then (${names}): cannot tell whose`,
    };
  }

  /** The post ids TikTok reports for a publish_id (none when it cannot say). */
  private async postIdsOf(account: AccountRecord, publishId: string): Promise<string[]> {
    try {
      const outcome = await this.ctx.parts.attempts.poster(account).status(publishId);
      return outcome.postIds.map(String);
    } catch {
      return [];
    }
  }

  private async claimListedVideo(job: Job, postId: string): Promise<void> {
    const { ctx } = this;
    ctx.jobs.claimedPostIds.add(postId);
    job.postIds = [postId];
    job.publishId = undefined;
    job.state = 'published';
    job.status = 'PUBLISH_COMPLETE';
    job.completedAt = ctx.clock.now();
    job.reconcileNote = undefined;
    await ctx.jobs.save(job);
    await settleInLedger(ctx, job);
    const timeToPublishMs = job.completedAt - job.submittedAt;
    const event = {
      type: 'job_published' as const,
      at: ctx.clock.now(),
      jobId: job.id,
      account: job.account,
      postIds: job.postIds,
    };
    ctx.emit({ ...event, timeToPublishMs });
    ctx.log('info', `job ${job.id}: unknown-outcome post found on ${job.account} (post ${postId})`, { jobId: job.id });
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

  /** The job's post in its account's public video list (core's searchVideoList decides). */
  private async findInVideoList(job: Job, lists: VideoListPages): Promise<VideoListMatch> {
    const { ctx } = this;
    const account = job.account ? ctx.accounts.get(job.account) : undefined;
    const poster = account ? ctx.parts.attempts.poster(account) : undefined;
    if (!account || !poster?.listVideos)
      return { why: `the video list of ${job.account ?? 'its account'} cannot be read` };
    if (job.intentAt === undefined) return { why: 'no intent time was recorded for the init' };
    return searchVideoList(lists, {
      account: account.id,
      poster: { listVideos: poster.listVideos.bind(poster) },
      caption: captionOf(job),
      intentAt: job.intentAt,
      held: heldPostIds(ctx.jobs.values(), ctx.jobs.claimedPostIds),
      rivals: rivalsOf(job, ctx.jobs.values()),
      pages: ctx.settings.videoListPages,
    });
  }
}
