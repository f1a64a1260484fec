// The router: jobs without an account wait here until an account can take them. Which accounts may
// take a job and which one is best are pure decisions (eligibleAccounts, pickAccount); route() acts.
import { capFor } from './caps';
import type { PipelineContext } from './context';
import { pipelineError } from './pipeline-errors';
import type { AccountRecord, BreakerState, Job } from './types';

const requiredScopeByMode: Readonly<Record<'direct' | 'draft', string>> = { direct: 'video.publish', draft: 'video.upload' };

/** Active accounts with the mode's scope, the job's region and a cap above 0 that never refused it. */
export function eligibleAccounts(accounts: readonly AccountRecord[], job: Job): AccountRecord[] {
  const scope = requiredScopeByMode[job.spec.mode];
  return accounts.filter(
    (a) =>
      a.status === 'active' &&
      !job.refusedBy.includes(a.id) &&
      capFor(a, job.spec.mode) > 0 &&
      (a.scopes.length === 0 || a.scopes.includes(scope)) &&
      (!job.spec.region || a.region === job.spec.region),
  );
}

export interface RouteCandidate {
  account: AccountRecord;
  /** 0..1 health (see score). */
  score: number;
  /** Daily capacity left after what is queued there. */
  left: number;
  /** Jobs queued there. */
  load: number;
}

/** Best health score (in tenths), then most capacity, then shortest queue, then name. */
export function pickAccount(candidates: readonly RouteCandidate[]): AccountRecord {
  return candidates
    .map((c) => ({ ...c, score: Math.round(c.score * 10) }))
    .sort((x, y) => y.score - x.score || y.left - x.left || x.load - y.load || (x.account.id < y.account.id ? -1 : 1))[0]!
    .account;
}

const factorByBreaker: Readonly<Record<BreakerState, number>> = { closed: 1, half_open: 0.5, open: 0 };

export class Router {
  /** Job ids waiting for an account, in submission order. */
  private readonly waiting: string[] = [];

  constructor(private readonly ctx: PipelineContext) {}

  add(jobId: string): void {
    if (!this.waiting.includes(jobId)) this.waiting.push(jobId);
  }

  remove(jobId: string): void {
    const i = this.waiting.indexOf(jobId);
    if (i >= 0) this.waiting.splice(i, 1);
  }

  /** 0..1: success ratio in the alert window, halved while half-open, 0 while open or unusable. */
  score(account: AccountRecord, now: number): number {
    if (account.status !== 'active') return 0;
    const { scheduler } = this.ctx.parts;
    return factorByBreaker[scheduler.shard(account.id).breaker.state(now)] * this.ctx.monitor.health(account.id, now);
  }

  route(): void {
    const { ctx } = this;
    const { scheduler, failures, deadLettering } = ctx.parts;
    const now = ctx.clock.now();
    let earliestChange: number | undefined;
    for (const jobId of [...this.waiting]) {
      const job = ctx.jobs.get(jobId)!;
      const eligible = eligibleAccounts(ctx.accounts.list(), job);
      if (eligible.length === 0) {
        this.remove(jobId);
        const refused = job.refusedBy.length
          ? ` (refused by ${job.refusedBy.join(', ')}: ${job.lastError?.code ?? 'unusable'})`
          : '';
        const where = job.spec.region ? ` in region ${job.spec.region}` : '';
        const message = `No active account can take this ${job.spec.mode} post${where}${refused}.`;
        ctx.spawn(() => deadLettering.put(job, pipelineError('no_eligible_account', message, job.attempts, job.lastError)));
        continue;
      }
      // Each account's free capacity once per job (it scans the account's queue).
      const available: RouteCandidate[] = [];
      for (const a of eligible) {
        if (!scheduler.shard(a.id).breaker.allows(now)) continue;
        const left = this.capacityLeft(a, job.spec.mode, now);
        if (left > 0) available.push({ account: a, score: this.score(a, now), left, load: scheduler.shard(a.id).ready.length });
      }
      if (available.length === 0) {
        const capFree = eligible
          .map((a) => ({ a, at: ctx.caps.nextFreeAt(a, job.spec.mode, now) }))
          .sort((x, y) => x.at - y.at)[0]!;
        if (capFree.at - now > ctx.settings.routerParkMs) {
          // Every account's cap is used up for a while: park the job (a campaign run can end) until the first frees.
          this.remove(jobId);
          ctx.spawn(() => failures.defer(job, capFree.a.id, capFree.at));
          continue;
        }
        // Only waits on time need a timer; a full queue frees up when a shard finishes (which dispatches).
        for (const a of eligible) {
          const at = this.nextChangeFor(a, job.spec.mode, now);
          if (at > now) earliestChange = earliestChange === undefined ? at : Math.min(earliestChange, at);
        }
        continue;
      }
      const chosen = pickAccount(available);
      this.remove(jobId);
      job.account = chosen.id;
      scheduler.shard(chosen.id).ready.push(jobId);
      ctx.emit({ type: 'job_routed', at: now, jobId, account: chosen.id });
    }
    if (earliestChange !== undefined) scheduler.wakeRouterAt(earliestChange);
  }

  /** Remaining daily capacity minus what is already queued or in flight on the account. */
  private capacityLeft(account: AccountRecord, mode: 'direct' | 'draft', now: number): number {
    const shard = this.ctx.parts.scheduler.shard(account.id);
    const committed = shard.ready.count(mode) + (shard.busy ? 1 : 0);
    return this.ctx.caps.remaining(account, mode, now) - committed;
  }

  private nextChangeFor(account: AccountRecord, mode: 'direct' | 'draft', now: number): number {
    const breaker = this.ctx.parts.scheduler.shard(account.id).breaker;
    const breakerAt = breaker.allows(now) ? now : breaker.openUntil();
    return Math.max(breakerAt, this.ctx.caps.nextFreeAt(account, mode, now));
  }
}
