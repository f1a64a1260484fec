// `tokpipe webhooks listen --port N`: prints one JSON line per verified event on stdout; bad
// signatures get 401 and a line on stderr.
import { DEFAULT_REPLAY_WINDOW_SEC } from '@tokpipe/core';
import { UsageError } from '../args';
import { readEnv } from '../env';
import { EXIT } from '../outcome';
import { startReceiver } from '../webhook-receiver';
import type { Command } from '../main';

export const webhooksListen: Command = {
  path: ['webhooks', 'listen'],
  spec: {
    usage: 'tokpipe webhooks listen --port N [--json]',
    flags: {
      port: { kind: 'integer', min: 0, max: 65535, description: 'port on 127.0.0.1 (0 picks a free one)' },
      json: { kind: 'boolean', description: 'JSON lines only (no human lines on stderr)' },
      'replay-window': {
        kind: 'integer',
        min: 1,
        description: 'seconds a signature timestamp may differ from now (default 300)',
      },
    },
  },
  async run(args, io) {
    const env = readEnv(io.env);
    if (args.flags.port === undefined) throw new UsageError('--port is required (use 0 for any free port)', '--port');
    if (!env.clientSecret)
      throw new UsageError(
        'TIKTOK_CLIENT_SECRET is not set (needed to verify webhook signatures)',
        'TIKTOK_CLIENT_SECRET',
      );
    const json = args.flags.json === true;
    const receiver = await startReceiver({
      port: args.flags.port as number,
      portFlag: '--port',
      secret: env.clientSecret,
      toleranceSec: (args.flags['replay-window'] as number | undefined) ?? DEFAULT_REPLAY_WINDOW_SEC, // real seconds, never scaled
      onEvent: (event) => {
        const { dedupeKey: _internal, ...shown } = event;
        io.stdout.write(JSON.stringify(shown) + '\n');
        if (!json) io.stderr.write(`${event.rawEvent} for ${event.openId || '(no open_id)'}\n`);
      },
      onProblem: (message) => {
        if (!json) io.stderr.write(message + '\n');
      },
    });
    io.stderr.write(`listening for TikTok webhooks on ${receiver.url} (Ctrl-C to stop)\n`);
    await io.interrupted;
    await receiver.close();
    return EXIT.ok;
  },
};
