// Shards and timers: one shard per account (its FIFO of ready jobs, one init at a time, its own
// breaker), the wake-ups for breakers and the router, and each waiting job's own timer. dispatch()
// starts whatever can start now and never waits: waiting happens in timers and background tasks.
import { CircuitBreaker } from './breaker';
import { mergeSlots, nthFreeSlot, type FreeSlot } from './caps';
import type { PipelineContext } from './context';
import { DueTimers, type DueEntry } from './due-timers';
import { pipelineError } from './pipeline-errors';
import { ReadyQueue } from './ready-queue';
import { routingKey } from './router';
import type { AccountRecord, BreakerState, Job } from './types';

/** How long a merged list of free slots is reused (see freeSlots). */
const SLOT_CACHE_MS = 60_000;

export interface Shard {
  account: string;
  /** Job ids ready to post on this account, FIFO. */
  ready: ReadyQueue;
  busy: boolean;
  /** The job whose init is in progress. */
  current?: string;
  breaker: CircuitBreaker;
  wakeScheduled?: number;
}

export class Scheduler {
  private readonly shards = new Map<string, Shard>();
  private routerWake?: number;
  private readonly due: DueTimers;
  /** Jobs parked for a daily cap, per cap key (account+mode, or a router key): the n-th gets the n-th slot. */
  private readonly capWaiters = new Map<string, number>();
  private readonly capKeyOf = new Map<string, string>();
  private readonly slotCache = new Map<string, { at: number; slots: readonly FreeSlot[] }>();

  constructor(private readonly ctx: PipelineContext) {
    this.due = new DueTimers(
      ctx.clock,
      (entry) => this.onDue(entry),
      () => ctx.stopped,
    );
  }

  shard(account: string): Shard {
    let shard = this.shards.get(account);
    if (!shard) {
      const ready = new ReadyQueue((id) => this.ctx.jobs.get(id)?.spec.mode);
      shard = { account, ready, busy: false, breaker: new CircuitBreaker(this.ctx.settings.breaker) };
      this.shards.set(account, shard);
    }
    return shard;
  }

  /** The shard's account is busy with this job's init, if any. */
  currentJobOf(account: string): string | undefined {
    return this.shards.get(account)?.current;
  }

  /** Puts a queued job where it waits: its account's shard (pinned) or the router's queue. */
  enqueue(job: Job): void {
    if (job.spec.account) {
      job.account = job.spec.account;
      const shard = this.shard(job.spec.account);
      if (!shard.ready.includes(job.id)) shard.ready.push(job.id);
    } else {
      job.account = undefined;
      this.ctx.parts.router.add(job.id);
    }
  }

  /** Takes the job out of whatever queue holds it (it is leaving for the DLQ). */
  unqueue(job: Job): void {
    this.ctx.parts.router.remove(job.id);
    if (job.account) this.shard(job.account).ready.remove(job.id);
  }

  /** Starts whatever can start now. Never waits: waiting happens in timers and tasks. */
  dispatch(): void {
    if (this.ctx.stopped) return;
    this.ctx.parts.router.route();
    for (const shard of this.shards.values()) this.dispatchShard(shard);
    this.ctx.checkSettled();
  }

