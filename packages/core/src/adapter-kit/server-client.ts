// "Via tokpipe server" mode, the part every adapter shares: the connection (server URL + API key) checked
// before any request, each API call as a plain request for the platform's own HTTP helper to send, the
// server's problem+json replies read back into core's errors, and a subscription delivery checked
// (signature, replay window, redelivery) before a trigger fires. Pure except the dedupe store.
import {
  SERVER_EVENTS,
  SERVER_HEADERS,
  SERVER_ROUTES,
  type ServerEvent,
  type ServerRoute,
} from '../catalog/server-api';
import { classifyTransportError, inputError, TokpipeError } from '../errors/classify';
import type { Disposition, ErrorCategory, ErrorDetails } from '../errors/types';
import type { Clock, KeyValueStore } from '../ports';
import { redactText } from '../redact';
import { WebhookDeduper } from '../webhooks/dedupe';
import { verifyDelivery } from '../webhooks/server-delivery';
import { transportErrorOf } from './http-reply';

export interface ServerConnection {
  /** Without a trailing slash. */
  serverUrl: string;
  apiKey: string;
}

export interface ServerHttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  /** JSON body (POST only). */
  body?: Record<string, unknown>;
}

/** A platform's stored credential → the connection, or an input error naming the field. */
export function serverConnection(raw: { serverUrl?: unknown; apiKey?: unknown }): ServerConnection {
  const url = typeof raw.serverUrl === 'string' ? raw.serverUrl.trim() : '';
  if (!url)
    throw inputError('serverUrl', 'is required (the address of your tokpipe server, e.g. https://tokpipe.example.com)');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw inputError('serverUrl', `is not a URL: "${url.slice(0, 100)}"`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw inputError('serverUrl', `must start with https:// (or http:// on your own network), not ${parsed.protocol}`);
  if (parsed.username || parsed.password)
    throw inputError('serverUrl', 'must not carry a user or password: use the API key');
  const apiKey = typeof raw.apiKey === 'string' ? raw.apiKey.trim() : '';
  if (!apiKey) throw inputError('apiKey', 'is required (create one on the server: tokpipe keys create)');
  if (/\s/.test(apiKey)) throw inputError('apiKey', 'must not contain spaces');
  return { serverUrl: url.replace(/\/+$/, ''), apiKey };
}

export interface ServerCall {
  params?: { id?: string };
  query?: Record<string, string | number | undefined>;
  body?: Record<string, unknown>;
  idempotencyKey?: string;
}

/** One API call as a request: the route from the catalog, the key as a Bearer token. */
export function serverRequest(
  connection: ServerConnection,
  route: ServerRoute,
  call: ServerCall = {},
): ServerHttpRequest {
  const { method, path } = SERVER_ROUTES[route];
  const id = call.params?.id;
  if (path.includes('{id}') && !id) throw inputError('id', `is required for ${route}`);
  const query = Object.entries(call.query ?? {}).filter(([, v]) => v !== undefined && v !== '');
  const search = query.length
    ? `?${new URLSearchParams(query.map(([k, v]): [string, string] => [k, String(v)])).toString()}`
    : '';
  const headers: Record<string, string> = { Authorization: `Bearer ${connection.apiKey}`, Accept: 'application/json' };
  if (call.idempotencyKey) headers[SERVER_HEADERS.idempotencyKey] = call.idempotencyKey;
  if (call.body) headers['Content-Type'] = 'application/json';
  return {
    method,
    url: connection.serverUrl + path.replace('{id}', encodeURIComponent(id ?? '')) + search,
    headers,
    ...(call.body && method === 'POST' ? { body: call.body } : {}),
  };
}

/** The server's own refusals, by HTTP status, when the problem does not name a disposition. */
const DISPOSITION_BY_STATUS: ReadonlyArray<[(status: number) => boolean, Disposition]> = [
  [(s) => s === 401 || s === 403, 'needs_human'],
  [(s) => s === 429, 'wait_for_quota'],
  [(s) => s === 408 || s >= 500, 'retry'],
  [() => true, 'fix_input'],
];

const CATEGORY: Readonly<Record<Disposition, ErrorCategory>> = {
  retry: 'retryable',
  retry_after_refresh: 'retryable',
  wait_for_quota: 'retryable',
  route_to_another_account: 'retryable',
  unknown_outcome: 'retryable',
  fix_input: 'not_retryable',
  reauthorize: 'needs_human',
  needs_human: 'needs_human',
};

const ACTION_BY_STATUS: Readonly<Record<number, string>> = {
  401: 'Check the API key in the credential (tokpipe keys list on the server)',
  403: 'Use an API key with the needed scope and accounts (tokpipe keys create --scope ...)',
  404: 'Check the id, and that the API key may see its account',
  409: 'Use a new Idempotency-Key for a new post',
  429: 'Wait a moment: the API key sent too many requests',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** A server reply: the JSON body on 2xx, else the problem+json as core's error (class, code, log_id and
 * field kept), so adapters show and route it like any other failure. */
export function readServerReply<T = Record<string, unknown>>(status: number, body: unknown): T {
  if (status >= 200 && status < 300) return (body ?? {}) as T;
  const problem = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const given = str(problem.disposition) as Disposition | undefined;
  const disposition = given && given in CATEGORY ? given : DISPOSITION_BY_STATUS.find(([m]) => m(status))![1];
  const detail = str(problem.detail) ?? (typeof body === 'string' ? redactText(body.slice(0, 200)) : `HTTP ${status}`);
  const field = str(problem.field);
  const action = str(problem.action) ?? ACTION_BY_STATUS[status] ?? 'See the message; the post is on the server';
  const code = str(problem.code) ?? `http_${status}`;
  const details: ErrorDetails = {
    layer: (str(problem.layer) as ErrorDetails['layer'] | undefined) ?? 'transport',
    code,
    disposition,
    category: CATEGORY[disposition],
    retryable: CATEGORY[disposition] === 'retryable',
    action,
    message: `tokpipe server: ${field && !detail.startsWith(field) ? `${field}: ` : ''}${detail} [${code}] ${action}`,
    problem: detail,
    httpStatus: status,
    attempts: 1,
    ...(str(problem.logId) ? { logId: str(problem.logId) } : {}),
    ...(field ? { field } : {}),
  };
  throw new TokpipeError(details);
}

/** Sends one request the platform's way (its own HTTP helper) and resolves with the reply, whatever its status. */
export type ServerSend = (request: ServerHttpRequest) => Promise<{ status: number; body: unknown }>;

/** One API call start to end: the credential checked (an input error naming the field, nothing sent), the
 * request built, sent by the platform, the reply read. No reply at all becomes core's transport error with
 * the key scrubbed (a POST may have arrived: its Idempotency-Key makes sending it again safe). */
export async function callServer<T = Record<string, unknown>>(
  credential: { serverUrl?: unknown; apiKey?: unknown },
  route: ServerRoute,
  call: ServerCall,
  send: ServerSend,
): Promise<T> {
  const connection = serverConnection(credential);
  const request = serverRequest(connection, route, call);
  let reply: { status: number; body: unknown };
  try {
    reply = await send(request);
  } catch (error) {
    throw new TokpipeError(classifyTransportError(transportErrorOf(error), { secrets: [connection.apiKey] }));
  }
  return readServerReply<T>(reply.status, reply.body);
}

/** Post fields (core's job field names, as the adapters collect them) → the body of POST /v1/posts. A file
 * path cannot cross to a server: a video goes as a URL the server downloads (`serverUpload`) or TikTok pulls. */
export function serverPostBody(fields: Record<string, unknown>, mode: 'direct' | 'draft'): Record<string, unknown> {
  if (fields.videoFile !== undefined && fields.videoFile !== '')
    throw inputError('videoFile', 'cannot be sent to a tokpipe server: give a videoUrl (the server can download it)');
  const kept = Object.entries(fields).filter(
    ([k, v]) => v !== undefined && v !== null && v !== '' && k !== 'waitForCompletion' && k !== 'mode',
  );
  return { mode, ...Object.fromEntries(kept) };
}

/** A trigger's subscription: the events the user picked (none picked: every event), each one checked. */
export function serverSubscriptionBody(targetUrl: string, events: readonly string[], label?: string) {
  const unknown = events.find((e) => !(SERVER_EVENTS as readonly string[]).includes(e));
  if (unknown !== undefined) throw inputError('events', `"${unknown}" is not one of ${SERVER_EVENTS.join(', ')}`);
  const picked = (events.length ? [...new Set(events)] : [...SERVER_EVENTS]) as ServerEvent[];
  return { targetUrl, events: picked, ...(label ? { label: label.slice(0, 200) } : {}) };
}

/** A trigger's subscription as it keeps it: the id, and the secret shown once (it verifies every delivery). */
export interface StoredServerHook {
  id: string;
  secret: string;
}

/** An API call the platform makes for a trigger (callServer with its credential and HTTP helper). */
export type ServerCaller = <T>(route: ServerRoute, call?: ServerCall) => Promise<T>;

const isNotFound = (error: unknown): boolean => error instanceof TokpipeError && error.details.httpStatus === 404;

/** A trigger's REST-hook subscriptions, kept by target URL in an object the platform saves (n8n's static data,
 * ...): a production and a test URL each have their own. */
export function serverHookBook(saved: Record<string, unknown>, field: string, call: ServerCaller) {
  const book = (): Record<string, StoredServerHook> => (saved[field] ??= {}) as Record<string, StoredServerHook>;
  return {
    /** True while the server still has this URL's subscription; one the server no longer has is forgotten. */
    async exists(targetUrl: string): Promise<boolean> {
      const hook = book()[targetUrl];
      if (!hook) return false;
      try {
        await call('getSubscription', { params: { id: hook.id } });
        return true;
      } catch (error) {
        if (!isNotFound(error)) throw error;
        delete book()[targetUrl];
        return false;
      }
    },
    async subscribe(targetUrl: string, events: readonly string[], label?: string): Promise<StoredServerHook> {
      const body = serverSubscriptionBody(targetUrl, events, label);
      const { id, secret } = await call<StoredServerHook>('subscribe', { body });
      return (book()[targetUrl] = { id, secret });
    },
    /** Unsubscribes; a subscription already gone from the server counts as done. */
    async unsubscribe(targetUrl: string): Promise<void> {
      const hook = book()[targetUrl];
      if (!hook) return;
      await call('unsubscribe', { params: { id: hook.id } }).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
      delete book()[targetUrl];
    },
    /** The secrets a delivery to this trigger may be signed with. */
    secrets: (): string[] => Object.values(book()).map((hook) => hook.secret),
  };
}

/** What a delivery carries (the server's OutgoingEvent). */
export interface ServerEventPayload {
  id: string;
  type: ServerEvent;
  account: string | null;
  createdAt: string;
  data: Record<string, unknown>;
}

/** A delivery as a trigger outputs it: the event's id, type and account, then the post's (or account's)
 * fields flat beside them. */
export function serverEventRecord(event: ServerEventPayload): Record<string, unknown> {
  const post = event.data.post;
  const inner = post && typeof post === 'object' ? (post as Record<string, unknown>) : event.data;
  return { eventId: event.id, event: event.type, account: event.account, createdAt: event.createdAt, ...inner };
}

export interface ServerDeliveryInput {
  /** The request's headers (names matched case-insensitively). */
  headers: Record<string, string | string[] | undefined>;
  rawBody: string | Uint8Array;
  /** The subscription's secret (shown once when the trigger subscribed), or each of the trigger's. */
  secret: string | readonly string[];
  clock: Clock;
  /** Where seen event ids are remembered, so a redelivery fires nothing. */
  store?: KeyValueStore;
  /** Event types the user picked; empty: every type. */
  wanted?: readonly string[];
  toleranceSec?: number;
}

export interface ServerDelivery {
  /** 401 for a bad or stale signature (the server retries and logs it), else 200. */
  status: 200 | 401;
  body: Record<string, unknown>;
  /** Present when a workflow should run. */
  record?: Record<string, unknown>;
}

const header = (headers: ServerDeliveryInput['headers'], name: string): string | undefined => {
  const hit = Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  return Array.isArray(hit) ? hit[0] : hit;
};

/** One delivery from the server, decided: answer, and the record to fire with (once per event id). */
export async function receiveServerDelivery(input: ServerDeliveryInput): Promise<ServerDelivery> {
  const body = typeof input.rawBody === 'string' ? input.rawBody : Buffer.from(input.rawBody).toString('utf8');
  const eventId = header(input.headers, SERVER_HEADERS.eventId) ?? '';
  // No secret (never subscribed) verifies anything: an empty HMAC key would accept forgeries.
  const secrets = (typeof input.secret === 'string' ? [input.secret] : input.secret).filter((s) => s !== '');
  const signed = secrets.some((secret) =>
    verifyDelivery({
      header: header(input.headers, SERVER_HEADERS.signature),
      secret,
      eventId,
      body,
      nowMs: input.clock.now(),
      toleranceSec: input.toleranceSec,
    }),
  );
  if (!eventId || !signed) return { status: 401, body: { error: 'invalid tokpipe-signature' } };
  let event: ServerEventPayload;
  try {
    event = JSON.parse(body) as ServerEventPayload;
  } catch {
    return { status: 200, body: { ok: false, ignored: 'not JSON' } };
  }
  if (event.id !== eventId) return { status: 401, body: { error: 'event id does not match the signed one' } };
  const wanted = input.wanted ?? [];
  if (wanted.length > 0 && !wanted.includes(event.type))
    return { status: 200, body: { ok: true, skipped: 'event not selected' } };
  const deduper = new WebhookDeduper({ clock: input.clock, store: input.store, prefix: 'tokpipe/server-event-seen/' });
  if (!(await deduper.firstSighting(event.id))) return { status: 200, body: { ok: true, skipped: 'duplicate' } };
  return { status: 200, body: { ok: true, event: event.type }, record: serverEventRecord(event) };
}
