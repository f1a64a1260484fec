// Test harness: a real sandbox on 127.0.0.1 sharing one VirtualClock with the pipeline, real posters
// (createPoster + TokenManager + axios transport) per account, and helpers that count what reached
// the sandbox. Nothing here fakes TikTok.
import { startSandbox, type Sandbox, type SandboxConfig } from '@tokpipe/sandbox';
import { axiosTransport } from '../../src/node';
import { createPoster } from '../../src/poster';
import { VirtualClock } from '../../src/clock';
import { MemoryStore } from '../../src/memory-store';
import { Ledger } from '../../src/idempotency/ledger';
import { TikTokOAuth } from '../../src/oauth/oauth';
import { TokenManager, oauthRefresher } from '../../src/tokens/manager';
import { Pipeline, type PipelineOptions } from '../../src/pipeline';
import type { AccountCaps, PipelineEvent } from '../../src/pipeline';
import type { KeyValueStore, Transport } from '../../src/ports';

export interface AccountSetup {
  id: string;
  region?: string;
  caps?: Partial<AccountCaps>;
  scopes?: string[];
}

export interface Harness {
  clock: VirtualClock;
  sb: Sandbox;
  store: KeyValueStore;
  pipeline: Pipeline;
  openIds: Record<string, string>;
  events: PipelineEvent[];
  /** Init requests that reached the sandbox, per account id. */
  inits(account: string): number;
  /** Posts the sandbox holds for an account. */
  posts(account: string): ReturnType<Sandbox['admin']['posts']>;
  /** Opens a new pipeline over `store` (what a restart after kill -9 does), with a plain transport. */
  reopen(store: KeyValueStore, overrides?: Partial<PipelineOptions>): Promise<Pipeline>;
  close(): Promise<void>;
}

const INIT_ENDPOINTS = ['video.init', 'inbox.init', 'content.init'];

export async function setup(options: {
  accounts: AccountSetup[];
  sandbox?: Partial<SandboxConfig>;
  store?: KeyValueStore;
  pipeline?: Partial<PipelineOptions>;
  /** Wraps the transport of the posters (e.g. to simulate a process dying mid-request). */
  wrapTransport?: (t: Transport) => Transport;
  autoAdvance?: boolean;
  clock?: VirtualClock;
  faults?: 'calm' | 'flaky' | 'hostile';
  seed?: number;
}): Promise<Harness> {
  const clock = options.clock ?? new VirtualClock({ autoAdvance: options.autoAdvance ?? true });
  const sb = await startSandbox({
    clock,
    faults: options.faults ?? 'calm',
    seed: options.seed ?? 7,
    workIntervalMs: 0,
    config: { moderationDelayMs: 5_000, ...options.sandbox },
  });
  const baseTransport = clock.trackTransport(axiosTransport({ defaultTimeoutMs: 5_000 }));
  const store = options.store ?? new MemoryStore();
  const demo = sb.admin.demo();
  const oauth = new TikTokOAuth({
    clientKey: demo.clientKey,
    clientSecret: demo.clientSecret,
    transport: baseTransport,
    baseUrl: sb.url,
    clock,
  });
  const events: PipelineEvent[] = [];
  const openIds: Record<string, string> = {};

  const open = async (
    store: KeyValueStore,
    transport: Transport,
    pipelineOptions: Partial<PipelineOptions> = {},
  ): Promise<Pipeline> => {
    const pipeline = await Pipeline.open({
      store,
      clock,
      random: () => 0.5,
      ledger: new Ledger(store, clock),
      posterFor: (_account, { tokens, limiter }) =>
        createPoster({
          baseUrl: sb.url,
          transport,
          clock,
          store,
          limiter,
          requestTimeoutMs: 1_000, // real ms: the sandbox's 'timeout' fault never answers
          random: () => 0.5,
          retry: { maxAttempts: 1 },
          auth: new TokenManager({ store: tokens, clock, refresh: oauthRefresher(oauth) }),
        }),
      ...pipelineOptions,
    });
    pipeline.on((e) => events.push(e));
    return pipeline;
  };

  const pipeline = await open(
    store,
    options.wrapTransport ? options.wrapTransport(baseTransport) : baseTransport,
    options.pipeline,
  );
  // A restart keeps the options but not a crash-simulating poster.
  const { posterFor: _crashing, ...restartOptions } = options.pipeline ?? {};
  for (const a of options.accounts) {
    const user = sb.admin.createUser({ username: a.id.replace(/[^a-z0-9_]/gi, '_') });
    const token = sb.admin.issueToken(user.openId, a.scopes ? { scope: a.scopes } : {});
    openIds[a.id] = user.openId;
    await pipeline.accounts.add({
      id: a.id,
      region: a.region,
      caps: a.caps,
      scopes: a.scopes,
      token: {
        access_token: token.accessToken,
        refresh_token: token.refreshToken,
        expires_at: clock.now() + token.expiresIn * 1000,
        scope: token.scope,
        open_id: user.openId,
      },
    });
  }

  return {
    clock,
    sb,
    store,
    pipeline,
    openIds,
    events,
    inits: (account) =>
      sb.admin.requests({ openId: openIds[account] }).filter((r) => INIT_ENDPOINTS.includes(r.endpoint)).length,
    posts: (account) => sb.admin.posts(openIds[account]),
    reopen: (next, overrides) => open(next, baseTransport, { ...restartOptions, ...overrides }),
    close: async () => {
      pipeline.stop();
      await sb.close();
    },
  };
}

let counter = 0;
/** A direct video post from the sandbox's own (verified) media, with a unique caption. */
export function videoJob(sb: Sandbox, extra: Record<string, unknown> = {}) {
  counter++;
  return {
    mode: 'direct' as const,
    media: { type: 'video_url' as const, url: `${sb.url}/media/sample.mp4` },
    title: `post ${counter} #tokpipe`,
    privacyLevel: 'PUBLIC_TO_EVERYONE' as const,
    ...extra,
  };
}

export function eventsOf<T extends PipelineEvent['type']>(
  events: PipelineEvent[],
  type: T,
): Array<Extract<PipelineEvent, { type: T }>> {
  return events.filter((e): e is Extract<PipelineEvent, { type: T }> => e.type === type);
}

/** Waits (short real I/O turns, never clock time) until `cond` holds. */
export async function until(cond: () => boolean, what: string): Promise<void> {
  // Generous for a loaded CI machine; returns as soon as the condition holds.
  const giveUpAt = Date.now() + 15_000;
  while (Date.now() < giveUpAt) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}
