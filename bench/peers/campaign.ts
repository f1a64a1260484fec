// One campaign, one world per strategy: a fresh sandbox with the same seed, configuration and hostile
// fault profile, fresh accounts (the same open_ids: same seed), and one VirtualClock that the sandbox
// reads too. Every strategy gets the same posts; what it reports is compared with the sandbox's records.
import { ENDPOINTS, VirtualClock, type Endpoint, type PostStatus, type PrivacyLevel } from '@tokpipe/core';
import { startSandbox, type Sandbox, type SandboxConfig } from '@tokpipe/sandbox';
import { chaosFaults, createAccounts, soakSandboxConfig, type SoakAccount } from '../../test/chaos/soak';
import { rawWire, type Wire } from './wire';

export interface CampaignOptions {
  posts: number;
  accounts: number;
  seed: number;
  /** Real ms a request may wait for a reply, for every strategy (the timeout fault never replies). */
  requestTimeoutMs: number;
  /** Real ms a "slow" fault holds a reply (virtual time stands still meanwhile; only the run's length changes). */
  slowMs: number;
  /** The sandbox's hostile profile (the bench), or calm with scripted faults (the honesty tests). */
  faults?: 'hostile' | 'calm';
  config?: Partial<SandboxConfig>;
}

export const DEFAULT_CAMPAIGN: CampaignOptions = {
  posts: 200,
  accounts: 10,
  seed: 7,
  requestTimeoutMs: 400,
  slowMs: 60,
};

export interface CampaignPost {
  index: number;
  account: SoakAccount;
  caption: string;
  videoUrl: string;
}

/** What a strategy told its user about one post, and when (virtual ms). */
export interface Verdict {
  verdict: 'published' | 'failed' | 'unknown';
  at: number;
}

export interface PeerWorld {
  clock: VirtualClock;
  sb: Sandbox;
  wire: Wire;
  accounts: SoakAccount[];
  posts: CampaignPost[];
  clientKey: string;
  clientSecret: string;
  startedAt: number;
  options: CampaignOptions;
  close(): Promise<void>;
}

export async function startPeerWorld(options: CampaignOptions): Promise<PeerWorld> {
  let sb: Sandbox | undefined;
  const clock = new VirtualClock({
    autoAdvance: true,
    // Webhook deliveries and post events are due work on the sandbox: run them before time jumps.
    yieldToHost: async () => {
      if (sb) await sb.admin.runDueWork();
      await new Promise((r) => setImmediate(r));
    },
  });
  sb = await startSandbox({
    clock,
    seed: options.seed,
    workIntervalMs: 0,
    faults: options.faults === 'calm' ? 'calm' : chaosFaults({ slowMs: options.slowMs }),
    config: { ...soakSandboxConfig, ...options.config },
  });
  const demo = sb.admin.demo();
  const accounts = createAccounts(sb, options.accounts);
  const posts = Array.from({ length: options.posts }, (_, i) => ({
    index: i,
    account: accounts[i % accounts.length]!,
    caption: `peers seed ${options.seed} post ${i + 1} #campaign`,
    videoUrl: `${sb!.url}/media/sample.mp4`,
  }));
  const world: PeerWorld = {
    clock,
    sb,
    wire: rawWire(clock, options.requestTimeoutMs),
    accounts,
    posts,
    clientKey: demo.clientKey,
    clientSecret: demo.clientSecret,
    startedAt: clock.now(),
    options,
    close: () => sb!.close(),
  };
  return world;
}

/** The runner every baseline gets: each account's posts one after another (a post's whole handling,
 * retries and status checks included, ends before the next starts), the accounts side by side. The
 * kindest pacing for them: no burst of inits on one token. */
export async function perAccountInOrder(
  world: PeerWorld,
  handle: (post: CampaignPost) => Promise<Verdict>,
): Promise<Map<number, Verdict>> {
  const verdicts = new Map<number, Verdict>();
  await Promise.all(
    world.accounts.map(async (account) => {
      for (const post of world.posts.filter((p) => p.account === account)) {
        try {
          verdicts.set(post.index, await handle(post));
        } catch {
          // A strategy that throws past its own handling has told its user nothing: no verdict (lost if not on TikTok).
        }
      }
    }),
  );
  return verdicts;
}

/** TikTok's words the baselines compare against, typed by core's unions (a misspelling fails tsc). */
export const COMPLETE: PostStatus = 'PUBLISH_COMPLETE';
export const FAILED: PostStatus = 'FAILED';
export const IN_INBOX: PostStatus = 'SEND_TO_USER_INBOX';
export const PUBLIC: PrivacyLevel = 'PUBLIC_TO_EVERYONE';

/** The Direct Post init body every PULL_FROM_URL baseline sends (TikTok's documented shape). */
export function pullFromUrlBody(post: CampaignPost): string {
  return JSON.stringify({
    post_info: { title: post.caption, privacy_level: PUBLIC },
    source_info: { source: 'PULL_FROM_URL', video_url: post.videoUrl },
  });
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json; charset=UTF-8' };
}

/** A TikTok API URL on the sandbox (paths are core's facts; the baselines only borrow the strings). */
export function apiUrl(world: PeerWorld, endpoint: Endpoint): string {
  return `${world.sb.url}${ENDPOINTS[endpoint].path}`;
}
