// The Zapier app against a real sandbox on 127.0.0.1: Zapier's appTester runs each perform through
// zapier-platform-core (middleware, z.request, z.cache, output checks); the app and the sandbox share
// one VirtualClock, so backoff and rate windows take no real time and never move during real I/O.
import { VirtualClock } from '@tokpipe/core';
import { startSandbox, type Sandbox, type SandboxConfig } from '@tokpipe/sandbox';
import zapier from 'zapier-platform-core';
import { overrideRuntime } from '../src/lib/common/runtime';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const App = require('../src/index');

export type Perform = (z: any, bundle: any) => Promise<any>;

export interface AuthData {
  access_token: string;
  refresh_token: string;
  open_id: string;
  scope: string;
  expires_at?: number;
}

export interface Harness {
  App: any;
  sb: Sandbox;
  clock: VirtualClock;
  /** Runs a perform like Zapier would, with this connection. */
  run(
    perform: Perform,
    inputData?: Record<string, unknown>,
    authData?: AuthData,
    meta?: Record<string, unknown>,
  ): Promise<any>;
  /** Same, resolving to the thrown error (fails the test if nothing is thrown). */
  fail(perform: Perform, inputData?: Record<string, unknown>, authData?: AuthData): Promise<Error & { name: string }>;
  auth: AuthData;
  /** A second account of the same app. */
  otherAuth: AuthData;
  mediaUrl(name?: string): string;
  /**
   * Requests that reached the sandbox for one endpoint
   * (video.init, inbox.init, content.init, status, creator_info, upload, oauth.token, video.list...).
   */
  count(endpoint: string): number;
  close(): Promise<void>;
}

const ENV_KEYS = ['TIKTOK_API_BASE_URL', 'TIKTOK_AUTHORIZE_URL', 'TIKTOK_CLIENT_KEY', 'TIKTOK_CLIENT_SECRET'] as const;

export async function startHarness(opts: { config?: Partial<SandboxConfig> } = {}): Promise<Harness> {
  const clock = new VirtualClock({
    start: Date.UTC(2026, 10, 25, 9),
    autoAdvance: true,
    yieldToHost: () => new Promise((r) => setImmediate(r)),
  });
  const sb = await startSandbox({ clock, config: opts.config, workIntervalMs: 0 });
  const demo = sb.admin.demo();
  const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  process.env.TIKTOK_API_BASE_URL = sb.url;
  process.env.TIKTOK_CLIENT_KEY = demo.clientKey;
  process.env.TIKTOK_CLIENT_SECRET = demo.clientSecret;
  delete process.env.TIKTOK_AUTHORIZE_URL;
  const restore = overrideRuntime({
    clock,
    random: () => 0.5,
    wrapTransport: (t) => clock.trackTransport(t),
    downloadIdleMs: 1_000,
  });
  const appTester = zapier.createAppTester(App);
  const authOf = (i: number): AuthData => {
    const a = demo.accounts[i]!;
    return { access_token: a.accessToken, refresh_token: a.refreshToken, open_id: a.openId, scope: a.scope };
  };
  const auth = authOf(0);
  const run: Harness['run'] = (perform, inputData = {}, authData = auth, meta = {}) =>
    // Not clock.track()ed as a whole: the perform sleeps on this clock between retries; only its
    // requests (wrapTransport) hold time still.
    appTester(perform as any, { authData, inputData, meta } as any);
  return {
    App,
    sb,
    clock,
    run,
    fail: async (perform, inputData = {}, authData = auth) => {
      const result = await run(perform, inputData, authData).then(
        (value) => ({ value }),
        (error: Error) => ({ error }),
      );
      if (!('error' in result))
        throw new Error(`expected the perform to fail, it returned ${JSON.stringify(result.value)}`);
      return result.error as Error & { name: string };
    },
    auth,
    otherAuth: authOf(1),
    mediaUrl: (name = 'sample.mp4') => `${sb.url}/media/${name}`,
    count: (endpoint) => sb.admin.requests({ endpoint }).length,
    close: async () => {
      restore();
      for (const k of ENV_KEYS) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
      await sb.close();
    },
  };
}

/** ThrottledError / AppError carry JSON in their message. */
export function errorJson(error: Error): Record<string, any> {
  return JSON.parse(error.message) as Record<string, any>;
}