  /** Starts the shard's next job, or parks the jobs its account's cap cannot take now. A loop, not a
   * recursion: with the cap used up, a 100,000-row queue is parked in one pass. */
  private dispatchShard(shard: Shard): void {
    const { ctx } = this;
    let rerouted = false;
    for (;;) {
      if (shard.busy || shard.ready.length === 0) break;
      const now = ctx.clock.now();
      const account = ctx.accounts.get(shard.account);
      if (!account) {
        for (const jobId of shard.ready.drain()) {
          const job = ctx.jobs.get(jobId)!;
          const error = pipelineError(
            'no_eligible_account',
            `Account ${shard.account} is not registered.`,
            job.attempts,
          );
          ctx.spawn(() => ctx.parts.deadLettering.put(job, error));
        }
        break;
      }
      if (account.status !== 'active') {
        this.unusableAccount(shard, account);
        break;
      }
      if (!shard.breaker.allows(now)) {
        // Open: wake at the end of the cooldown. Half-open with the probe out: its result dispatches.
        if (shard.breaker.openUntil() > now) this.wakeShardAt(shard, shard.breaker.openUntil());
        break;
      }
      const jobId = shard.ready.shift()!;
      const job = ctx.jobs.get(jobId)!;
      if (ctx.caps.remaining(account, job.spec.mode, now) > 0) {
        this.startAttempt(shard, account, job);
        break;
      }
      if (!job.spec.account) {
        // Routed job: another account may have room now.
        this.enqueue(job);
        rerouted = true;
        continue;
      }
      const slot = this.capSlot(`${account.id}|${job.spec.mode}`, [account], job.spec.mode, job.id, now);
      if (slot.at === Number.POSITIVE_INFINITY) {
        this.capWaitOver(job.id);
        const message = `Account ${account.id} has a ${job.spec.mode} cap of 0: it never takes these posts.`;
        ctx.spawn(() => ctx.parts.deadLettering.put(job, pipelineError('no_eligible_account', message, job.attempts)));
        continue;
      }
      ctx.spawn(() => ctx.parts.failures.defer(job, account.id, slot.at));
    }
    if (rerouted) this.dispatch();
  }

  private startAttempt(shard: Shard, account: AccountRecord, job: Job): void {
    shard.busy = true;
    shard.current = job.id;
    this.ctx.spawn(async () => {
      try {
        await this.ctx.parts.attempts.run(shard, account, job);
      } finally {
        shard.busy = false;
        shard.current = undefined;
        this.dispatch();
      }
    });
  }

  /** When the next job parked for these accounts' caps can expect a slot (the n-th waiter under this
   * key gets the n-th free slot, so parked jobs wake one slot at a time instead of all at once). */
  capSlot(
    key: string,
    accounts: readonly AccountRecord[],
    mode: 'direct' | 'draft',
    jobId: string,
    now: number,
    slots: readonly FreeSlot[] = this.freeSlots(accounts, mode, now),
  ): FreeSlot {
    this.capWaitOver(jobId);
    const n = this.capWaiters.get(key) ?? 0;
    this.capWaiters.set(key, n + 1);
    this.capKeyOf.set(jobId, key);
    return nthFreeSlot(slots, n, accounts[0]?.id);
  }

  /** The accounts' slots in time order. Kept for a minute per set of accounts: rows parked one by one
   * as they are submitted would otherwise merge every account's slots again for each row. A slot that
   * frees or fills meanwhile only moves a parked job's estimate (it is checked again when it wakes). */
  freeSlots(accounts: readonly AccountRecord[], mode: 'direct' | 'draft', now: number): readonly FreeSlot[] {
    const key = `${mode}|${accounts.map((a) => a.id).join(',')}`;
    const cached = this.slotCache.get(key);
    if (cached && now >= cached.at && now - cached.at < SLOT_CACHE_MS) return cached.slots;
    const slots = mergeSlots(accounts.map((a) => ({ account: a.id, times: this.ctx.caps.slotTimes(a, mode, now) })));
    if (this.slotCache.size > 1_000) this.slotCache.clear();
    this.slotCache.set(key, { at: now, slots });
    return slots;
  }

  /** A job found parked for a cap at open: later jobs get the slots after it. */
  resumeCapWait(job: Job): void {
    if (job.state !== 'deferred' || job.deferredFor !== 'daily_cap' || this.capKeyOf.has(job.id)) return;
    const key = job.spec.account ? `${job.spec.account}|${job.spec.mode}` : `route:${routingKey(job)}`;
    this.capWaiters.set(key, (this.capWaiters.get(key) ?? 0) + 1);
    this.capKeyOf.set(job.id, key);
  }

