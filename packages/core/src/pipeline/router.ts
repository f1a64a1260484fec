// The router: jobs without an account wait here until an account can take them. Which accounts may
// take a job and which one is best are pure decisions (eligibleAccounts, pickAccount); route() acts.
import { capFor } from './caps';
import type { PipelineContext } from './context';
import { pipelineError } from './pipeline-errors';
import type { AccountRecord, BreakerState, Job } from './types';

const requiredScopeByMode: Readonly<Record<'direct' | 'draft', string>> = {
  direct: 'video.publish',
  draft: 'video.upload',
};

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
    .sort(
      (x, y) => y.score - x.score || y.left - x.left || x.load - y.load || (x.account.id < y.account.id ? -1 : 1),
    )[0]!.account;
}

const factorByBreaker: Readonly<Record<BreakerState, number>> = { closed: 1, half_open: 0.5, open: 0 };

/** Jobs with the same key have the same eligible accounts: the router decides once per key and pass. */
export function routingKey(job: Job): string {
  return JSON.stringify([job.spec.mode, job.spec.region ?? null, [...job.refusedBy].sort()]);
}

export class Router {
  /** Routing key → ids of the jobs waiting for an account, in the order they arrived. */
  private readonly groups = new Map<string, Set<string>>();
  private readonly keyOf = new Map<string, string>();
  /** Arrival order across groups, so a pass takes jobs in the order they came (as one queue would). */
  private readonly arrival = new Map<string, number>();
  private nextArrival = 0;

  constructor(private readonly ctx: PipelineContext) {}

  get size(): number {
    return this.keyOf.size;
  }

  add(jobId: string): void {
    if (this.keyOf.has(jobId)) return;
    const key = routingKey(this.ctx.jobs.get(jobId)!);
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = new Set()));
    group.add(jobId);
    this.keyOf.set(jobId, key);
    this.arrival.set(jobId, this.nextArrival++);
  }

  remove(jobId: string): void {
    const key = this.keyOf.get(jobId);
    if (key === undefined) return;
    const group = this.groups.get(key)!;
    group.delete(jobId);
    if (group.size === 0) this.groups.delete(key);
    this.keyOf.delete(jobId);
    this.arrival.delete(jobId);
  }

  /** 0..1: success ratio in the alert window, halved while half-open, 0 while open or unusable. */
  score(account: AccountRecord, now: number): number {
    if (account.status !== 'active') return 0;
    const { scheduler } = this.ctx.parts;
    return factorByBreaker[scheduler.shard(account.id).breaker.state(now)] * this.ctx.monitor.health(account.id, now);
  }

  /** One pass: places every waiting job that an account can take now, in arrival order. A key whose
   * accounts are all full stops being looked at for this pass (its later jobs would find them full
   * too), so a pass costs O(keys × accounts + jobs placed or parked), not O(jobs waiting). */
  route(): void {
    const now = this.ctx.clock.now();
    let earliestChange: number | undefined;
    const open = new Map<string, Iterator<string>>();
    for (const [key, group] of this.groups) open.set(key, group.values());
    const heads = new Map<string, string>();
    const headOf = (key: string): string | undefined => {
      let id = heads.get(key);
      // A head removed since it was read (placed, parked or dead-lettered) is skipped.
      if (id !== undefined && this.keyOf.has(id)) return id;
      const next = open.get(key)!.next();
      id = next.done ? undefined : next.value;
      if (id === undefined) heads.delete(key);
      else heads.set(key, id);
      return id;
    };
    for (;;) {
      let key: string | undefined;
      let jobId: string | undefined;
      for (const k of open.keys()) {
        const id = headOf(k);
        if (id === undefined) {
          open.delete(k);
          continue;
        }
        if (jobId === undefined || this.arrival.get(id)! < this.arrival.get(jobId)!) [key, jobId] = [k, id];
      }
      if (key === undefined || jobId === undefined) break;
      const verdict = this.routeOne(this.ctx.jobs.get(jobId)!, now);
      if (verdict === 'placed' || verdict === 'dead') continue;
      // No account can take this key's jobs now: the rest of the group waits (or is parked with it).
      open.delete(key);
      if (verdict === 'park') this.parkGroup(key, now);
      else if (verdict !== undefined)
        earliestChange = earliestChange === undefined ? verdict : Math.min(earliestChange, verdict);
    }
    if (earliestChange !== undefined) this.ctx.parts.scheduler.wakeRouterAt(earliestChange);
  }

  /** placed; dead (no account at all, the job is dead-lettered); park (every account's cap is used up
   * for longer than routerParkMs); or the time something may change (a timer wakes the router). */
  private routeOne(job: Job, now: number): 'placed' | 'dead' | 'park' | number | undefined {
    const { ctx } = this;
    const { scheduler, deadLettering } = ctx.parts;
    const eligible = eligibleAccounts(ctx.accounts.list(), job);
    if (eligible.length === 0) {
      this.remove(job.id);
      const refused = job.refusedBy.length
        ? ` (refused by ${job.refusedBy.join(', ')}: ${job.lastError?.code ?? 'unusable'})`
        : '';
      const where = job.spec.region ? ` in region ${job.spec.region}` : '';
      const message = `No active account can take this ${job.spec.mode} post${where}${refused}.`;
      ctx.spawn(() =>
        deadLettering.put(job, pipelineError('no_eligible_account', message, job.attempts, job.lastError)),
      );
      // Only this job: another of the same key may have a different last error, so each gets its own message.
      return 'dead';
    }
    const available: RouteCandidate[] = [];
    for (const a of eligible) {
      if (!scheduler.shard(a.id).breaker.allows(now)) continue;
      const left = this.capacityLeft(a, job.spec.mode, now);
      if (left > 0)
        available.push({ account: a, score: this.score(a, now), left, load: scheduler.shard(a.id).ready.length });
    }
    if (available.length > 0) {
      const chosen = pickAccount(available);
      this.remove(job.id);
      job.account = chosen.id;
      scheduler.shard(chosen.id).ready.push(job.id);
      ctx.emit({ type: 'job_routed', at: now, jobId: job.id, account: chosen.id });
      return 'placed';
    }
    const firstFree = Math.min(...eligible.map((a) => ctx.caps.nextFreeAt(a, job.spec.mode, now)));
    // Every account's cap is used up for a while: park the jobs (a campaign run can end) until slots free.
    if (firstFree - now > ctx.settings.routerParkMs) return 'park';
    // Only waits on time need a timer; a full queue frees up when a shard finishes (which dispatches).
    let earliest: number | undefined;
    for (const a of eligible) {
      const at = this.nextChangeFor(a, job.spec.mode, now);
      if (at > now) earliest = earliest === undefined ? at : Math.min(earliest, at);
    }
    return earliest;
  }

  /** Parks every job of the group, each until the slot it can expect (the n-th waiter, the n-th slot). */
  private parkGroup(key: string, now: number): void {
    const { ctx } = this;
    const ids = [...(this.groups.get(key) ?? [])];
    if (ids.length === 0) return;
    const first = ctx.jobs.get(ids[0]!)!;
    const eligible = eligibleAccounts(ctx.accounts.list(), first);
    const slots = ctx.parts.scheduler.freeSlots(eligible, first.spec.mode, now);
    for (const jobId of ids) {
      const job = ctx.jobs.get(jobId)!;
      const slot = ctx.parts.scheduler.capSlot(`route:${key}`, eligible, job.spec.mode, job.id, now, slots);
      this.remove(jobId);
      ctx.spawn(() => ctx.parts.failures.defer(job, slot.account, slot.at));
    }
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
