// The per-account report (from the persisted jobs, so it covers resumed runs too) and the
// per-account health view. Pure: both are computed from what they are given.
import type { AccountRecord, AccountReport, BreakerState, Job } from './types';

export interface AccountHealth {
  account: string;
  status: AccountRecord['status'];
  statusReason?: string;
  region?: string;
  breaker: BreakerState;
  /** While open: when the breaker lets a probe through (epoch ms). */
  breakerOpenUntil?: number;
  /** 0..1: success ratio in the alert window, halved while half-open, 0 while open or unusable. */
  score: number;
  remaining: { direct: number; draft: number };
  queued: number;
}

type Row = AccountReport & { times: number[] };

export function buildReport(
  accounts: readonly AccountRecord[],
  jobs: Iterable<Job>,
  accountWaits: ReadonlyMap<string, number>,
): AccountReport[] {
  const rows = new Map<string, Row>();
  const row = (account: string): Row => {
    let r = rows.get(account);
    if (!r) {
      r = {
        account,
        published: 0,
        delivered: 0,
        failed: 0,
        inDlq: 0,
        pending: 0,
        retries: 0,
        rateLimitWaits: 0,
        timeToPublishMs: { count: 0 },
        times: [],
      };
      rows.set(account, r);
    }
    return r;
  };
  for (const a of accounts) row(a.id).rateLimitWaits += accountWaits.get(a.id) ?? 0;
  for (const job of jobs) {
    const r = row(job.account ?? '(unassigned)');
    r.retries += job.retries;
    r.rateLimitWaits += job.rateLimitWaits;
    if (job.state === 'published') r.published++;
    else if (job.state === 'delivered') r.delivered++;
    else if (job.state === 'dead') {
      r.inDlq++;
      if (job.lastError?.disposition !== 'unknown_outcome') r.failed++;
    } else r.pending++;
    const finished = job.state === 'published' || job.state === 'delivered';
    if (finished && job.completedAt !== undefined) r.times.push(job.completedAt - job.submittedAt);
  }
  return [...rows.values()].map(({ times, ...r }) => ({ ...r, timeToPublishMs: timeSummary(times) }));
}

function timeSummary(times: number[]): AccountReport['timeToPublishMs'] {
  const sorted = [...times].sort((a, b) => a - b);
  if (!sorted.length) return { count: 0 };
  return {
    count: sorted.length,
    avg: Math.round(sorted.reduce((s, t) => s + t, 0) / sorted.length),
    p50: sorted[Math.floor((sorted.length - 1) / 2)],
    max: sorted[sorted.length - 1],
  };
}
