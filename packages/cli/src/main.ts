// `tokpipe` entry: finds the command in the table, parses its flags, runs it, and turns every
// failure into the documented exit code (2 invalid input, 5 re-authorize, 1 anything else).
import { redactText } from '@tokpipe/core';
import { FileStoreError, TokenFileError } from '@tokpipe/core/node';
import { isTokpipeError } from './errors';
import { EXIT, exitCodeForError, jsonError } from './outcome';
import { UsageError, groupHelpText, helpText, parseArgs, type CommandSpec, type ParsedArgs } from './args';
import { processIO, type CliIO } from './io';
import { EngineInUseError } from '@tokpipe/engine';

// A second store for the same accounts would post the same rows again: the advice is to wait, or to
// share one PostgreSQL.
const STORE_BUSY_ACTION =
  'Another tokpipe is working on this state: wait for it to finish. To run several at once, run them all on one ' +
  'PostgreSQL (DATABASE_URL or --database); separate --store files would each post the same rows.';
import { commands } from './commands';
import { terminalSafeIO } from './terminal';

export interface Command {
  /** Words after `tokpipe`, e.g. ['webhooks', 'listen']. */
  path: string[];
  spec: CommandSpec;
  /** Commands that parse their own argv (e.g. `sandbox`, delegated to the sandbox package). */
  rawArgs?: boolean;
  run(args: ParsedArgs, io: CliIO, argv: string[]): Promise<number>;
}

function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of commands) {
    if (
      command.path.every((word, i) => argv[i] === word) &&
      (!best || command.path.length > best.command.path.length)
    ) {
      best = { command, rest: argv.slice(command.path.length) };
    }
  }
  return best;
}

function overview(): string {
  const lines = commands.map((c) => `  ${c.spec.usage}`);
  return [
    'usage: tokpipe <command> [flags]',
    '',
    ...lines,
    '',
    'Run `tokpipe <command> --help` for the flags of one command.',
    '',
  ].join('\n');
}

/** The one error report: a human line on stderr, plus the JSON object on stdout with --json. */
export function reportFailure(
  io: CliIO,
  json: boolean,
  error: {
    message: string;
    code: string;
    action: string;
    category?: string;
    retryable?: boolean;
    logId?: string;
    failReason?: string;
  },
): void {
  io.stderr.write(`tokpipe: ${error.message}\n`);
  if (error.action) io.stderr.write(`  → ${error.action}\n`);
  if (json) {
    const body = {
      publishId: null,
      status: 'FAILED',
      postIds: [],
      attempts: 0,
      error: jsonError({ category: error.category ?? 'not_retryable', retryable: error.retryable ?? false, ...error }),
    };
    io.stdout.write(JSON.stringify(body) + '\n');
  }
}

export async function main(argv: string[], rawIO: CliIO = processIO()): Promise<number> {
  const io = terminalSafeIO(rawIO); // nothing echoed from a file or a reply can drive the terminal
  const json = argv.includes('--json');
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    (argv.length === 0 ? io.stderr : io.stdout).write(overview());
    return argv.length === 0 ? EXIT.invalidInput : EXIT.ok;
  }
  const found = findCommand(argv);
  const asksHelp = argv.includes('--help') || argv.includes('-h');
  const groupUsages = commands.filter((c) => c.path.length > 1 && c.path[0] === argv[0]).map((c) => c.spec.usage);
  if (!found && asksHelp && groupUsages.length > 0 && argv[1]?.startsWith('-')) {
    io.stdout.write(groupHelpText(argv[0]!, groupUsages));
    return EXIT.ok;
  }
  if (!found) {
    // `tokpipe campaign` alone: name the sub-commands of that group.
    const group = commands
      .filter((c) => c.path.length > 1 && c.path[0] === argv[0])
      .map((c) => `tokpipe ${c.path.join(' ')}`);
    const action = group.length
      ? `Did you mean ${group.join(', ')}?`
      : 'Run `tokpipe --help` for the list of commands.';
    const bareGroup = group.length > 0 && (argv[1] === undefined || argv[1].startsWith('-'));
    const message = bareGroup
      ? `\`tokpipe ${argv[0]}\` needs one of its commands`
      : `unknown command "${argv
          .filter((a) => !a.startsWith('-'))
          .slice(0, 2)
          .join(' ')}"`;
    reportFailure(io, json, { message, code: 'invalid_input', action });
    return EXIT.invalidInput;
  }
  const { command, rest } = found;
  if (!command.rawArgs && (rest.includes('--help') || rest.includes('-h'))) {
    io.stdout.write(helpText(command.path.join(' '), command.spec));
    return EXIT.ok;
  }
  try {
    const args = command.rawArgs
      ? { flags: {}, positionals: {} }
      : parseArgs(rest, command.path.join(' '), command.spec);
    return await command.run(args, io, rest);
  } catch (err) {
    if (err instanceof UsageError) {
      reportFailure(io, json, {
        message: err.message,
        code: 'invalid_input',
        action: `Fix ${err.field ?? 'the command line'} and run again; nothing was sent.`,
      });
      return EXIT.invalidInput;
    }
    if (err instanceof TokenFileError) {
      reportFailure(io, json, {
        message: err.message,
        code: err.missing ? 'token_file_missing' : 'token_file_invalid',
        action: err.missing
          ? 'Run `tokpipe auth login` to create it.'
          : `Fix ${err.field ?? 'the file'} or run \`tokpipe auth login\` again.`,
      });
      return err.missing ? EXIT.reauthorize : EXIT.invalidInput;
    }
    if (err instanceof FileStoreError) {
      const busy = /in use by process/.test(err.message);
      reportFailure(io, json, {
        message: err.message,
        code: busy ? 'store_in_use' : 'store_unreadable',
        action: busy
          ? STORE_BUSY_ACTION
          : 'Keep a copy of the file and report it; tokpipe never drops data it cannot read.',
        retryable: busy,
        category: busy ? 'retryable' : 'needs_human',
      });
      return EXIT.other;
    }
    if (err instanceof EngineInUseError) {
      reportFailure(io, json, {
        message: err.message,
        code: 'store_in_use',
        action: STORE_BUSY_ACTION,
        retryable: true,
        category: 'retryable',
      });
      return EXIT.other;
    }
    if (isTokpipeError(err)) {
      const d = err.details;
      reportFailure(io, json, d);
      return exitCodeForError(d);
    }
    // Not one of ours: its message was not written with secrets in mind, so it is redacted here.
    reportFailure(io, json, {
      message: redactText((err as Error)?.message ?? String(err)),
      code: 'internal',
      action: 'This is unexpected; please report it with the command you ran.',
      category: 'retryable',
      retryable: true,
    });
    return EXIT.other;
  }
}
