// Where TikTok lives and who we are to it. Read from the environment on every call (never at load),
// so `zapier env:set`, a test's bundle.environment or the sandbox URL take effect without a reload.
import { apiBaseUrlOf, TIKTOK_AUTHORIZE_URL, TIKTOK_SCOPES } from '@tokpipe/core';

/** Zapier's own limit for one perform is 30 s; we stop our work (retries, waits) well before it. */
export const PERFORM_BUDGET_MS = 25_000;
/** No byte of a file download for this long: the download is given up (well inside the 30 s). */
export const DOWNLOAD_IDLE_MS = 10_000;

/** Scopes the connection asks for (core's list): the connection label, posting (direct and draft), the video list. */
export const SCOPES = TIKTOK_SCOPES.map((s) => s.name);

const env = (name: string): string | undefined => {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
};

/** TIKTOK_API_BASE_URL points the app at the sandbox (or a proxy); default: core's TikTok API base URL. */
export function apiBaseUrl(): string {
  return apiBaseUrlOf(env('TIKTOK_API_BASE_URL'));
}

/** TIKTOK_AUTHORIZE_URL; with only TIKTOK_API_BASE_URL set (the sandbox) its own authorize page. */
export function authorizeUrl(): string {
  const explicit = env('TIKTOK_AUTHORIZE_URL');
  if (explicit) return explicit;
  const base = env('TIKTOK_API_BASE_URL');
  return base ? `${apiBaseUrlOf(base)}/v2/auth/authorize/` : TIKTOK_AUTHORIZE_URL;
}

export interface ClientCredentials {
  clientKey: string;
  clientSecret: string;
}

/** The TikTok app's credentials (`zapier env:set TIKTOK_CLIENT_KEY=… TIKTOK_CLIENT_SECRET=…`). */
export function clientCredentials(): ClientCredentials {
  const clientKey = env('TIKTOK_CLIENT_KEY');
  const clientSecret = env('TIKTOK_CLIENT_SECRET');
  const missing = [!clientKey && 'TIKTOK_CLIENT_KEY', !clientSecret && 'TIKTOK_CLIENT_SECRET'].filter(Boolean);
  if (missing.length)
    throw new Error(`${missing.join(' and ')} must be set in the Zapier app's environment (zapier-platform env:set)`);
  return { clientKey: clientKey!, clientSecret: clientSecret! };
}
