// Turns any failure into a classified TokpipeError by looking it up in table.ts. Nothing here decides
// a disposition itself: the table does.
import { tryParseJson } from '../json';
import { TransportError, type HttpResponse } from '../ports';
import { redact, redactText, type KnownSecrets } from '../redact';
import { retryAfterFromHeaders } from '../retry/headers';
import {
  isInitEndpoint,
  lookupOutcomeRow,
  lookupRow,
  type ClassificationRow,
  type Endpoint,
  type OutcomeCode,
} from './table';
import type { ErrorDetails, ErrorLayer } from './types';

/** A classified failure. `message` is readable and safe to show; `details` carries the rest. */
export class TokpipeError extends Error {
  override readonly name = 'TokpipeError';
  readonly details: ErrorDetails;

  constructor(details: ErrorDetails) {
    super(details.message);
    this.details = details;
  }

  get code(): string {
    return this.details.code;
  }

  get disposition(): ErrorDetails['disposition'] {
    return this.details.disposition;
  }

  get retryable(): boolean {
    return this.details.retryable;
  }

  toJSON(): ErrorDetails {
    return this.details;
  }
}

export function isTokpipeError(error: unknown): error is TokpipeError {
  return error instanceof TokpipeError;
}

export interface ClassifyContext {
  /** Which call failed: decides whether a lost reply means an unknown outcome. */
  endpoint?: Endpoint;
  /** Attempts made so far (default 1). */
  attempts?: number;
  /** Clock time (ms) for Retry-After dates. */
  now?: number;
  /** Literal secrets to scrub from messages and raw replies (e.g. the client secret). */
  secrets?: KnownSecrets;
}

const MAX_RAW_TEXT = 500;
const MAX_SERVER_MESSAGE = 300;

function buildDetails(
  row: ClassificationRow,
  ctx: ClassifyContext,
  extra: {
    code?: string;
    httpStatus?: number;
    logId?: string;
    serverMessage?: string;
    raw?: unknown;
    retryAfterMs?: number;
    field?: string;
    message?: string;
  },
): ErrorDetails {
  const secrets = ctx.secrets ?? [];
  const code = extra.code ?? row.code;
  const serverMessage = extra.serverMessage
    ? redactText(extra.serverMessage, secrets).slice(0, MAX_SERVER_MESSAGE).trim()
    : '';
  const label = [code, extra.httpStatus !== undefined ? `HTTP ${extra.httpStatus}` : undefined]
    .filter(Boolean)
    .join(', ');
  const summary = extra.message ?? row.meaning;
  const said = serverMessage && serverMessage !== summary ? ` TikTok says: "${serverMessage}".` : '';
  const details: ErrorDetails = {
    layer: row.layer,
    code,
    disposition: row.disposition,
    category: row.category,
    retryable: row.retryable,
    action: row.action,
    message: redactText(`${summary}${said} [${label}] ${row.action}`, secrets),
    problem: redactText(serverMessage || summary, secrets),
    attempts: ctx.attempts ?? 1,
  };
  if (row.layer === 'async') details.failReason = code;
  if (extra.httpStatus !== undefined) details.httpStatus = extra.httpStatus;
  if (extra.logId) details.logId = extra.logId;
  if (extra.raw !== undefined) details.raw = redact(extra.raw, secrets);
  const retryAfterMs = extra.retryAfterMs ?? row.defaultRetryAfterMs;
  if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
  if (extra.field) details.field = extra.field;
  return details;
}

/** lookupRow for a code the table must hold (a missing row is a bug in the table). */
export function requireRow(
  layer: ErrorLayer,
  code: string,
  ctx: Parameters<typeof lookupRow>[2] = {},
): ClassificationRow {
  const found = lookupRow(layer, code, ctx);
  if (!found) throw new Error(`classification table has no row for ${layer}/${code}`);
  return found;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function rawText(body: string): string {
  return body.length > MAX_RAW_TEXT ? `${body.slice(0, MAX_RAW_TEXT)}…` : body;
}

const is2xx = (status: number) => status >= 200 && status < 300;

const header = (headers: HttpResponse['headers'], name: string): string =>
  Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1] ?? '';

