// The environment variables the CLI reads, validated up front (bad values exit 2 naming the variable).
import { DEFAULT_REQUEST_TIMEOUT_MS, TIKTOK_API_BASE_URL } from '@tokpipe/core';
import { UsageError } from './args';

export const DEFAULT_API_BASE_URL = TIKTOK_API_BASE_URL;
export { DEFAULT_REQUEST_TIMEOUT_MS };

export interface CliEnv {
  baseUrl: string;
  clientKey?: string;
  clientSecret?: string;
  /** Multiplies every wait, backoff, poll interval and request timeout. */
  timeScale: number;
  requestTimeoutMs: number;
}

export function readEnv(env: Record<string, string | undefined>): CliEnv {
  const baseUrl = (env.TIKTOK_API_BASE_URL ?? '').trim() || DEFAULT_API_BASE_URL;
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new UsageError(
      `TIKTOK_API_BASE_URL must be an absolute http(s) URL, got "${baseUrl}"`,
      'TIKTOK_API_BASE_URL',
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new UsageError(`TIKTOK_API_BASE_URL must use http or https, got "${parsed.protocol}"`, 'TIKTOK_API_BASE_URL');
  }
  const scaleText = (env.TOKPIPE_TIME_SCALE ?? '').trim();
  const timeScale = scaleText === '' ? 1 : Number(scaleText);
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    throw new UsageError(`TOKPIPE_TIME_SCALE must be a positive number, got "${scaleText}"`, 'TOKPIPE_TIME_SCALE');
  }
  const result: CliEnv = {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    timeScale,
    requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS * timeScale,
  };
  const clientKey = env.TIKTOK_CLIENT_KEY?.trim();
  const clientSecret = env.TIKTOK_CLIENT_SECRET?.trim();
  if (clientKey) result.clientKey = clientKey;
  if (clientSecret) result.clientSecret = clientSecret;
  return result;
}

export function requireClientCredentials(env: CliEnv, why: string): { clientKey: string; clientSecret: string } {
  if (!env.clientKey) throw new UsageError(`TIKTOK_CLIENT_KEY is not set (needed ${why})`, 'TIKTOK_CLIENT_KEY');
  if (!env.clientSecret)
    throw new UsageError(`TIKTOK_CLIENT_SECRET is not set (needed ${why})`, 'TIKTOK_CLIENT_SECRET');
  return { clientKey: env.clientKey, clientSecret: env.clientSecret };
}
