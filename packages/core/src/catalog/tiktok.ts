// TikTok's addresses and the numbers every adapter shows as defaults. A leaf: imports nothing, so
// the client, the poster and every adapter can take these without an import cycle.

/** TikTok's API host (point a poster at the sandbox or a proxy instead). */
export const TIKTOK_API_BASE_URL = 'https://open.tiktokapis.com';
/** Where a user grants access (Login Kit v2). */
export const TIKTOK_AUTHORIZE_URL = 'https://www.tiktok.com/v2/auth/authorize/';

/** One API request's timeout, ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Post attempts in all when TikTok FAILs a post for a retryable reason (the first included). */
export const DEFAULT_MAX_POST_ATTEMPTS = 3;
