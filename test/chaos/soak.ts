// Chaos soak: many posts over many accounts through the real pipeline (createPoster + TokenManager +
// axios transport) against the sandbox's hostile profile, then an audit of what TikTok (the
// sandbox) actually holds against what the pipeline says. Shared by `npm run chaos` (1,000 posts,
// plus the SIGKILL variant in worker.ts/run.js) and the jest test (a smaller run of the same code).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Ledger,
  Pipeline,
  TikTokOAuth,
  TokenManager,
  createPoster,
  oauthRefresher,
  parseWebhookEvent,
  verifyTikTokSignature,
  type Clock,
  type DeadLetter,
  type Job,
  type JobSpec,
  type KeyValueStore,
  type Logger,
  type PipelineEvent,
  type Transport,
} from '@tokpipe/core';
import { PROFILES, type FaultTable, type PostSummary, type Sandbox, type SandboxConfig } from '@tokpipe/sandbox';

/** The sandbox's hostile profile as shipped (5xx JSON/HTML, resets, timeouts incl. unknown-outcome
 * inits, 429, async FAILED, webhook drops/duplicates/reorders). Token revocation is added by the
 * soak itself (removeAuthorization mid-run), because a random revocation would disable most accounts. */
export function chaosFaults(options: { slowMs?: number } = {}): FaultTable {
  if (options.slowMs === undefined) return PROFILES.hostile;
  // Same faults and odds; "slow" replies held back for slowMs real ms instead of 800 (jest budget).
  const slowMs = options.slowMs;
  return Object.fromEntries(
    Object.entries(PROFILES.hostile).map(([endpoint, chances]) => [
      endpoint,
      chances!.map((c) =>
        c.fault.kind === 'slow' ? { p: c.p, fault: { kind: 'slow' as const, delayMs: slowMs } } : c,
      ),
    ]),
  ) as FaultTable;
}

/** Sandbox settings for a soak: caps high enough that 1,000 posts fit in one virtual day on 20
 * accounts (the soak is about faults; cap behaviour has its own tests), quick processing. */
export const soakSandboxConfig: Partial<SandboxConfig> = {
  directPostDailyCap: 100_000,
  activeUserCap: 100_000,
  downloadDelayMs: 2_000,
  processingDelayMs: 3_000,
  moderationDelayMs: 5_000,
  webhookBackoffBaseMs: 10_000,
  webhookBackoffCapMs: 120_000,
};

export interface SoakAccount {
  id: string;
  openId: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  scope: string;
}

/** Creates `count` creators in the sandbox with fresh tokens. */
export function createAccounts(sb: Sandbox, count: number): SoakAccount[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `acct-${String(i + 1).padStart(2, '0')}`;
    const user = sb.admin.createUser({ username: id.replace('-', '_') });
    const t = sb.admin.issueToken(user.openId);
    return {
      id,
      openId: user.openId,
      accessToken: t.accessToken,
      refreshToken: t.refreshToken,
      expiresIn: t.expiresIn,
      scope: t.scope,
    };
  });
}

/** The campaign: one direct public video per post, unique caption, a stable idempotency key (a
 * restart resubmits the same list and must get the same jobs). Every third job is pinned. */
export function soakSpecs(sandboxUrl: string, posts: number, accounts: SoakAccount[], runId: string): JobSpec[] {
  return Array.from({ length: posts }, (_, i) => ({
    mode: 'direct' as const,
    media: { type: 'video_url' as const, url: `${sandboxUrl}/media/sample.mp4` },
    title: `soak ${runId} post ${i + 1} #tokpipe`,
    privacyLevel: 'PUBLIC_TO_EVERYONE' as const,
    idempotencyKey: `soak-${runId}-${i + 1}`,
    label: `post ${i + 1}`,
    ...(i % 3 === 0 ? { account: accounts[i % accounts.length]!.id } : {}),
  }));
}

export interface PipelineWiring {
  store: KeyValueStore;
  clock: Clock;
  transport: Transport;
  sandboxUrl: string;
  clientKey: string;
  clientSecret: string;
  random?: () => number;
  /** Real ms before a request with no reply is given up (the sandbox's timeout fault never replies). */
  requestTimeoutMs: number;
  reconcileWindowMs?: number;
  logger?: Logger;
  /** Status by webhook (default) or by polling. */
  webhooks?: boolean;
}

