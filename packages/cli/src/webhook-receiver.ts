// A 127.0.0.1 receiver for TikTok webhooks: verifies TikTok-Signature (401 otherwise), parses the
// event, answers 200 at once, and hands each event on once (redeliveries are acknowledged only).
// Used by `webhooks listen` (prints events) and `campaign run --webhook-port` (feeds the pipeline).
// Bounded: body size (413, drained so the sender reads it), header/request/idle timeouts, a connection
// cap. The replay window runs on wall time: TOKPIPE_TIME_SCALE must not stretch a security window.
import * as http from 'node:http';
import {
  parseWebhookEvent,
  verifyTikTokSignature,
  WebhookDeduper,
  WebhookPayloadError,
  type Clock,
  type WebhookEvent,
} from '@tokpipe/core';
import { UsageError } from './args';

/** What one delivery may cost the receiver. Every limit is a real-time bound on the socket (never scaled). */
export interface ReceiverLimits {
  /** Larger bodies get 413 (TikTok's events are a few hundred bytes). */
  maxBodyBytes: number;
  /** The request line and headers must arrive within this (a slow sender is answered 408 and dropped). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this. */
  requestTimeoutMs: number;
  /** A connection with no traffic for this long is closed (a stalled body, a silent client). */
  idleTimeoutMs: number;
  /** Connections beyond this are refused at once rather than piling up. */
  maxConnections: number;
  /** An over-limit body is read and discarded up to this many bytes (so the sender gets its 413, not a
   * reset), then the connection is cut. */
  maxDrainBytes: number;
}

export const DEFAULT_RECEIVER_LIMITS: ReceiverLimits = {
  maxBodyBytes: 1_000_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 15_000,
  maxConnections: 256,
  maxDrainBytes: 64_000_000,
};

export interface ReceiverOptions {
  port: number;
  /** The flag to name when the port is taken. */
  portFlag: string;
  secret: string;
  /** Wall time (epoch ms) for the signature's replay window and redelivery memory: security windows
   * never follow TOKPIPE_TIME_SCALE. Default Date.now. */
  wallClock?: Pick<Clock, 'now'>;
  /** Largest accepted difference between the signature's t and now, real seconds. */
  toleranceSec: number;
  limits?: Partial<ReceiverLimits>;
  onEvent(event: WebhookEvent): Promise<void> | void;
  /** Rejections and handler errors (one line each, never a secret). */
  onProblem(message: string): void;
}

export interface Receiver {
  url: string;
  /** Connections open right now. */
  openConnections(): Promise<number>;
  close(): Promise<void>;
}

type Body = { ok: true; bytes: Buffer } | { ok: false; status: 413 | 400 };

/** Reads at most `max` bytes; past that, stops keeping them and reports 413 (the rest is drained by the caller). */
function readBody(req: http.IncomingMessage, max: number): Promise<Body> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.resolve({ ok: false, status: 413 });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= max) return void chunks.push(chunk);
      req.off('data', onData);
      resolve({ ok: false, status: 413 });
    };
    req.on('data', onData);
    req.on('end', () => resolve({ ok: true, bytes: Buffer.concat(chunks) }));
    req.on('error', () => resolve({ ok: false, status: 400 }));
  });
}

/** Reads and discards the rest of a refused body, so the sender finishes writing and then reads our
 * answer (closing on a sender still writing is a reset on its side). False when cut off past `limit`. */
function drained(req: http.IncomingMessage, limit: number): Promise<boolean> {
  const declared = Number(req.headers['content-length']);
  if (req.complete) return Promise.resolve(true);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(false);
  return new Promise((resolve) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) resolve(false);
    });
    req.on('end', () => resolve(true));
    req.on('close', () => resolve(false));
    req.resume();
  });
}

/** Answers a request we will not handle, once its body was consumed (or cut off past `limit`). */
async function refuse(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  status: number,
  body: Record<string, unknown>,
  limit: number,
): Promise<void> {
  const complete = await drained(req, limit);
  if (res.destroyed) return;
  reply(res, status, body);
  if (!complete) res.once('finish', () => req.socket.destroy()); // the rest of the body is not worth reading
}

// Every reply closes its connection: TikTok sends each delivery on its own, and an idle keep-alive
// socket would otherwise be held for keepAliveTimeout plus Node's own 1 s buffer.
function reply(res: http.ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify(body));
}

export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const limits: ReceiverLimits = { ...DEFAULT_RECEIVER_LIMITS, ...options.limits };
  const wall: Pick<Clock, 'now'> = options.wallClock ?? { now: () => Date.now() };
  const deduper = new WebhookDeduper({ clock: { now: () => wall.now(), sleep: async () => undefined } });
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks the header/request deadlines on this interval (default 30 s): keep it below the limits.
      connectionsCheckingInterval: Math.max(
        5,
        Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4),
      ),
    },
    (req, res) => {
      void (async () => {
        if (req.method !== 'POST') return refuse(req, res, 405, { error: 'POST only' }, limits.maxDrainBytes);
        const body = await readBody(req, limits.maxBodyBytes);
        if (!body.ok) {
          if (body.status === 413)
            options.onProblem(`rejected a delivery: body larger than ${limits.maxBodyBytes} bytes`);
          return refuse(
            req,
            res,
            body.status,
            { error: body.status === 413 ? 'body too large' : 'bad request' },
            limits.maxDrainBytes,
          );
        }
        const headers = req.headers as Record<string, string | string[] | undefined>;
        const check = verifyTikTokSignature({
          header: headers,
          rawBody: body.bytes,
          secret: options.secret,
          now: wall.now(),
          toleranceSec: options.toleranceSec,
        });
        if (!check.ok) {
          options.onProblem(`rejected a delivery: ${check.reason}`);
          return reply(res, 401, { error: 'invalid signature', reason: check.reason });
        }
        let event: WebhookEvent;
        try {
          event = parseWebhookEvent(body.bytes);
        } catch (err) {
          if (!(err instanceof WebhookPayloadError)) throw err;
          options.onProblem(`rejected a signed delivery: ${err.message}`);
          return reply(res, 400, { error: err.message });
        }
        // TikTok wants 200 at once; the event is handled after the reply.
        reply(res, 200, { ok: true });
        if (await deduper.firstSighting(event.dedupeKey)) await options.onEvent(event);
      })().catch((err: unknown) => {
        options.onProblem(`webhook handler error: ${(err as Error).message}`);
        if (!res.headersSent) reply(res, 500, { error: 'internal error' });
      });
    },
  );
  server.maxConnections = limits.maxConnections;
  // A connection with no traffic (a stalled body, an idle keep-alive) is closed after idleTimeoutMs.
  server.setTimeout(limits.idleTimeoutMs, (socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new UsageError(`${options.portFlag} ${options.port} is already in use`, options.portFlag)
          : err,
      ),
    );
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    openConnections: () =>
      new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n)))),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
