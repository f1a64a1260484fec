// `tokpipe sandbox ...`: the sandbox package parses its own flags and runs until interrupted.
import { sandboxCommand } from '@tokpipe/sandbox';
import type { Command } from '../main';

export const sandbox: Command = {
  path: ['sandbox'],
  rawArgs: true,
  spec: {
    usage:
      'tokpipe sandbox [--port N] [--faults calm|flaky|hostile] [--time-scale X] [--seed N] [--webhook-url URL] [--json]',
    flags: {},
  },
  run(_args, io, argv) {
    return sandboxCommand(argv, { stdout: io.stdout, stderr: io.stderr, interrupted: io.interrupted, env: io.env });
  },
};
