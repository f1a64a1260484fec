// A platform HTTP client's reply or failure in core's terms. n8n's helpers, Zapier's z.request and any
// other client hand back headers, bodies and errors in their own shapes; these read them all.
import type { HttpResponse } from '../ports';
import { TransportError } from '../ports';
import { transportFailureOf } from '../errors/transport-codes';

type HeaderBag = { forEach(fn: (value: string, name: string) => void): void };

/** Header names lower-cased, list values joined; fetch's Headers and plain objects alike. */
export function plainHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers && typeof (headers as HeaderBag).forEach === 'function') {
    (headers as HeaderBag).forEach((value, name) => (out[name.toLowerCase()] = value));
    return out;
  }
  for (const [name, value] of Object.entries((headers ?? {}) as Record<string, unknown>)) {
    if (value !== undefined && value !== null)
      out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/** Always text: core parses it losslessly (19-digit post ids). */
export function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body).toString('utf8');
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return JSON.stringify(body);
}

export function toHttpResponse(status: number, headers: unknown, body: unknown): HttpResponse {
  return { status, headers: plainHeaders(headers), body: bodyText(body) };
}

/** The error and the causes it wraps (a platform error → axios or node-fetch → the socket), at most six. */
export function errorChain(error: unknown): Array<Record<string, unknown>> {
  const chain: Array<Record<string, unknown>> = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && chain.length < 6) {
    chain.push(current as Record<string, unknown>);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/** axios and node-fetch put the socket code in `code`; n8n's NodeApiError moves it to `httpCode`. */
function socketCodeOf(e: Record<string, unknown>): string | undefined {
  if (typeof e.code === 'string') return e.code;
  return typeof e.httpCode === 'string' && !/^\d+$/.test(e.httpCode) ? e.httpCode : undefined;
}

/** The first socket code (ECONNREFUSED, ETIMEDOUT...) anywhere in an error's chain. */
export function socketCodeIn(error: unknown): string | undefined {
  for (const e of errorChain(error)) {
    const code = socketCodeOf(e);
    if (code && /^[A-Z_]+$/.test(code)) return code;
  }
  return undefined;
}

/** A failed request as core's TransportError. A client that cannot tell when it failed leaves core to
 * assume the request may have reached TikTok, so a post-creating call is never repeated blindly. */
export function transportErrorOf(error: unknown): TransportError {
  if (error instanceof TransportError) return error;
  for (const e of errorChain(error)) {
    const message = typeof e.message === 'string' && e.message ? e.message : 'network error';
    // node-fetch's own timeout and abort, then Node's socket codes (core's one table).
    if (e.type === 'request-timeout') return new TransportError('timeout', message, true);
    if (e.name === 'AbortError' || e.type === 'aborted') return new TransportError('aborted', message, true);
    const code = socketCodeOf(e);
    const failure = transportFailureOf(code);
    if (failure) return new TransportError(failure.kind, `network error: ${code}`, failure.requestSent ?? true);
  }
  const message = (error as { message?: unknown } | null)?.message;
  return new TransportError('other', typeof message === 'string' && message ? message : 'network error', true);
}

const jsonReply = (status: number, body: unknown): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** The reply a platform's own token handling stood for, so core classifies it as if TikTok had answered:
 * TikTok refused the access token (HTTP 401, nothing was done) ... */
export function accessTokenRefusedReply(message: string): HttpResponse {
  return jsonReply(401, { data: {}, error: { code: 'access_token_invalid', message, log_id: '' } });
}

/** ... or refused the refresh token with an OAuth error code (flat, as /v2/oauth/token/ answers). */
export function refreshRefusedReply(oauthError: string): HttpResponse {
  return jsonReply(400, {
    error: oauthError,
    error_description: 'refresh token refused while refreshing the access token',
  });
}