  private capWaitOver(jobId: string): void {
    const key = this.capKeyOf.get(jobId);
    if (key === undefined) return;
    this.capKeyOf.delete(jobId);
    const n = (this.capWaiters.get(key) ?? 1) - 1;
    if (n > 0) this.capWaiters.set(key, n);
    else this.capWaiters.delete(key);
  }

  /** Jobs waiting on an account that cannot post: routed ones go elsewhere, pinned ones to the DLQ. */
  private unusableAccount(shard: Shard, account: AccountRecord): void {
    const { ctx } = this;
    for (const jobId of shard.ready.drain()) {
      const job = ctx.jobs.get(jobId)!;
      if (!job.spec.account) {
        if (!job.refusedBy.includes(account.id)) job.refusedBy.push(account.id);
        this.enqueue(job);
        continue;
      }
      const code = account.status === 'needs_reauth' ? 'account_needs_reauth' : 'account_unusable';
      const reason = account.statusReason ? `: ${account.statusReason}` : '';
      const message = `Account ${account.id} cannot post (${account.status}${reason}).`;
      ctx.spawn(() => ctx.parts.deadLettering.put(job, pipelineError(code, message, job.attempts, job.lastError)));
    }
    ctx.parts.router.route();
  }

  /** When the breaker opens, routed jobs waiting on this account go elsewhere. */
  rerouteFrom(shard: Shard): void {
    const keep: string[] = [];
    for (const jobId of shard.ready.drain()) {
      const job = this.ctx.jobs.get(jobId)!;
      if (job.spec.account) keep.push(jobId);
      else this.enqueue(job);
    }
    for (const jobId of keep) shard.ready.push(jobId);
  }

  breakerChanged(account: string, state: BreakerState): void {
    this.ctx.emit({ type: 'breaker', at: this.ctx.clock.now(), account, state });
    this.ctx.log(state === 'open' ? 'warn' : 'info', `account ${account}: circuit ${state}`);
    if (state === 'open') this.wakeShardAt(this.shard(account), this.shard(account).breaker.openUntil());
  }

  /** Timers only for future times: a wake "now" would spin (dispatch → wake → dispatch) on a virtual clock. */
  wakeShardAt(shard: Shard, at: number): void {
    const { clock } = this.ctx;
    if (at <= clock.now()) return;
    if (shard.wakeScheduled !== undefined && shard.wakeScheduled <= at && shard.wakeScheduled > clock.now()) return;
    shard.wakeScheduled = at;
    void clock.sleep(Math.max(0, at - clock.now())).then(() => {
      if (shard.wakeScheduled === at) shard.wakeScheduled = undefined;
      this.dispatch();
    });
  }

  wakeRouterAt(at: number): void {
    const { clock } = this.ctx;
    if (at <= clock.now()) return;
    if (this.routerWake !== undefined && this.routerWake <= at && this.routerWake > clock.now()) return;
    this.routerWake = at;
    void clock.sleep(Math.max(0, at - clock.now())).then(() => {
      if (this.routerWake === at) this.routerWake = undefined;
      this.dispatch();
    });
  }

  /** A retry_wait or deferred job waits for its dueAt apart from the queues, so it never blocks
   * anything queued (one shared timer: see due-timers.ts). */
  scheduleDue(job: Job): void {
    this.due.add(job.id, job.dueAt ?? this.ctx.clock.now(), job.state);
  }

  private onDue(entry: DueEntry): void {
    const { ctx } = this;
    const job = ctx.jobs.get(entry.jobId);
    if (!job) return;
    ctx.spawn(async () => {
      if (ctx.stopped || job.state !== entry.state || job.dueAt !== entry.at) return;
      this.capWaitOver(job.id);
      job.state = 'queued';
      job.dueAt = undefined;
      job.deferredFor = undefined;
      await ctx.jobs.save(job);
      this.enqueue(job);
      this.dispatch();
    });
  }
}