/** The pipeline as a user wires it (README of core/pipeline), webhooks on. */
export async function openPipeline(w: PipelineWiring): Promise<Pipeline> {
  const oauth = new TikTokOAuth({
    clientKey: w.clientKey,
    clientSecret: w.clientSecret,
    transport: w.transport,
    baseUrl: w.sandboxUrl,
    clock: w.clock,
    requestTimeoutMs: w.requestTimeoutMs,
  });
  return Pipeline.open({
    store: w.store,
    clock: w.clock,
    random: w.random,
    ledger: new Ledger(w.store, w.clock),
    logger: w.logger,
    webhooks: w.webhooks ?? true,
    // Unknown-outcome inits that never show up are given up after 6 h instead of 72 h: the same code
    // path, 12x fewer reconciliation rounds (each one lists videos through the hostile profile).
    reconcile: { windowMs: w.reconcileWindowMs ?? 6 * 3_600_000 },
    defaultCaps: { directPerDay: 100_000, draftsPer24h: 100_000 },
    posterFor: (_account, { tokens, limiter }) =>
      createPoster({
        baseUrl: w.sandboxUrl,
        transport: w.transport,
        clock: w.clock,
        store: w.store,
        limiter,
        random: w.random,
        requestTimeoutMs: w.requestTimeoutMs,
        logger: w.logger,
        auth: new TokenManager({ store: tokens, clock: w.clock, refresh: oauthRefresher(oauth) }),
      }),
  });
}

/** Adds the accounts that the store does not know yet (a restarted worker finds them there). */
export async function addAccounts(pipeline: Pipeline, accounts: SoakAccount[], now: number): Promise<void> {
  for (const a of accounts) {
    if (pipeline.accounts.get(a.id)) continue;
    await pipeline.accounts.add({
      id: a.id,
      openId: a.openId,
      token: {
        access_token: a.accessToken,
        refresh_token: a.refreshToken,
        expires_at: now + a.expiresIn * 1000,
        scope: a.scope,
        open_id: a.openId,
      },
    });
  }
}

export interface WebhookReceiver {
  url: string;
  received: number;
  refused: number;
  close(): Promise<void>;
}

/** The user's webhook endpoint: verifies the TikTok-Signature over the raw body, then hands the
 * event to the pipeline. Anything unverifiable is refused with 401 (TikTok redelivers). */
