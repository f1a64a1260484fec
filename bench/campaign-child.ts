// Issue 14 item 1, in its own process (peak RSS is per process): a 100,000-row campaign over 20
// accounts whose daily caps (15 each) take 300 rows; the rest must be deferred to their slots and
// drain() must end. Two shapes: every row routed, and 95 % of the rows pinned to one account.
// The poster answers at once (no network), so the figure is the pipeline's own scheduling cost:
// rows scheduled (posted or deferred) per CPU-second of this process (user + system, so a busy
// shared machine does not skew it), from submitMany to drain; wall-clock rows/s alongside.
import { MemoryStore, Pipeline, VirtualClock, type JobSpec, type PipelinePoster } from '@tokpipe/core';

const ROWS = Number(process.env.BENCH_CAMPAIGN_ROWS ?? 100_000);
const ACCOUNTS = 20;

function instantPoster(): PipelinePoster {
  let n = 0;
  return {
    async post() {
      n++;
      const postIds = [`73${String(n).padStart(17, '0')}`];
      return { publishId: `v_pub_url~v2.${n}`, status: 'PUBLISH_COMPLETE', postIds, error: null };
    },
    async status() {
      return { status: 'PUBLISH_COMPLETE', postIds: [], error: null };
    },
  };
}

function row(i: number, account: string | undefined): JobSpec {
  return {
    ...(account ? { account } : {}),
    mode: 'direct',
    media: { type: 'video_url', url: `https://media.example.com/clips/${i}.mp4` },
    title: `campaign row ${i} #tokpipe`,
    privacyLevel: 'PUBLIC_TO_EVERYONE',
    idempotencyKey: `row-${i}`,
  };
}

interface CampaignRun {
  rowsPerSecond: number;
  wallRowsPerSecond: number;
  published: number;
  deferred: number;
}

async function campaign(shape: 'routed' | 'one_account'): Promise<CampaignRun> {
  const poster = instantPoster();
  const clock = new VirtualClock();
  const pipeline = await Pipeline.open({ store: new MemoryStore(), clock, random: () => 0.5, posterFor: () => poster });
  const ids = Array.from({ length: ACCOUNTS }, (_, a) => `a${a}`);
  for (const id of ids) await pipeline.accounts.add({ id, scopes: ['video.publish', 'video.upload'] });
  // one_account: 95 % of the rows on a0, every 20th row spread over the other 19.
  const pinned = (i: number): string | undefined =>
    shape === 'routed' ? undefined : i % 20 === 0 ? ids[1 + ((i / 20) % 19)] : ids[0];
  const specs = Array.from({ length: ROWS }, (_, i) => row(i, pinned(i)));
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  await pipeline.submitMany(specs);
  await pipeline.drain();
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const jobs = pipeline.listJobs();
  pipeline.stop();
  const published = jobs.filter((j) => j.state === 'published').length;
  const deferred = jobs.filter((j) => j.state === 'deferred').length;
  return {
    rowsPerSecond: ROWS / ((cpu.user + cpu.system) / 1e6),
    wallRowsPerSecond: ROWS / seconds,
    published,
    deferred,
  };
}

(async () => {
  const routed = await campaign('routed');
  const oneAccount = await campaign('one_account');
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ rows: ROWS, routed, oneAccount, peakRssMiB })}\n`);
  process.exit(0);
})().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
