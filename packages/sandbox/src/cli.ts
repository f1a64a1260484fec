// `tokpipe sandbox [--port N] [--faults PROFILE] [--time-scale X] [--seed N] [--json]`: starts the
// sandbox, prints its URL and demo credentials (with --json exactly one JSON line first), and
// runs until interrupted.
import { PROFILES, type ProfileName } from './faults';
import { startSandbox, type Sandbox } from './index';

export interface SandboxCommandIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Resolves when the user stops the process; default: SIGINT / SIGTERM. */
  interrupted?: Promise<void>;
  env?: Record<string, string | undefined>;
}

const USAGE =
  'usage: tokpipe sandbox [--port N] [--faults calm|flaky|hostile] [--time-scale X] [--seed N] [--webhook-url URL] [--json]';

interface Flags {
  port: number;
  faults: ProfileName;
  timeScale: number | undefined;
  seed: number;
  json: boolean;
  webhookUrl: string | null;
  help: boolean;
}

class UsageError extends Error {}

type FlagParser = (value: string, flags: Flags) => void;

function integer(name: string, min: number, max: number, value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || n < min || n > max)
    throw new UsageError(`${name}: must be an integer from ${min} to ${max}`);
  return n;
}

/** Flags that take a value, and how each is read. */
const VALUE_FLAGS: Record<string, FlagParser> = {
  '--port': (v, f) => (f.port = integer('--port', 0, 65535, v)),
  '--faults': (v, f) => {
    if (!(v in PROFILES)) throw new UsageError(`--faults: must be one of ${Object.keys(PROFILES).join(', ')}`);
    f.faults = v as ProfileName;
  },
  '--time-scale': (v, f) => {
    const n = Number(v);
    if (!(Number.isFinite(n) && n > 0))
      throw new UsageError('--time-scale: must be a positive number (0.001 makes a minute last 60 ms)');
    f.timeScale = n;
  },
  '--seed': (v, f) => (f.seed = integer('--seed', 0, 2 ** 31 - 1, v)),
  '--webhook-url': (v, f) => (f.webhookUrl = v),
};
const SWITCHES: Record<string, (f: Flags) => void> = {
  '--json': (f) => (f.json = true),
  '--help': (f) => (f.help = true),
  '-h': (f) => (f.help = true),
};

function parse(argv: string[]): Flags {
  const flags: Flags = {
    port: 0,
    faults: 'calm',
    timeScale: undefined,
    seed: 1,
    json: false,
    webhookUrl: null,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].includes('=')
      ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)]
      : [argv[i], undefined];
    if (name in SWITCHES && inline === undefined) {
      SWITCHES[name](flags);
      continue;
    }
    const parser = VALUE_FLAGS[name];
    if (!parser) throw new UsageError(`${name}: unknown flag`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${name}: needs a value`);
    parser(value, flags);
  }
  return flags;
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function readable(sb: Sandbox, flags: Flags, scale: string): string {
  const d = sb.admin.demo();
  const lines = [
    `TikTok sandbox listening at ${d.url}  (faults: ${flags.faults}, time scale: ${scale}, seed: ${flags.seed})`,
    `  client_key     ${d.clientKey}`,
    `  client_secret  ${d.clientSecret}`,
    ...d.accounts.flatMap((a, i) => [
      `  account ${i + 1}      open_id ${a.openId}`,
      `    access_token   ${a.accessToken}`,
      `    refresh_token  ${a.refreshToken}`,
      `    scope          ${a.scope}`,
    ]),
    `  sample media   ${d.url}/media/sample.mp4  ${d.url}/media/photo-1.jpg (verified URL prefix)`,
    `  admin API      ${d.url}/__sandbox/requests  /posts  /webhooks  /setConfig  /script ...`,
    'Press Ctrl-C to stop.',
  ];
  return lines.join('\n') + '\n';
}

export async function sandboxCommand(argv: string[], io: SandboxCommandIO): Promise<number> {
  let flags: Flags;
  try {
    flags = parse(argv);
  } catch (err) {
    io.stderr.write(`tokpipe sandbox: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (flags.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const env = io.env ?? process.env;
  let sb: Sandbox;
  try {
    const envScale = env.TOKPIPE_TIME_SCALE;
    const timeScale = flags.timeScale ?? (envScale !== undefined && envScale !== '' ? Number(envScale) : 1);
    sb = await startSandbox({
      port: flags.port,
      faults: flags.faults,
      seed: flags.seed,
      timeScale,
      config: flags.webhookUrl ? { webhookUrl: flags.webhookUrl } : {},
    });
    flags.timeScale = timeScale;
  } catch (err) {
    io.stderr.write(`tokpipe sandbox: ${(err as Error).message}\n`);
    return (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 1 : 2;
  }
  if (flags.json) io.stdout.write(`${JSON.stringify(sb.admin.demo())}\n`);
  else io.stdout.write(readable(sb, flags, String(flags.timeScale)));
  await (io.interrupted ?? waitForSignal());
  await sb.close();
  if (!flags.json) io.stdout.write('sandbox stopped\n');
  return 0;
}
