// "Via tokpipe server" mode, the part every adapter shares: the connection (server URL + API key) checked
// before any request, each API call as a plain request for the platform's own HTTP helper to send, the
// server's problem+json replies read back into core's errors, and a subscription delivery checked
// (signature, replay window, redelivery) before a trigger fires. Pure except the dedupe store.
import { createHash } from 'node:crypto';
import {
  SERVER_EVENTS,
  SERVER_HEADERS,
  SERVER_ROUTES,
  type ServerEvent,
  type ServerRoute,
} from '../catalog/server-api';
import { inputError, TokpipeError } from '../errors/classify';
import type { Disposition, ErrorCategory, ErrorDetails } from '../errors/types';
import type { Clock, KeyValueStore } from '../ports';
import { redactText } from '../redact';
import { WebhookDeduper } from '../webhooks/dedupe';
import { verifyDelivery } from '../webhooks/server-delivery';
import type { StatusTest } from './reply-cases';
import { SERVER_POST_INPUTS, serverEventRecord, type ServerEventPayload } from './server-records';
import { fields as catalogFields } from '../catalog/fields';
import { typedFieldValue } from '../catalog/to-post-request';
import { socketCodeIn } from './http-reply';

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

/** The server's own refusals (or a proxy's page), by HTTP status, when the problem names no disposition:
 * the first row whose statuses match (`{is}` exactly, `{from}` and above), else SERVER_OTHER_STATUS_DISPOSITION. */
export const SERVER_STATUS_DISPOSITIONS: ReadonlyArray<[ReadonlyArray<StatusTest>, Disposition]> = [
  [[{ is: 401 }, { is: 403 }], 'needs_human'],
  [[{ is: 429 }], 'wait_for_quota'],
  [[{ is: 408 }, { from: 500 }], 'retry'],
];
export const SERVER_OTHER_STATUS_DISPOSITION: Disposition = 'fix_input';

const statusMatches = (t: StatusTest, status: number) => ('is' in t ? status === t.is : status >= t.from);
const dispositionForStatus = (status: number): Disposition =>
  SERVER_STATUS_DISPOSITIONS.find(([tests]) => tests.some((t) => statusMatches(t, status)))?.[1] ??
  SERVER_OTHER_STATUS_DISPOSITION;

export const DISPOSITION_CATEGORY: Readonly<Record<Disposition, ErrorCategory>> = {
  retry: 'retryable',
  retry_after_refresh: 'retryable',
  wait_for_quota: 'retryable',
  route_to_another_account: 'retryable',
  unknown_outcome: 'retryable',
  fix_input: 'not_retryable',
  reauthorize: 'needs_human',
  needs_human: 'needs_human',
};

/** What to do about the server's own refusals, when the problem says nothing. */
export const SERVER_ACTION_BY_STATUS: Readonly<Record<number, string>> = {
  401: 'Check the API key in the credential (tokpipe keys list on the server)',
  403: 'Use an API key with the needed scope and accounts (tokpipe keys create --scope ...)',
  404: 'Check the id, and that the API key may see its account',
  409: 'Use a new Idempotency-Key for a new post',
  429: 'Wait a moment: the API key sent too many requests',
};
/** ... else by range (the first row that matches), else SERVER_OTHER_ACTION. */
export const SERVER_ACTION_BY_RANGE: ReadonlyArray<[StatusTest, string]> = [
  [{ from: 500 }, 'Try again shortly: a post sent again with its Idempotency-Key is never posted twice'],
  [{ from: 400 }, 'Correct the request as the message says; the server took nothing from it'],
];
export const SERVER_OTHER_ACTION = 'See the message from the tokpipe server';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** A server reply: the JSON body on 2xx, else the problem+json as core's error (class, code, log_id and
 * field kept), so adapters show and route it like any other failure. */