/** What a reply that is not TikTok JSON actually held, in a few words ("an HTML page titled …"). */
export function describeReceived(body: string, contentType = ''): string {
  const text = body.trim();
  if (text === '') return 'an empty body';
  if (/html/i.test(contentType) || /^<(!doctype|html|head|body)\b/i.test(text)) {
    const title =
      /<title[^>]*>([^<]{1,80})/i.exec(text)?.[1]?.trim() ?? /<h1[^>]*>([^<]{1,80})/i.exec(text)?.[1]?.trim();
    return `an HTML page${title ? ` titled "${title}"` : ''} (${body.length} bytes)`;
  }
  if (/^[[{]/.test(text)) return `cut-off JSON (${body.length} bytes, ending "${text.slice(-24)}")`;
  return `text that is not JSON: "${text.slice(0, 60)}${text.length > 60 ? '…' : ''}"`;
}

/** A reply whose body is not TikTok JSON: judged by status and whether it was an init. */
function classifyNonEnvelope(response: HttpResponse, ctx: ClassifyContext, raw: unknown, empty: boolean): ErrorDetails {
  const init = isInitEndpoint(ctx.endpoint);
  const status = response.status;
  const code = status === 429 ? 'rate_limited' : status >= 500 ? 'gateway_error' : empty ? 'empty_body' : 'non_json';
  const row = requireRow('transport', code, { init, status });
  // Say what came instead of TikTok JSON (a JSON body here is one without an error: no description needed).
  const received =
    typeof raw === 'object' && raw !== null
      ? ''
      : ` Received ${describeReceived(response.body ?? '', header(response.headers, 'content-type'))}.`;
  return buildDetails(row, ctx, {
    httpStatus: status,
    raw,
    retryAfterMs: retryAfterFromHeaders(response.headers, ctx.now ?? Date.now()),
    message: `${row.meaning}${received}`,
  });
}

/** Classifies a flat OAuth error body `{error, error_description, log_id}` (any HTTP status). */
export function classifyOAuthError(
  body: { error: string; error_description?: unknown; log_id?: unknown },
  ctx: ClassifyContext & { httpStatus?: number; raw?: unknown } = {},
): ErrorDetails {
  const row = requireRow('oauth', body.error, { status: ctx.httpStatus });
  return buildDetails(row, ctx, {
    code: body.error,
    httpStatus: ctx.httpStatus,
    logId: str(body.log_id),
    serverMessage: str(body.error_description),
    raw: ctx.raw ?? body,
  });
}

/** Classifies an HTTP reply. Returns undefined when it is a success: `error.code` "ok" (or no error
 * at all on a JSON 2xx, e.g. OAuth token replies). Always reads `error.code`, whatever the status. */
export function classifyResponse(response: HttpResponse, ctx: ClassifyContext = {}): ErrorDetails | undefined {
  const text = response.body ?? '';
  const init = isInitEndpoint(ctx.endpoint);
  if (text.trim() === '') return classifyNonEnvelope(response, ctx, undefined, true);
  const parsed = tryParseJson(text);
  const body = asRecord(parsed);
  if (!body) return classifyNonEnvelope(response, ctx, rawText(text), false);

  const retryAfterMs = retryAfterFromHeaders(response.headers, ctx.now ?? Date.now());
  const envelopeError = asRecord(body.error);
  // Real replies nest the error; the global error page shows it flat ({code, message, log_id}).
  const apiError =
    envelopeError && typeof envelopeError.code === 'string'
      ? envelopeError
      : typeof body.code === 'string' && 'message' in body
        ? body
        : undefined;
  if (apiError) {
    const code = apiError.code as string;
    if (code === 'ok') {
      if (is2xx(response.status)) return undefined;
      return classifyNonEnvelope(response, ctx, body, false);
    }
    const row = requireRow('application', code, { init, status: response.status });
    return buildDetails(row, ctx, {
      code,
      httpStatus: response.status,
      logId: str(apiError.log_id) ?? str(apiError.logid),
      serverMessage: str(apiError.message),
      raw: body,
      retryAfterMs,
    });
  }
  if (typeof body.error === 'string' && body.error !== '') {
    return classifyOAuthError(body as { error: string }, { ...ctx, httpStatus: response.status, raw: body });
  }
  if (is2xx(response.status)) return undefined;
  return classifyNonEnvelope(response, ctx, body, false);
}

/** Classifies a failure below HTTP. Anything that is not a TransportError is treated as a failure
 * after sending (the safe assumption: an init in that state has an unknown outcome). */
export function classifyTransportError(error: unknown, ctx: ClassifyContext = {}): ErrorDetails {
  const kind = error instanceof TransportError ? error.kind : 'other';
  const requestSent = error instanceof TransportError ? error.requestSent : true;
  const row = requireRow('transport', kind, { init: isInitEndpoint(ctx.endpoint), requestSent });
  const detail = error instanceof Error ? error.message : String(error);
  return buildDetails(row, ctx, {
    message: `${row.meaning} (${redactText(detail, ctx.secrets).slice(0, MAX_SERVER_MESSAGE)})`,
  });
}

/** Classifies the `fail_reason` of a FAILED publish. */
export function classifyFailReason(
  failReason: string,
  ctx: ClassifyContext & { logId?: string; raw?: unknown; publishId?: string } = {},
): ErrorDetails {
  const row = requireRow('async', failReason, {});
  const where = ctx.publishId ? `Post ${ctx.publishId} failed: ` : 'The post failed: ';
  return buildDetails(row, ctx, {
    code: failReason,
    logId: ctx.logId,
    raw: ctx.raw,
    message: `${where}${row.meaning}`,
  });
}

/** The structural features TikTok's API cannot do, by the PostRequest.unsupported field naming them. */
export const STRUCTURAL_CODE_BY_FIELD: Readonly<Record<string, string>> = Object.freeze({
  soundUrl: 'sound_by_url',
  soundId: 'sound_by_id',
  location: 'location',
  effects: 'effects',
  overlays: 'overlays',
});

/** A refusal before any request: something the official API cannot do. */
export function structuralError(code: string, field?: string, ctx: ClassifyContext = {}): TokpipeError {
  const row = requireRow('structural', code, {});
  return new TokpipeError(buildDetails(row, ctx, { field, message: field ? `${field}: ${row.meaning}` : row.meaning }));
}

/** Our own validation failed: names the field, nothing was sent. */
export function inputError(
  field: string,
  problem: string,
  code: 'invalid_input' | 'missing_scope' | 'creator_cannot_post' = 'invalid_input',
): TokpipeError {
  const row = requireRow('input', code, {});
  return new TokpipeError(buildDetails(row, {}, { field, message: `${field}: ${problem}` }));
}

/** A TokpipeError for one of our own table rows (malformed replies, upload statuses...). */
export function errorFromTable(
  layer: ErrorLayer,
  code: string,
  extra: {
    init?: boolean;
    httpStatus?: number;
    detail?: string;
    logId?: string;
    raw?: unknown;
    secrets?: KnownSecrets;
  } = {},
): TokpipeError {
  const row = requireRow(layer, code, { init: extra.init, status: extra.httpStatus });
  return new TokpipeError(
    buildDetails(
      row,
      { secrets: extra.secrets },
      {
        httpStatus: extra.httpStatus,
        logId: extra.logId,
        raw: extra.raw,
        message: extra.detail ? `${row.meaning} (${extra.detail})` : row.meaning,
      },
    ),
  );
}

/** Wraps anything thrown into a TokpipeError (TokpipeErrors pass through unchanged). */
export function toTokpipeError(error: unknown, ctx: ClassifyContext = {}): TokpipeError {
  if (error instanceof TokpipeError) return error;
  return new TokpipeError(classifyTransportError(error, ctx));
}

/** One of tokpipe's own outcome states (table.ts `outcomeRows`): the post may exist, the answer is
 * not final. `message` says what happened; the row's action is appended. No failReason: not TikTok's. */
export function outcomeDetails(code: OutcomeCode, message: string, attempts = 1): ErrorDetails {
  const row = lookupOutcomeRow(code);
  return {
    layer: row.layer,
    code: row.code,
    disposition: row.disposition,
    category: row.category,
    retryable: row.retryable,
    action: row.action,
    message: `${message} ${row.action}`,
    problem: message,
    attempts,
  };
}