export async function startWebhookReceiver(
  pipeline: () => Pipeline | undefined,
  secret: string,
  clock: Clock,
  port = 0,
): Promise<WebhookReceiver> {
  const state = { received: 0, refused: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const check = verifyTikTokSignature({
        header: req.headers as Record<string, string>,
        rawBody: raw,
        secret,
        now: clock.now(),
      });
      const target = pipeline();
      if (!check.ok || !target) {
        state.refused++;
        res.writeHead(check.ok ? 503 : 401).end();
        return;
      }
      state.received++;
      Promise.resolve()
        .then(() => target.handleWebhook(parseWebhookEvent(raw)))
        .then(
          () => res.writeHead(200).end(),
          () => res.writeHead(500).end(),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tiktok/webhook`;
  return {
    url,
    get received() {
      return state.received;
    },
    get refused() {
      return state.refused;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const parkedOrMoving = (j: Job) => j.state !== 'published' && j.state !== 'delivered' && j.state !== 'dead';

/** Drains, then lets reconciliation run (every 15 virtual minutes) until every job is finished:
 * unknown-outcome inits and unconfirmed posts get resolved or dead-lettered within 72 h. */
export async function settle(pipeline: Pipeline, clock: Clock, onRound?: (open: number) => void): Promise<void> {
  await pipeline.drain();
  for (let round = 0; round < 400; round++) {
    const open = pipeline.listJobs().filter(parkedOrMoving).length;
    onRound?.(open);
    if (open === 0) return;
    await clock.sleep(15 * 60_000);
    await pipeline.reconcileOnce();
    await pipeline.drain();
  }
}

export interface SoakAudit {
  posts: number;
  published: number;
  deadLettered: number;
  /** Jobs neither published nor in the DLQ, or published without a post on TikTok, or dead without a DLQ entry. */
  lost: number;
  /** Captions with more than one public post on TikTok. */
  duplicates: number;
  /** Dead-lettered jobs whose post does exist on TikTok (only acceptable for unknown/unconfirmed outcomes). */
  deadButOnTikTok: number;
  /** For each of those: why reconciliation could not claim the post (the job's last reconcile note). */
  deadButOnTikTokWhy: string[];
  deadByCode: Record<string, number>;
  violations: string[];
}

/** Compares the pipeline's jobs and DLQ with every post the sandbox holds. */
export function audit(jobs: Job[], dlq: DeadLetter[], tiktokPosts: PostSummary[], specs: JobSpec[]): SoakAudit {
  const violations: string[] = [];
  const publishedByTitle = new Map<string, PostSummary[]>();
  for (const p of tiktokPosts) {
    if (p.status !== 'PUBLISH_COMPLETE' || p.title === null) continue;
    publishedByTitle.set(p.title, [...(publishedByTitle.get(p.title) ?? []), p]);
  }
  const dlqByJob = new Map(dlq.map((d) => [d.jobId, d]));
  const jobByKey = new Map(jobs.map((j) => [j.spec.idempotencyKey, j]));
  const result: SoakAudit = {
    posts: specs.length,
    published: 0,
    deadLettered: 0,
    lost: 0,
    duplicates: 0,
    deadButOnTikTok: 0,
    deadButOnTikTokWhy: [],
    deadByCode: {},
    violations,
  };
  const unsureCodes = new Set(['unknown_outcome', 'unconfirmed_expired', 'interrupted_init', 'unconfirmed']);

  for (const spec of specs) {
    const job = jobByKey.get(spec.idempotencyKey);
    const onTikTok = publishedByTitle.get(spec.title!) ?? [];
    if (onTikTok.length > 1) {
      result.duplicates++;
      violations.push(
        `${spec.label}: ${onTikTok.length} public posts on TikTok (${onTikTok.map((p) => p.publishId).join(', ')})`,
      );
    }
    if (!job) {
      result.lost++;
      violations.push(`${spec.label}: no job in the store`);
      continue;
    }
    if (job.state === 'published') {
      result.published++;
      // Found by reconciliation in the video list, a job knows its post ids but not always a publish_id.
      const matches = (p: PostSummary) =>
        job.publishId ? p.publishId === job.publishId : job.postIds.some((id) => p.postIds.includes(id));
      if (!onTikTok.some(matches)) {
        result.lost++;
        violations.push(
          `${spec.label}: job says published (${job.publishId ?? job.postIds.join(',')}) but TikTok has no such public post`,
        );
      }
    } else if (job.state === 'dead') {
      result.deadLettered++;
      const entry = dlqByJob.get(job.id);
      if (!entry) {
        result.lost++;
        violations.push(`${spec.label}: dead but not in the DLQ`);
        continue;
      }
      const e = entry.error;
      result.deadByCode[e.code] = (result.deadByCode[e.code] ?? 0) + 1;
      if (!e.code || !e.disposition || !e.category)
        violations.push(`${spec.label}: DLQ entry without a classification`);
      // A reply from TikTok carries a log_id; transport failures and our own verdicts have none to give.
      const fromTikTokReply = e.httpStatus !== undefined && e.httpStatus !== null && e.layer !== 'transport';
      if (fromTikTokReply && !e.logId)
        violations.push(`${spec.label}: DLQ entry for HTTP ${e.httpStatus} ${e.code} has no log_id`);
      if (onTikTok.length > 0) {
        result.deadButOnTikTok++;
        result.deadButOnTikTokWhy.push(
          `${spec.label} on ${job.account}: ${job.reconcileNote ?? 'no reconciliation note'}`,
        );
        if (!unsureCodes.has(e.code))
          violations.push(`${spec.label}: dead-lettered as ${e.code} but its post is public on TikTok`);
      }
    } else {
      result.lost++;
      violations.push(`${spec.label}: left in state ${job.state}`);
    }
  }
  return result;
}

/** Counts events by type (for the report). */
export function countEvents(events: PipelineEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) out[e.type] = (out[e.type] ?? 0) + 1;
  return out;
}

/** Requests the sandbox received, by endpoint, and how many of them were faulted. */
export function requestStats(sb: Sandbox): {
  byEndpoint: Record<string, number>;
  faults: Record<string, number>;
  refusals: Record<string, number>;
} {
  const byEndpoint: Record<string, number> = {};
  const faults: Record<string, number> = {};
  const refusals: Record<string, number> = {};
  for (const r of sb.admin.requests()) {
    if (r.endpoint === 'admin') continue;
    byEndpoint[r.endpoint] = (byEndpoint[r.endpoint] ?? 0) + 1;
    if (r.fault) faults[r.fault] = (faults[r.fault] ?? 0) + 1;
    else if (r.errorCode)
      refusals[`${r.endpoint} ${r.errorCode}`] = (refusals[`${r.endpoint} ${r.errorCode}`] ?? 0) + 1;
  }
  return { byEndpoint, faults, refusals };
}
