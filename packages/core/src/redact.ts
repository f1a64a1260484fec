// Removes secrets from anything tokpipe shows: error messages, logs, `raw` replies, CLI output.
// Secrets: access/refresh tokens, the client secret, API keys, OAuth codes and PKCE verifiers,
// Authorization/Cookie headers, and the upload_token that authorizes an upload URL. Secret VALUES the
// process holds (client secret, tokens) are registered once (rememberSecret) and scrubbed from every
// text, because TikTok or a proxy may echo them anywhere: bodies, URLs, headers, error messages.

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
  'api_key',
  'apikey',
  'x_api_key',
  'api_secret',
  'apisecret',
  'proxy_authorization',
  'cookie',
  'set_cookie',
  'x_tt_token',
]);

/** `code` is an OAuth authorization code only next to these keys; elsewhere (`error.code`) it is
 * TikTok's error code and must stay visible. */
const OAUTH_CONTEXT_KEYS = ['grant_type', 'redirect_uri', 'state', 'client_key', 'code_verifier', 'scopes'];

/** Names whose value is secret in `name=value`, `"name": "value"` and `Name: value` text. */
const SECRET_NAMES =
  'access_token|refresh_token|client_secret|code_verifier|upload_token|token|api[_-]?key|x-api-key|api[_-]?secret';

/** Header names (and `name: value` labels) whose value is secret; not bare `token`, which prose uses. */
const HEADER_NAMES =
  'x-api-key|api[_-]?key|api[_-]?secret|client[_-]secret|access[_-]token|refresh[_-]token|proxy-authorization|authorization|cookie|set-cookie';

/** Patterns for secrets embedded in free text (URLs, form bodies, headers, messages). */
const TEXT_PATTERNS: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+(?!(?:Bearer|Basic)\b)[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [new RegExp(`([?&#;]|^|\\s)(${SECRET_NAMES}|code)=[^&\\s"'#;]*`, 'gi'), `$1$2=${REDACTED}`],
  [
    new RegExp(
      `("(?:${SECRET_NAMES}|clientSecret|apiKey|accessToken|refreshToken)"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`,
      'gi',
    ),
    `$1"${REDACTED}"`,
  ],
  // Header lines as proxies echo them: `X-Api-Key: abc`, `Cookie: s=1`, `Authorization: rawkey` (a value
  // already scrubbed by the scheme pattern above is left as it is, and so is an input error's prose about
  // the field, e.g. `apiKey: is required`: a secret has no spaces).
  [
    new RegExp(
      `(^|[\\s{,])(${HEADER_NAMES})(\\s*:\\s*)(?!\\s*(?:\\[REDACTED\\]|"|(?:Bearer|Basic) \\[REDACTED\\]|(?:is|must|cannot) ))[^\\r\\n,}]+`,
      'gim',
    ),
    `$1$2$3${REDACTED}`,
  ],
  // TikTok token shapes: act.xxx (access), rft.xxx (refresh), clt.xxx (client credentials).
  [/\b(act|rft|clt)\.[A-Za-z0-9._~+/=-]{6,}/g, REDACTED],
];

/** Extra literal secrets (e.g. the configured client secret) to scrub from text. */
export type KnownSecrets = ReadonlyArray<string | undefined>;

// Secret values this process holds: every redactText scrubs them, whoever calls it. Bounded: the
// oldest go first (rotated tokens stop mattering once replaced).
const remembered: string[] = [];
const MAX_REMEMBERED = 256;

/** Registers a secret value (client secret, token, API key) to be scrubbed from all text from now on. */
export function rememberSecret(secret: string | undefined): void {
  if (!secret || secret.length < 8 || remembered.includes(secret)) return;
  remembered.push(secret);
  if (remembered.length > MAX_REMEMBERED) remembered.shift();
}

/** The literal forms a secret takes when echoed: as is, URL-encoded, JSON-escaped. */
function literalForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
  return [...forms];
}

export function redactText(text: string, known: KnownSecrets = []): string {
  let out = text;
  for (const secret of [...known, ...remembered]) {
    if (!secret || secret.length < 4) continue;
    for (const form of literalForms(secret)) out = out.split(form).join(REDACTED);
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
