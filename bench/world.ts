// A calm sandbox and the real pipeline (createPoster + TokenManager + axios) on one VirtualClock:
// simulated minutes in real milliseconds. Webhook deliveries run while the clock decides whether
// everything is idle, so virtual time never jumps over a delivery that is due.
import { MemoryStore, VirtualClock, type JobSpec, type Pipeline } from '@tokpipe/core';
import { axiosTransport } from '@tokpipe/core/node';
import { startSandbox, type Sandbox, type SandboxConfig } from '@tokpipe/sandbox';
import {
  addAccounts,
  createAccounts,
  openPipeline,
  startWebhookReceiver,
  type SoakAccount,
  type WebhookReceiver,
} from '../test/chaos/soak';

export interface BenchWorld {
  clock: VirtualClock;
  sb: Sandbox;
  pipeline: Pipeline;
  accounts: SoakAccount[];
  receiver?: WebhookReceiver;
  close(): Promise<void>;
}

export async function startWorld(o: {
  accounts: number;
  webhooks: boolean;
  config?: Partial<SandboxConfig>;
}): Promise<BenchWorld> {
  let sb: Sandbox | undefined;
  const clock = new VirtualClock({
    autoAdvance: true,
    yieldToHost: async () => {
      if (sb) await sb.admin.runDueWork();
      await new Promise((r) => setImmediate(r));
    },
  });
  sb = await startSandbox({
    clock,
    seed: 5,
    workIntervalMs: 0,
    config: { directPostDailyCap: 100_000, activeUserCap: 100_000, ...o.config },
  });
  const demo = sb.admin.demo();
  let pipeline: Pipeline | undefined;
  const receiver = o.webhooks ? await startWebhookReceiver(() => pipeline, demo.clientSecret, clock) : undefined;
  if (receiver) sb.admin.setConfig({ webhookUrl: receiver.url });
  const accounts = createAccounts(sb, o.accounts);
  pipeline = await openPipeline({
    store: new MemoryStore(),
    clock,
    transport: clock.trackTransport(axiosTransport()),
    sandboxUrl: sb.url,
    clientKey: demo.clientKey,
    clientSecret: demo.clientSecret,
    requestTimeoutMs: 10_000,
    webhooks: o.webhooks,
    random: () => 0.5,
  });
  await addAccounts(pipeline, accounts, clock.now());
  const world: BenchWorld = {
    clock,
    sb,
    pipeline,
    accounts,
    receiver,
    close: async () => {
      pipeline!.stop();
      await receiver?.close();
      await sb!.close();
    },
  };
  return world;
}

/** `posts` direct public videos, pinned round-robin to the accounts. */
export function pinnedSpecs(world: BenchWorld, posts: number, tag: string): JobSpec[] {
  return Array.from({ length: posts }, (_, i) => ({
    account: world.accounts[i % world.accounts.length]!.id,
    mode: 'direct' as const,
    media: { type: 'video_url' as const, url: `${world.sb.url}/media/sample.mp4` },
    title: `${tag} ${i + 1}`,
    privacyLevel: 'PUBLIC_TO_EVERYONE' as const,
    idempotencyKey: `${tag}-${i + 1}`,
  }));
}
