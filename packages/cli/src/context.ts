// Wires core for one CLI run: scaled clock, HTTP transport, the token file behind a TokenManager,
// and the poster (its store and limiter come from the state: state.ts).
import * as path from 'node:path';
import { createPoster, oauthRefresher, TikTokOAuth, TokenManager } from '@tokpipe/core';
import type { Clock, KeyValueStore, RateLimiter, RefreshFunction, Transport } from '@tokpipe/core';
import { axiosTransport, fileTokenStore, systemClock } from '@tokpipe/core/node';
import { DEFAULT_REQUEST_TIMEOUT_MS, requireClientCredentials, type CliEnv } from './env';

export const DEFAULT_TOKEN_FILE = '.tokpipe/token.json';
export function tokenFilePath(flag: unknown, cwd: string): string {
  return path.resolve(cwd, typeof flag === 'string' ? flag : DEFAULT_TOKEN_FILE);
}

export interface Runtime {
  env: CliEnv;
  clock: Clock & { scale: number };
  transport: Transport;
}

/** Loopback I/O cannot be made faster than a round trip: scaled timeouts never go below this. */
const MIN_REAL_TIMEOUT_MS = 2_000;

/** Request timeouts are virtual like every other duration: TOKPIPE_TIME_SCALE applies to them too. */
export function scaledTransport(base: Transport, scale: number, defaultTimeoutMs: number): Transport {
  if (scale === 1) return (request) => base({ ...request, timeoutMs: request.timeoutMs ?? defaultTimeoutMs });
  return (request) =>
    base({ ...request, timeoutMs: Math.max(MIN_REAL_TIMEOUT_MS, (request.timeoutMs ?? defaultTimeoutMs) * scale) });
}

export function runtime(env: CliEnv): Runtime {
  return {
    env,
    clock: systemClock({ scale: env.timeScale }),
    transport: scaledTransport(axiosTransport(), env.timeScale, DEFAULT_REQUEST_TIMEOUT_MS),
  };
}

export function oauthClient(rt: Runtime, why: string): TikTokOAuth {
  const creds = requireClientCredentials(rt.env, why);
  return new TikTokOAuth({ ...creds, baseUrl: rt.env.baseUrl, transport: rt.transport, clock: rt.clock });
}

/** TikTok's refresh_token grant; needs the app's client key and secret (checked only when used). */
export function refresherFor(rt: Runtime): RefreshFunction {
  return (refreshToken) => oauthRefresher(oauthClient(rt, 'to refresh the access token'))(refreshToken);
}

/** A TokenManager over a token file; processes sharing the file refresh one at a time (`say` tells the user
 * when this one waits for another). */
export function fileTokenManager(rt: Runtime, tokenFile: string, say?: (line: string) => void): TokenManager {
  const onWait = (holder: { pid: number }): void =>
    say?.(
      `${path.basename(tokenFile)}: another tokpipe process (pid ${holder.pid}) is refreshing the access token; waiting for it\n`,
    );
  return new TokenManager({ store: fileTokenStore(tokenFile, { onWait }), clock: rt.clock, refresh: refresherFor(rt) });
}

export function makePoster(
  rt: Runtime,
  auth: TokenManager,
  store?: KeyValueStore,
  limiter?: RateLimiter,
): ReturnType<typeof createPoster> {
  const shared = { ...(store ? { store } : {}), ...(limiter ? { limiter } : {}) };
  return createPoster({ baseUrl: rt.env.baseUrl, transport: rt.transport, clock: rt.clock, auth, ...shared });
}
