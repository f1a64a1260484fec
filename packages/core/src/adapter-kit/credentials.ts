// Reading what a platform stored for a connection: the API base URL a user may point at a sandbox,
// and the scopes TikTok granted (sent as one comma-separated string).
import { TIKTOK_API_BASE_URL } from '../catalog/tiktok';

/** The configured base URL without a trailing slash; empty or absent: TikTok's. */
export function apiBaseUrlOf(configured: unknown): string {
  const url = typeof configured === 'string' && configured.trim() !== '' ? configured.trim() : TIKTOK_API_BASE_URL;
  return url.replace(/\/+$/, '');
}

/** TikTok's granted-scope string as a list; nothing stored: undefined (core then does not check scopes). */
export function grantedScopes(scope: unknown): string[] | undefined {
  const list = typeof scope === 'string' ? scope.split(/[,\s]+/).filter(Boolean) : [];
  return list.length ? list : undefined;
}
