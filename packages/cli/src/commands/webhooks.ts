// `tokpipe webhooks listen --port N`: a 127.0.0.1 receiver that verifies TikTok-Signature with
// TIKTOK_CLIENT_SECRET, answers 401 to a bad signature, 200 at once to a good one, and prints one
// JSON line per verified event (redeliveries are acknowledged but printed once).
import * as http from 'node:http';
import { parseWebhookEvent, verifyTikTokSignature, WebhookDeduper, WebhookPayloadError } from '@tokpipe/core';
import { systemClock } from '@tokpipe/core/node';
import { UsageError } from '../args';
import { readEnv } from '../env';
import { EXIT } from '../outcome';
import type { Command } from '../main';

const MAX_BODY_BYTES = 1_000_000;

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

export const webhooksListen: Command = {
  path: ['webhooks', 'listen'],
  spec: {
    usage: 'tokpipe webhooks listen --port N [--json]',
    flags: {
      port: { kind: 'integer', min: 0, max: 65535, description: 'port on 127.0.0.1 (0 picks a free one)' },
      json: { kind: 'boolean', description: 'JSON lines only (no human lines on stderr)' },
      'replay-window': { kind: 'integer', min: 1, description: 'seconds a signature timestamp may differ from now (default 300)' },
    },
  },
  async run(args, io) {
    const env = readEnv(io.env);
    if (args.flags.port === undefined) throw new UsageError('--port is required (use 0 for any free port)', '--port');
    const secret = env.clientSecret;
    if (!secret) throw new UsageError('TIKTOK_CLIENT_SECRET is not set (needed to verify webhook signatures)', 'TIKTOK_CLIENT_SECRET');
    const json = args.flags.json === true;
    // Under a time scale, sender and receiver run virtual clocks that started at different real
    // moments; their gap grows as (start difference / scale), so the window is kept in real seconds.
    const toleranceSec = ((args.flags['replay-window'] as number | undefined) ?? 300) / env.timeScale;
    const clock = systemClock({ scale: env.timeScale });
    const deduper = new WebhookDeduper({ clock });

    const server = http.createServer((req, res) => {
      void (async () => {
        if (req.method !== 'POST') return reply(res, 405, { error: 'POST only' });
        const body = await readBody(req);
        if (body === undefined) return reply(res, 413, { error: 'body too large' });
        const check = verifyTikTokSignature({ header: req.headers as Record<string, string | string[] | undefined>, rawBody: body, secret, now: clock.now(), toleranceSec });
        if (!check.ok) {
          if (!json) io.stderr.write(`rejected a delivery: ${check.reason}\n`);
          return reply(res, 401, { error: 'invalid signature', reason: check.reason });
        }
        let event;
        try {
          event = parseWebhookEvent(body);
        } catch (err) {
          if (!(err instanceof WebhookPayloadError)) throw err;
          if (!json) io.stderr.write(`rejected a signed delivery: ${err.message}\n`);
          return reply(res, 400, { error: err.message });
        }
        reply(res, 200, { ok: true });
        if (!(await deduper.firstSighting(event.dedupeKey))) return;
        const { dedupeKey: _ignored, ...shown } = event;
        io.stdout.write(JSON.stringify(shown) + '\n');
        if (!json) io.stderr.write(`${event.rawEvent} for ${event.openId || '(no open_id)'}\n`);
      })().catch((err: unknown) => {
        io.stderr.write(`webhook handler error: ${(err as Error).message}\n`);
        if (!res.headersSent) reply(res, 500, { error: 'internal error' });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'EADDRINUSE' ? new UsageError(`--port ${String(args.flags.port)} is already in use`, '--port') : err),
      );
      server.listen(args.flags.port as number, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as { port: number };
    io.stderr.write(`listening for TikTok webhooks on http://127.0.0.1:${port}/ (Ctrl-C to stop)\n`);
    await io.interrupted;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    return EXIT.ok;
  },
};
