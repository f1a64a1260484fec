// Per-account breaker and daily caps, shared by every worker through the database. A worker asks
// the gate before posting (the job is deferred when the account's breaker is open or its rolling
// 24 h cap is used up) and reports each result. Work for one account is serialized by the queue
// (singleton per account), so reading and then writing an account's row is not raced.
import {
  ACCOUNT_PREFIX,
  AccountRegistry,
  defaultBreakerOptions,
  defaultCaps,
  type AccountRecord,
  type BreakerOptions,
  type Clock,
  type TimelineStep,
} from '@tokpipe/core';
import type { Db } from '../db/db';
import { SqlStore } from '../state/sql-store';
import { appendStepsCtes } from './steps';

export const DAY_MS = 24 * 60 * 60_000;
/** How often the jobs of an account that needs a new login look again. */
export const REAUTH_RECHECK_MS = 60 * 60_000;

export interface BreakerRow {
  state: 'closed' | 'open' | 'capped';
  failures: number;
  open_until: number;
  open_ms: number;
}

export type AccountEvent = 'success' | 'failure' | 'neutral' | 'capped';

const CLOSED: BreakerRow = { state: 'closed', failures: 0, open_until: 0, open_ms: 0 };

/** The breaker after `event` (pure): 3 consecutive failures open it for 60 s; a failed probe after the
 * cooldown doubles it (max 15 min); a success closes it; TikTok's own cap blocks the account a day. */
export function nextBreaker(
  row: BreakerRow,
  event: AccountEvent,
  now: number,
  options: BreakerOptions = defaultBreakerOptions,
): BreakerRow {
  const probing = row.state === 'open' && now >= row.open_until;
  const table: Record<AccountEvent, () => BreakerRow> = {
    success: () => CLOSED,
    neutral: () => row,
    capped: () => ({ ...row, state: 'capped', open_until: now + DAY_MS }),
    failure: () => {
      const failures = row.failures + 1;
      if (probing) {
        const openMs = Math.min(row.open_ms * 2, options.maxCooldownMs);
        return { state: 'open', failures, open_until: now + openMs, open_ms: openMs };
      }
      if (row.state !== 'open' && failures >= options.failureThreshold) {
        return { state: 'open', failures, open_until: now + options.cooldownMs, open_ms: options.cooldownMs };
      }
      return { ...row, failures };
    },
  };
  return table[event]();
}

interface GateRow {
  breaker: BreakerRow | null;
  account: string | null;
  used: number;
  oldest: number | null;
}

export interface GateDecision {
  /** 0 when the account may post, else the clock time to try again (and why). */
  until: number;
  reason: string;
  breaker: BreakerRow;
}

/** The account's breaker, its record and its usage in the rolling 24 h ($1 account, $2 mode, $3 window start,
 * $4 account record key). Selected FROM cap_usage: one row. */
const GATE_COLUMNS = `(SELECT row_to_json(b) FROM (SELECT state, failures, open_until, open_ms FROM tokpipe.breakers WHERE account = $1) b) AS breaker,
            (SELECT value FROM tokpipe.kv WHERE key = $4) AS account,
            count(*)::int AS used, min(at) AS oldest`;
const GATE_FROM = 'FROM tokpipe.cap_usage WHERE account = $1 AND kind = $2 AND at > $3';

/** May the account post now? One statement reads its breaker, its caps and its usage in the window. */
export async function gate(db: Db, account: string, mode: 'direct' | 'draft', now: number): Promise<GateDecision> {
  const { rows } = await db.query<GateRow>(`SELECT ${GATE_COLUMNS} ${GATE_FROM}`, [
    account,
    mode,
    now - DAY_MS,
    ACCOUNT_PREFIX + account,
  ]);
  return decideGate(rows[0]!, mode, now);
}

/** The gate and the job's claim in one statement: `UPDATE tokpipe.jobs ... WHERE id = $5 AND state = ANY($6)
 * RETURNING` the row (the compare-and-set of claim()), next to the gate's reads. When the gate says wait,
 * the caller gives the claim back by compare-and-set (posting -> queued, attempt uncounted) and defers.
 * `job` is undefined when the row cannot be taken (settled, or held by another worker). `attemptStep`: the
 * claim's timeline step (steps.ts), recorded with it, its attempt number the row's new count (a claim given
 * back withdraws it). */
