// Shared setup for poster tests: a real sandbox on 127.0.0.1 sharing one VirtualClock with core, a
// real HTTP transport whose requests the clock tracks (time never jumps mid-request), and a
// TokenManager refreshing through the sandbox's OAuth endpoint.
import { startSandbox, type Sandbox, type SandboxConfig } from '@tokpipe/sandbox';
import { axiosTransport } from '../../src/node/transport';
import { VirtualClock } from '../../src/clock';
import { createPoster, type PosterOptions } from '../../src/poster';
import { createTokenManager, memoryTokenStore, type TokenRecord } from '../../src/tokens';
import type { Transport } from '../../src/ports';

export interface Harness {
  sb: Sandbox;
  clock: VirtualClock;
  transport: Transport;
  openId: string;
  tokens: ReturnType<typeof memoryTokenStore>;
  poster: ReturnType<typeof createPoster>;
  auth: ReturnType<typeof createTokenManager>;
  mediaUrl(name?: string): string;
  /** Requests that reached the sandbox for one endpoint name (video.init, creator_info, status, upload, oauth.token...). */
  count(endpoint: string): number;
  close(): Promise<void>;
}

/** The virtual clock's start: token expiries in tests are set relative to it. */
export const HARNESS_START = Date.UTC(2026, 0, 5, 9);

export async function startHarness(
  opts: {
    config?: Partial<SandboxConfig>;
    poster?: Partial<PosterOptions>;
    token?: Partial<TokenRecord>;
    scope?: string;
  } = {},
): Promise<Harness> {
  const clock = new VirtualClock({
    start: HARNESS_START,
    autoAdvance: true,
    yieldToHost: () => new Promise((r) => setImmediate(r)),
  });
  const sb = await startSandbox({ clock, config: opts.config, workIntervalMs: 0 });
  const demo = sb.admin.demo();
  const account = demo.accounts[0]!;
  const issued = opts.scope ? sb.admin.issueToken(account.openId, { scope: opts.scope }) : account;
  const tokens = memoryTokenStore({
    access_token: issued.accessToken,
    refresh_token: issued.refreshToken,
    expires_at: clock.now() + 3_600_000,
    scope: issued.scope,
    open_id: account.openId,
    ...opts.token,
  });
  const transport = clock.trackTransport(axiosTransport());
  const auth = createTokenManager({
    store: tokens,
    clock,
    transport,
    clientKey: demo.clientKey,
    clientSecret: demo.clientSecret,
    baseUrl: sb.url,
  });
  const poster = createPoster({
    baseUrl: sb.url,
    transport,
    clock,
    auth,
    random: () => 0.5,
    requestTimeoutMs: 3_000,
    ...opts.poster,
  });
  return {
    sb,
    clock,
    transport,
    openId: account.openId,
    tokens,
    poster,
    auth,
    mediaUrl: (name = 'sample.mp4') => `${sb.url}/media/${name}`,
    count: (endpoint) => sb.admin.requests({ endpoint }).length,
    close: () => sb.close(),
  };
}
