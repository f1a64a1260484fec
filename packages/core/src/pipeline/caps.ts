// Daily caps, counted before TikTok refuses: Direct Post posts per rolling 24 h per creator and
// pending inbox drafts per rolling 24 h (TikTok §3.2). Counts come from the jobs themselves
// (accepted times), so they survive a restart without a separate counter to keep in sync.
import type { AccountCaps, AccountRecord, Job } from './types';

export const DAY_MS = 24 * 60 * 60_000;

export const defaultCaps: Readonly<AccountCaps> = Object.freeze({ directPerDay: 15, draftsPer24h: 5 });

const capFieldByMode: Readonly<Record<'direct' | 'draft', keyof AccountCaps>> = {
  direct: 'directPerDay',
  draft: 'draftsPer24h',
};

/** An account whose cap for a mode is 0 never takes that mode. */
export function capFor(record: AccountRecord, mode: 'direct' | 'draft'): number {
  return record.caps[capFieldByMode[mode]];
}

export class CapTracker {
  /** account → mode → times (epoch ms) an init was accepted (or may have been: unknown outcomes count). */
  private readonly uses = new Map<string, Record<'direct' | 'draft', number[]>>();

  /** Counts a stored job's use of its account's cap, as a restart (or a read-only health check)
   * finds it: accepted inits, and inits that may have been accepted (unknown outcome, in flight). */
  recordJob(job: Job, now: number): void {
    const usedAt = job.acceptedAt ?? (job.state === 'unknown' || job.state === 'posting' ? job.intentAt : undefined);
    if (job.account && usedAt !== undefined && usedAt > now - DAY_MS) this.record(job.account, job.spec.mode, usedAt);
  }

  record(account: string, mode: 'direct' | 'draft', at: number): void {
    // Kept sorted on insert (uses arrive almost always in time order), so prune() is a binary search.
    const list = this.entry(account)[mode];
    list.splice(firstIndexAbove(list, at), 0, at);
  }

  used(account: string, mode: 'direct' | 'draft', now: number): number {
    const list = this.prune(account, mode, now);
    return list.length;
  }

  remaining(record: AccountRecord, mode: 'direct' | 'draft', now: number): number {
    const blockedUntil = record.capBlockedUntil?.[mode];
    if (blockedUntil !== undefined && blockedUntil > now) return 0;
    return Math.max(0, record.caps[capFieldByMode[mode]] - this.used(record.id, mode, now));
  }

  /** When the next slot frees up (the oldest use leaves the window, or TikTok's block ends). */
  nextFreeAt(record: AccountRecord, mode: 'direct' | 'draft', now: number): number {
    const blockedUntil = record.capBlockedUntil?.[mode];
    if (blockedUntil !== undefined && blockedUntil > now) return blockedUntil;
    const list = this.prune(record.id, mode, now);
    const cap = record.caps[capFieldByMode[mode]];
    if (cap <= 0) return Number.POSITIVE_INFINITY; // this account never posts this mode
    if (list.length < cap) return now;
    // The (len - cap + 1)-th oldest use must expire for one slot to free.
    return list[list.length - cap]! + DAY_MS;
  }

  /** The times at which the account's `cap` slots of this mode are next free, one per slot, ascending
   * (now for a slot free already; a use's time + 24 h; the end of TikTok's block). */
  slotTimes(record: AccountRecord, mode: 'direct' | 'draft', now: number): number[] {
    const cap = record.caps[capFieldByMode[mode]];
    if (cap <= 0) return [];
    const blockedUntil = record.capBlockedUntil?.[mode];
    if (blockedUntil !== undefined && blockedUntil > now) return Array<number>(cap).fill(blockedUntil);
    const list = this.prune(record.id, mode, now);
    const recent = list.slice(Math.max(0, list.length - cap)).map((t) => t + DAY_MS);
    return [...Array<number>(cap - recent.length).fill(now), ...recent];
  }

  private entry(account: string): Record<'direct' | 'draft', number[]> {
    let e = this.uses.get(account);
    if (!e) {
      e = { direct: [], draft: [] };
      this.uses.set(account, e);
    }
    return e;
  }

  private prune(account: string, mode: 'direct' | 'draft', now: number): number[] {
    const list = this.entry(account)[mode];
    const expired = firstIndexAbove(list, now - DAY_MS);
    if (expired > 0) list.splice(0, expired);
    return list;
  }
}

/** In an ascending list: the index of the first value greater than `value` (list.length if none). */
function firstIndexAbove(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! > value) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export interface FreeSlot {
  account: string;
  at: number;
}

/** Every account's next-free slot times, merged in time order (then account name). */
export function mergeSlots(slotLists: ReadonlyArray<{ account: string; times: readonly number[] }>): FreeSlot[] {
  const slots = slotLists.flatMap(({ account, times }) => times.map((at) => ({ account, at })));
  return slots.sort((a, b) => a.at - b.at || (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
}

/** When (and on which account) the n-th job (0-based) waiting for these slots can post, if each freed
 * slot is used at once and so frees again 24 h later. Infinity when there is no slot at all. */
export function nthFreeSlot(slots: readonly FreeSlot[], n: number, fallbackAccount = ''): FreeSlot {
  if (slots.length === 0) return { account: fallbackAccount, at: Number.POSITIVE_INFINITY };
  const slot = slots[n % slots.length]!;
  return { account: slot.account, at: slot.at + DAY_MS * Math.floor(n / slots.length) };
}