export async function gateAndClaim<Job>(
  db: Db,
  claim: { id: string; account: string; mode: 'direct' | 'draft'; expected: readonly string[]; owner: string },
  now: number,
  attemptStep?: TimelineStep,
): Promise<GateDecision & { job: Job | undefined; token: string | undefined }> {
  // The account's token row comes along (the post reads it next: open_id, scopes, the access token).
  const steps = attemptStep
    ? appendStepsCtes(
        '$5',
        `(SELECT jsonb_build_array($9::jsonb || jsonb_build_object('attempt', attempts)) FROM claimed)`,
        'claimed',
      )
    : [];
  const { rows } = await db.query<GateRow & { job: Job | null; token: string | null }>(
    `WITH claimed AS (
       UPDATE tokpipe.jobs SET state = 'posting', owner = $7, updated_at = $8, attempts = attempts + 1, error = NULL
       WHERE id = $5 AND state = ANY($6::text[]) RETURNING id, account, spec, state, publish_id, attempts, error)${steps.map((c) => `, ${c}`).join('')}
     SELECT ${GATE_COLUMNS}, (SELECT row_to_json(c) FROM claimed c) AS job,
       (SELECT record FROM tokpipe.tokens WHERE account = $1) AS token ${GATE_FROM}`,
    [
      claim.account,
      claim.mode,
      now - DAY_MS,
      ACCOUNT_PREFIX + claim.account,
      claim.id,
      [...claim.expected],
      claim.owner,
      now,
      ...(attemptStep ? [JSON.stringify(attemptStep)] : []),
    ],
  );
  const row = rows[0]!;
  return { ...decideGate(row, claim.mode, now), job: row.job ?? undefined, token: row.token ?? undefined };
}

/** The gate's decision from its row (pure). */
function decideGate(row: GateRow, mode: 'direct' | 'draft', now: number): GateDecision {
  const raw = row.breaker;
  const breaker: BreakerRow = raw
    ? {
        state: raw.state,
        failures: Number(raw.failures),
        open_until: Number(raw.open_until),
        open_ms: Number(raw.open_ms),
      }
    : CLOSED;
  if (breaker.state !== 'closed' && now < breaker.open_until) {
    return {
      until: breaker.open_until,
      reason: breaker.state === 'capped' ? 'TikTok cap reached' : 'breaker open',
      breaker,
    };
  }
  const record = row.account ? (JSON.parse(row.account) as AccountRecord) : undefined;
  if (record?.status === 'needs_reauth')
    return { until: now + REAUTH_RECHECK_MS, reason: 'account needs a new login (tokpipe accounts add)', breaker };
  const caps = record ? { ...defaultCaps, ...record.caps } : defaultCaps;
  const cap = mode === 'direct' ? caps.directPerDay : caps.draftsPer24h;
  if (Number(row.used) >= cap) return { until: Number(row.oldest) + DAY_MS, reason: `daily cap ${cap} used`, breaker };
  return { until: 0, reason: '', breaker };
}

/** An init TikTok accepted counts against the cap (once per job, however often it is retried). */
export async function recordInit(
  db: Db,
  account: string,
  mode: 'direct' | 'draft',
  jobId: string,
  now: number,
): Promise<void> {
  await db.query(
    'INSERT INTO tokpipe.cap_usage (account, kind, job_id, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [account, mode, jobId, now],
  );
}

/** The account's authorization is gone (invalid_grant, revoked): every worker holds its jobs until it is
 * added again (`tokpipe accounts add` sets it active with a new token). */
export async function markNeedsReauth(db: Db, account: string, reason: string, clock: Clock): Promise<void> {
  const registry = new AccountRegistry(new SqlStore(db), clock);
  await registry.load();
  if (registry.get(account)) await registry.setStatus(account, 'needs_reauth', reason);
  else await registry.add({ id: account }).then(() => registry.setStatus(account, 'needs_reauth', reason));
}

export async function recordAccountEvent(
  db: Db,
  account: string,
  before: BreakerRow,
  event: AccountEvent,
  now: number,
): Promise<BreakerRow> {
  const next = nextBreaker(before, event, now);
  if (JSON.stringify(next) === JSON.stringify(before)) return next; // nothing changed: no write
  await db.query(
    `INSERT INTO tokpipe.breakers (account, state, failures, open_until, open_ms) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (account) DO UPDATE SET state = EXCLUDED.state, failures = EXCLUDED.failures, open_until = EXCLUDED.open_until, open_ms = EXCLUDED.open_ms`,
    [account, next.state, next.failures, next.open_until, next.open_ms],
  );
  return next;
}
