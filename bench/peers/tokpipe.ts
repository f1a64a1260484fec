// tokpipe as users run it: core's Pipeline over the sandbox (createPoster + TokenManager + axios),
// signed webhooks on, reconciliation until every job is finished, wired exactly like the chaos soak.
import { MemoryStore, type PipelineEvent } from '@tokpipe/core';
import { axiosTransport } from '@tokpipe/core/node';
import { addAccounts, openPipeline, settle, startWebhookReceiver } from '../../test/chaos/soak';
import { PUBLIC, type PeerWorld, type Verdict } from './campaign';
import { inOrder } from './wire';

/** Dead letters whose outcome TikTok never settled: the user is told "check this one", not "failed". */
const UNSURE_CODES = new Set(['unknown_outcome', 'unconfirmed_expired', 'interrupted_init', 'unconfirmed']);

export async function runTokpipe(world: PeerWorld): Promise<Map<number, Verdict>> {
  const { clock, sb } = world;
  let pipeline: Awaited<ReturnType<typeof openPipeline>> | undefined;
  const receiver = await startWebhookReceiver(() => pipeline, world.clientSecret, clock);
  sb.admin.setConfig({ webhookUrl: receiver.url });
  let seed = world.options.seed;
  const random = () => {
    // Deterministic jitter (mulberry32), as in the soak: a seed replays tokpipe's own choices too.
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  try {
    pipeline = await openPipeline({
      store: new MemoryStore(),
      clock,
      transport: clock.trackTransport(inOrder(axiosTransport())),
      random,
      sandboxUrl: sb.url,
      clientKey: world.clientKey,
      clientSecret: world.clientSecret,
      requestTimeoutMs: world.options.requestTimeoutMs,
    });
    const byJob = new Map<string, number>();
    const verdicts = new Map<number, Verdict>();
    const keyPrefix = `peers-${world.options.seed}-`;
    pipeline.on((e: PipelineEvent) => {
      if (e.type === 'job_queued') byJob.set(e.job.id, Number(e.job.spec.idempotencyKey!.slice(keyPrefix.length)));
      const index = 'jobId' in e ? byJob.get(e.jobId) : undefined;
      if (index === undefined) return;
      if (e.type === 'job_published') verdicts.set(index, { verdict: 'published', at: e.at });
      if (e.type === 'job_dead_lettered')
        verdicts.set(index, { verdict: UNSURE_CODES.has(e.error.code) ? 'unknown' : 'failed', at: e.at });
    });
    await addAccounts(pipeline, world.accounts, clock.now());
    await pipeline.submitMany(
      world.posts.map((p) => ({
        account: p.account.id,
        mode: 'direct' as const,
        media: { type: 'video_url' as const, url: p.videoUrl },
        title: p.caption,
        privacyLevel: PUBLIC,
        idempotencyKey: `${keyPrefix}${p.index}`,
      })),
    );
    await settle(pipeline, clock);
    // Anything still open after reconciliation gave up is shown as not finished: "unknown" to its user.
    for (const job of pipeline.listJobs()) {
      const index = byJob.get(job.id);
      if (index !== undefined && !verdicts.has(index)) verdicts.set(index, { verdict: 'unknown', at: clock.now() });
    }
    return verdicts;
  } finally {
    pipeline?.stop();
    await receiver.close();
  }
}
