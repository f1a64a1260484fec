// The pipeline as its own process, for the SIGKILL variant: opens the FileStore, (re)submits the
// same campaign (same idempotency keys = same jobs), drains and reconciles until every job is
// finished, then prints DONE. The parent kills it with SIGKILL at random moments and starts it again.
import * as fs from 'node:fs';
import type { Clock } from '@tokpipe/core';
import { FileStore, axiosTransport } from '@tokpipe/core/node';
import { openEmbedded, SqlStore } from '../../packages/engine/src';
import { addAccounts, openPipeline, settle, soakSpecs, startWebhookReceiver, type SoakAccount } from './soak';

export interface WorkerConfig {
  sandboxUrl: string;
  clientKey: string;
  clientSecret: string;
  accounts: SoakAccount[];
  storePath: string;
  posts: number;
  runId: string;
  webhookPort: number;
  /** Real ms per virtual ms, and the (virtual, real) instant both clocks agree on. */
  scale: number;
  virtualOrigin: number;
  realOrigin: number;
  requestTimeoutMs: number;
  reconcileWindowMs: number;
  /** 'embedded': the SQL engine on PGlite in `${storePath}.pgdata` instead of the FileStore. */
  engine?: 'file' | 'embedded';
}

/** The sandbox's scaled time, shared across restarts (a fresh systemClock would restart at "now"). */
function anchoredClock(c: WorkerConfig): Clock {
  return {
    now: () => Math.floor(c.virtualOrigin + (Date.now() - c.realOrigin) / c.scale),
    sleep: (ms) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms * c.scale)) : Promise.resolve()),
  };
}

async function main(): Promise<void> {
  const config = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as WorkerConfig;
  const clock = anchoredClock(config);
  const embedded = config.engine === 'embedded';
  const store = embedded
    ? new SqlStore(await openEmbedded(`${config.storePath}.pgdata`))
    : FileStore.open(config.storePath);
  const pipeline = await openPipeline({
    store,
    clock,
    transport: axiosTransport(),
    sandboxUrl: config.sandboxUrl,
    clientKey: config.clientKey,
    clientSecret: config.clientSecret,
    requestTimeoutMs: config.requestTimeoutMs,
    reconcileWindowMs: config.reconcileWindowMs,
  });
  // One line per pipeline event: the parent can kill us after a random number of them.
  pipeline.on(() => process.stdout.write('E\n'));
  const receiver = await startWebhookReceiver(() => pipeline, config.clientSecret, clock, config.webhookPort);
  process.stdout.write('UP\n');
  await addAccounts(pipeline, config.accounts, clock.now());
  await pipeline.submitMany(soakSpecs(config.sandboxUrl, config.posts, config.accounts, config.runId));
  await settle(pipeline, clock);
  pipeline.stop();
  await receiver.close();
  process.stdout.write('DONE\n');
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
