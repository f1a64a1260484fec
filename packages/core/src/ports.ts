// The I/O core needs, injected. Core's logic never touches the network, timers, the file system
// or process state directly: adapters (n8n, Zapier, Make harness, CLI) hand these in.

/** One HTTP exchange. Bodies are bytes or text; replies are always read as text so that
 * 19-digit ids can be parsed losslessly (see json.ts). */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Per-request timeout; the transport must reject with a TransportError kind 'timeout'. */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** Raw body text ('' when empty). */
  body: string;
}

/** What went wrong below HTTP. `requestSent` is true when the request may have reached the
 * server (timeout or reset after the bytes left): an init in that state has an unknown outcome. */
export type TransportFailureKind = 'dns' | 'refused' | 'reset' | 'timeout' | 'aborted' | 'tls' | 'other';

export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly kind: TransportFailureKind,
    message: string,
    readonly requestSent: boolean,
  ) {
    super(message);
  }
}

/** Sends a request; resolves with any HTTP status (never throws for 4xx/5xx); rejects only
 * with TransportError. */
export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

/** The one clock every wait goes through. Tests use a virtual clock; Node uses timers;
 * n8n hands in its own `sleep`. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time. */
  sleep(ms: number): Promise<void>;
}

/** Uniform in [0, 1). Injected so backoff jitter is reproducible in tests. */
export type Random = () => number;

/** Durable key-value storage for the idempotency ledger, tokens and pipeline state.
 * Values are JSON strings. Implementations: in-memory (core), file-backed (core/node). */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** All entries whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<Array<[string, string]>>;
  /** Optional, for stores shared by several processes (SQL): writes `value` only if the stored value is
   * still `expected` (undefined = absent), atomically; false when another writer got there first.
   * Without it, read-modify-write sections are serialized within this process only. */
  compareAndSet?(key: string, expected: string | undefined, value: string): Promise<boolean>;
}

/** Optional structured log sink. Messages must never contain secrets (see redact.ts). */
export type Logger = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;
