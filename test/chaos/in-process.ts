// The soak in one process on a VirtualClock: minutes of backoff, polling and reconciliation pass in
// milliseconds; only the HTTP to the sandbox (and the sandbox's own slow/timeout faults) is real.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryStore, VirtualClock, type Job, type KeyValueStore, type PipelineEvent } from '@tokpipe/core';
import { axiosTransport } from '@tokpipe/core/node';
import { startSandbox } from '@tokpipe/sandbox';
import {
  addAccounts,
  audit,
  chaosFaults,
  countEvents,
  createAccounts,
  openPipeline,
  requestStats,
  settle,
  soakSandboxConfig,
  soakSpecs,
  startWebhookReceiver,
  type SoakAudit,
} from './soak';
import { openEmbedded, SqlStore, type Db } from '../../packages/engine/src';
import { trackDb } from '../../packages/engine/test/world';

export interface InProcessSoakOptions {
  posts: number;
  accounts: number;
  seed: number;
  /** How many accounts the creator disconnects mid-run (token revocation + authorization.removed). */
  revocations: number;
  requestTimeoutMs?: number;
  /** Real ms a "slow" fault holds a reply (default: the profile's 800). */
  slowMs?: number;
  progress?: (line: string) => void;
  /** Where the pipeline keeps its state (default in memory). */
  engine?: 'memory' | 'embedded';
}

export interface InProcessSoakResult extends SoakAudit {
  events: Record<string, number>;
  requests: Record<string, number>;
  faults: Record<string, number>;
  /** Replies refusing a request on its merits (not injected faults), by endpoint and error code. */
  refusals: Record<string, number>;
  webhooks: { received: number; refused: number };
  virtualHours: number;
  realSeconds: number;
  /** Every line the pipeline logged, every event, the report, health and DLQ: what a user sees. */
  printed: string;
  /** Every token and secret involved (issued, rotated and stored), for the secrets check. */
  secrets: string[];
}

export async function runInProcessSoak(o: InProcessSoakOptions): Promise<InProcessSoakResult> {
  const started = Date.now();
  const clock = new VirtualClock({ autoAdvance: true, yieldToHost: () => new Promise((r) => setImmediate(r)) });
  const t0 = clock.now();
  const sb = await startSandbox({
    clock,
    seed: o.seed,
    faults: chaosFaults({ slowMs: o.slowMs }),
    config: soakSandboxConfig,
    workIntervalMs: 20,
  });
  const demo = sb.admin.demo();
  let current: Awaited<ReturnType<typeof openPipeline>> | undefined;
  const receiver = await startWebhookReceiver(() => current, demo.clientSecret, clock);
  sb.admin.setConfig({ webhookUrl: receiver.url });
  const dir = o.engine === 'embedded' ? fs.mkdtempSync(path.join(os.tmpdir(), 'tokpipe-soak-')) : undefined;
  let db: Db | undefined;
  try {
    const accounts = createAccounts(sb, o.accounts);
    if (dir) db = trackDb(await openEmbedded(dir), clock);
    const store: KeyValueStore = db ? new SqlStore(db) : new MemoryStore();
    const transport = clock.trackTransport(axiosTransport());
    let seed = o.seed;
    const random = () => {
      // Deterministic jitter (mulberry32) so a seed replays the pipeline's own choices too.
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const printed: string[] = [];
    const logger = (level: string, message: string, fields?: Record<string, unknown>) =>
      void printed.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    const pipeline = await openPipeline({
      store,
      clock,
      transport,
      random,
      sandboxUrl: sb.url,
      clientKey: demo.clientKey,
      clientSecret: demo.clientSecret,
      requestTimeoutMs: o.requestTimeoutMs ?? 400,
      logger,
    });
    current = pipeline;
    const events: PipelineEvent[] = [];
    let published = 0;
    const revokeAt = Array.from({ length: o.revocations }, (_, i) =>
      Math.floor(((i + 1) * o.posts) / (o.revocations + 2)),
    );
    pipeline.on((e) => {
      events.push(e);
      printed.push(JSON.stringify(e));
      if (e.type !== 'job_published') return;
      published++;
      const k = revokeAt.indexOf(published);
      // The creator disconnects the app mid-run: tokens revoked, authorization.removed sent.
      if (k >= 0) sb.admin.removeAuthorization(accounts[accounts.length - 1 - k]!.openId);
    });
    await addAccounts(pipeline, accounts, clock.now());
    const specs = soakSpecs(sb.url, o.posts, accounts, `s${o.seed}`);
    await pipeline.submitMany(specs);
    // Long runs (npm run chaos) report where the jobs are every 15 real seconds.
    const heartbeat = o.progress
      ? setInterval(() => {
          const states: Record<string, number> = {};
          for (const j of pipeline.listJobs()) states[j.state] = (states[j.state] ?? 0) + 1;
          o.progress!(
            `jobs ${JSON.stringify(states)}, virtual ${((clock.now() - t0) / 60_000).toFixed(1)} min, ${clock.pendingSleepers()} sleeping\n`,
          );
        }, 15_000)
      : undefined;
    heartbeat?.unref();
    await settle(pipeline, clock, (open) =>
      o.progress?.(`settling: ${open} jobs not finished, virtual ${((clock.now() - t0) / 3_600_000).toFixed(1)} h`),
    );
    if (heartbeat) clearInterval(heartbeat);
    pipeline.stop();
    const jobs: Job[] = pipeline.listJobs();
    const dlq = await pipeline.deadLetters.list();
    printed.push(JSON.stringify({ report: pipeline.report(), health: pipeline.health(), dlq, jobs }));
    const secrets = [demo.clientSecret, ...accounts.flatMap((a) => [a.accessToken, a.refreshToken])];
    for (const [, raw] of await store.list('tokpipe/tokens/')) {
      const record = JSON.parse(raw) as { access_token?: string; refresh_token?: string };
      secrets.push(...[record.access_token, record.refresh_token].filter((t): t is string => typeof t === 'string'));
    }
    const result = audit(jobs, dlq, sb.admin.posts(), specs);
    const stats = requestStats(sb);
    return {
      ...result,
      events: countEvents(events),
      requests: stats.byEndpoint,
      faults: stats.faults,
      refusals: stats.refusals,
      webhooks: { received: receiver.received, refused: receiver.refused },
      virtualHours: (clock.now() - t0) / 3_600_000,
      realSeconds: (Date.now() - started) / 1000,
      printed: printed.join('\n'),
      secrets: [...new Set(secrets)],
    };
  } finally {
    current?.stop();
    await receiver.close();
    await sb.close();
    await db?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
