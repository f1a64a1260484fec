// Removes secrets from anything tokpipe shows: error messages, logs, `raw` replies, CLI output.
// Secrets: access/refresh tokens, the client secret, OAuth codes and PKCE verifiers, Authorization
// headers, and the upload_token that authorizes an upload URL.

export const REDACTED = '[REDACTED]';

/** Object keys whose values are always secret (compared lower-cased, '-' treated as '_'). */
const SECRET_KEYS = new Set([
  'access_token',
  'accesstoken',
  'refresh_token',
  'refreshtoken',
  'client_secret',
  'clientsecret',
  'code_verifier',
  'codeverifier',
  'authorization',
  'upload_token',
  'token',
  'password',
  'secret',
]);

/** `code` is an OAuth authorization code only next to these keys; elsewhere (`error.code`) it is
 * TikTok's error code and must stay visible. */
const OAUTH_CONTEXT_KEYS = ['grant_type', 'redirect_uri', 'state', 'client_key', 'code_verifier', 'scopes'];

/** Patterns for secrets embedded in free text (URLs, form bodies, headers, messages). */
const TEXT_PATTERNS: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/([?&#]|^|\s)(access_token|refresh_token|client_secret|code_verifier|upload_token|token|code)=[^&\s"'#]*/gi, `$1$2=${REDACTED}`],
  [/("(?:access_token|refresh_token|client_secret|code_verifier|upload_token|token)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, `$1"${REDACTED}"`],
  // TikTok token shapes: act.xxx (access), rft.xxx (refresh), clt.xxx (client credentials).
  [/\b(act|rft|clt)\.[A-Za-z0-9._~+/=-]{6,}/g, REDACTED],
];

/** Extra literal secrets (e.g. the configured client secret) to scrub from text. */
export type KnownSecrets = ReadonlyArray<string | undefined>;

export function redactText(text: string, known: KnownSecrets = []): string {
  let out = text;
  for (const secret of known) {
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of TEXT_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** A deep copy of `value` with secrets replaced by `[REDACTED]`. Handles cycles. */
export function redact<T>(value: T, known: KnownSecrets = []): T {
  return redactValue(value, known, new WeakMap()) as T;
}

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/-/g, '_');
}

function redactValue(value: unknown, known: KnownSecrets, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === 'string') return redactText(value, known);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (seen.has(value)) return seen.get(value);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(redactValue(item, known, seen));
    return out;
  }
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  const oauthContext = OAUTH_CONTEXT_KEYS.some((k) => k in source);
  for (const [key, item] of Object.entries(source)) {
    const normalized = normalizeKey(key);
    const secret = SECRET_KEYS.has(normalized) || (normalized === 'code' && oauthContext);
    out[key] = secret && item !== undefined && item !== null && item !== '' ? REDACTED : redactValue(item, known, seen);
  }
  return out;
}
