// A 127.0.0.1 receiver for TikTok webhooks: verifies TikTok-Signature (401 otherwise), parses the
// event, answers 200 at once, and hands each event on once (redeliveries are acknowledged only).
// Used by `webhooks listen` (prints events) and `campaign run --webhook-port` (feeds the pipeline).
import * as http from 'node:http';
import { parseWebhookEvent, verifyTikTokSignature, WebhookDeduper, WebhookPayloadError, type Clock, type WebhookEvent } from '@tokpipe/core';
import { UsageError } from './args';

const MAX_BODY_BYTES = 1_000_000;

export interface ReceiverOptions {
  port: number;
  /** The flag to name when the port is taken. */
  portFlag: string;
  secret: string;
  clock: Clock;
  /** Largest accepted difference between the signature's t and now, seconds. */
  toleranceSec: number;
  onEvent(event: WebhookEvent): Promise<void> | void;
  /** Rejections and handler errors (one line each, never a secret). */
  onProblem(message: string): void;
}

export interface Receiver {
  url: string;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function reply(res: http.ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const deduper = new WebhookDeduper({ clock: options.clock });
  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST') return reply(res, 405, { error: 'POST only' });
      const body = await readBody(req);
      if (body === undefined) return reply(res, 413, { error: 'body too large' });
      const headers = req.headers as Record<string, string | string[] | undefined>;
      const check = verifyTikTokSignature({ header: headers, rawBody: body, secret: options.secret, now: options.clock.now(), toleranceSec: options.toleranceSec });
      if (!check.ok) {
        options.onProblem(`rejected a delivery: ${check.reason}`);
        return reply(res, 401, { error: 'invalid signature', reason: check.reason });
      }
      let event: WebhookEvent;
      try {
        event = parseWebhookEvent(body);
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
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new UsageError(`${options.portFlag} ${options.port} is already in use`, options.portFlag) : err),
    );
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Under a time scale, sender and receiver run virtual clocks that started at different real
 * moments; their gap grows as (start difference / scale), so the window is kept in real seconds. */
export function replayWindowSec(windowSec: number, timeScale: number): number {
  return windowSec / timeScale;
}