export function readServerReply<T = Record<string, unknown>>(status: number, body: unknown): T {
  if (status >= 200 && status < 300) return (body ?? {}) as T;
  const problem = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const given = str(problem.disposition) as Disposition | undefined;
  const disposition = given && given in DISPOSITION_CATEGORY ? given : dispositionForStatus(status);
  const detail = str(problem.detail) ?? (typeof body === 'string' ? redactText(body.slice(0, 200)) : `HTTP ${status}`);
  const field = str(problem.field);
  const action =
    str(problem.action) ??
    SERVER_ACTION_BY_STATUS[status] ??
    SERVER_ACTION_BY_RANGE.find(([t]) => statusMatches(t, status))?.[1] ??
    SERVER_OTHER_ACTION;
  const code = str(problem.code) ?? `http_${status}`;
  const details: ErrorDetails = {
    layer: (str(problem.layer) as ErrorDetails['layer'] | undefined) ?? 'transport',
    code,
    disposition,
    category: DISPOSITION_CATEGORY[disposition],
    retryable: DISPOSITION_CATEGORY[disposition] === 'retryable',
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

/** No reply from the server (down, unreachable, or the reply was lost): try again later. A post is safe to
 * send again (its Idempotency-Key); a subscription whose reply was lost stays unused (its secret is unknown). */
function serverUnreachable(connection: ServerConnection, error: unknown): TokpipeError {
  const kind = socketCodeIn(error) ?? 'no reply';
  const action = `Check that the tokpipe server is running and reachable at ${connection.serverUrl}`;
  return new TokpipeError({
    layer: 'transport',
    code: 'server_unreachable',
    disposition: 'retry',
    category: 'retryable',
    retryable: true,
    action,
    message: `tokpipe server: not reachable (${kind}) [server_unreachable] ${action}`,
    problem: `not reachable (${kind})`,
    attempts: 1,
  });
}

const FIELD_TYPE = new Map([...catalogFields, ...SERVER_POST_INPUTS].map((f) => [f.name, f.type]));

/** Sends one request the platform's way (its own HTTP helper) and resolves with the reply, whatever its status. */
export type ServerSend = (request: ServerHttpRequest) => Promise<{ status: number; body: unknown }>;

/** One API call start to end: the credential checked (an input error naming the field, nothing sent), the
 * request built, sent by the platform, the reply read. No reply at all is `server_unreachable`, naming the
 * socket code and the server URL, never the key (a POST may have arrived: its Idempotency-Key makes sending
 * it again safe). */
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
    throw serverUnreachable(connection, error);
  }
  return readServerReply<T>(reply.status, reply.body);
}

/** Post fields (core's job field names, as the adapters collect them) → the body of POST /v1/posts. A file
 * path cannot cross to a server: a video goes as a URL the server downloads (`serverUpload`) or TikTok pulls.
 * `filesAsUrls`: the platform hands a file over as a URL it serves (Zapier), so the server downloads it.
 * `templates`: the values are placeholders the platform fills in when it runs (Make's IML), kept as they are. */
export function serverPostBody(
  fields: Record<string, unknown>,
  mode: 'direct' | 'draft',
  options: { filesAsUrls?: boolean; templates?: boolean } = {},
): Record<string, unknown> {
  const file = fields.videoFile;
  const given = (v: unknown) => v !== undefined && v !== null && v !== '';
  if (given(file) && !(options.filesAsUrls && typeof file === 'string' && /^https?:\/\//i.test(file)))
    throw inputError('videoFile', 'cannot be sent to a tokpipe server: give a videoUrl (the server can download it)');
  if (given(file) && given(fields.videoUrl))
    throw inputError('videoFile', 'give a video file or a video URL, not both');
  const kept = Object.entries(fields)
    .filter(([k, v]) => given(v) && k !== 'waitForCompletion' && k !== 'mode' && k !== 'videoFile')
    .map(([k, v]) => [k, FIELD_TYPE.has(k) && !options.templates ? typedFieldValue(FIELD_TYPE.get(k)!, v) : v]);
  return { mode, ...Object.fromEntries(kept), ...(given(file) ? { videoUrl: file, serverUpload: true } : {}) };
}

/** The Idempotency-Key for a post from a platform that has no run id (Zapier, Make): the user's own key, else
 * one derived from the body, so a replayed run (same body) is the same post and any other body a new one. */
export function serverIdempotencyKey(body: Record<string, unknown>, platform: string): string {
  if (typeof body.idempotencyKey === 'string' && body.idempotencyKey.trim() !== '') return body.idempotencyKey.trim();
  const canonical = JSON.stringify(
    Object.keys(body)
      .sort()
      .map((k) => [k, body[k]]),
  );
  return `${platform}-${createHash('sha256').update(canonical, 'utf8').digest('hex').slice(0, 40)}`;
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
