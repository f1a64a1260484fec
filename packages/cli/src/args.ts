// Declarative argument parsing: each command lists its flags as data; every mistake becomes a
// UsageError that names the flag (exit 2, nothing sent).

export type FlagKind = 'string' | 'integer' | 'boolean' | 'list';

export interface FlagSpec {
  kind: FlagKind;
  /** Allowed values (string and list flags). */
  choices?: readonly string[];
  /** Integer bounds (inclusive). */
  min?: number;
  max?: number;
  description: string;
}

export interface CommandSpec {
  usage: string;
  flags: Record<string, FlagSpec>;
  positionals?: Array<{ name: string; required: boolean }>;
}

export type FlagValue = string | number | boolean | string[];

export interface ParsedArgs {
  flags: Record<string, FlagValue | undefined>;
  positionals: Record<string, string | undefined>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The flag or argument at fault, e.g. '--privacy' or 'PUBLISH_ID'. */
    readonly field?: string,
  ) {
    super(message);
  }
}

function convert(flag: string, spec: FlagSpec, raw: string): string | number {
  if (spec.kind === 'integer') {
    if (!/^-?\d+$/.test(raw)) throw new UsageError(`${flag} must be a whole number, got "${raw}"`, flag);
    const n = Number(raw);
    if (spec.min !== undefined && n < spec.min)
      throw new UsageError(`${flag} must be at least ${spec.min}, got ${n}`, flag);
    if (spec.max !== undefined && n > spec.max)
      throw new UsageError(`${flag} must be at most ${spec.max}, got ${n}`, flag);
    return n;
  }
  if (spec.choices && !spec.choices.includes(raw)) {
    throw new UsageError(`${flag} must be one of ${spec.choices.join(', ')}; got "${raw}"`, flag);
  }
  return raw;
}

export function parseArgs(argv: readonly string[], command: string, spec: CommandSpec): ParsedArgs {
  const flags: Record<string, FlagValue | undefined> = {};
  const positionalValues: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      positionalValues.push(...argv.slice(i + 1));
      break;
    }
    if (!token.startsWith('--') || token === '-') {
      if (token.startsWith('-') && token !== '-') {
        throw new UsageError(`unknown option "${token}" for \`tokpipe ${command}\` (usage: ${spec.usage})`, token);
      }
      positionalValues.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = eq === -1 ? token.slice(2) : token.slice(2, eq);
    const flag = `--${name}`;
    const flagSpec = spec.flags[name];
    if (!flagSpec) {
      throw new UsageError(`unknown flag ${flag} for \`tokpipe ${command}\` (usage: ${spec.usage})`, flag);
    }
    if (flagSpec.kind === 'boolean') {
      if (eq !== -1) {
        const v = token.slice(eq + 1);
        if (v !== 'true' && v !== 'false')
          throw new UsageError(`${flag} takes no value (or =true/=false), got "${v}"`, flag);
        flags[name] = v === 'true';
      } else {
        flags[name] = true;
      }
      continue;
    }
    let raw: string | undefined;
    if (eq !== -1) raw = token.slice(eq + 1);
    else {
      raw = argv[i + 1];
      if (raw === undefined || (raw.startsWith('--') && raw.length > 2))
        throw new UsageError(`${flag} needs a value`, flag);
      i++;
    }
    if (raw === '') throw new UsageError(`${flag} needs a non-empty value`, flag);
    const value = convert(flag, flagSpec, raw);
    if (flagSpec.kind === 'list') {
      const list = (flags[name] as string[] | undefined) ?? [];
      list.push(String(value));
      flags[name] = list;
    } else {
      if (flags[name] !== undefined) throw new UsageError(`${flag} was given more than once`, flag);
      flags[name] = value;
    }
  }
  const positionals: Record<string, string | undefined> = {};
  const declared = spec.positionals ?? [];
  declared.forEach((p, index) => {
    positionals[p.name] = positionalValues[index];
    if (p.required && positionalValues[index] === undefined) {
      throw new UsageError(`missing ${p.name} (usage: ${spec.usage})`, p.name);
    }
  });
  if (positionalValues.length > declared.length) {
    const extra = positionalValues[declared.length]!;
    throw new UsageError(`unexpected argument "${extra}" for \`tokpipe ${command}\` (usage: ${spec.usage})`, extra);
  }
  return { flags, positionals };
}

const HELP_COLUMN = 36;

export function helpText(command: string, spec: CommandSpec): string {
  const lines = [`usage: ${spec.usage}`];
  for (const [name, flag] of Object.entries(spec.flags)) {
    const value =
      flag.kind === 'boolean'
        ? ''
        : flag.choices
          ? ` ${flag.choices.join('|')}`
          : flag.kind === 'integer'
            ? ' N'
            : ' VALUE';
    const left = `  --${name}${value}`;
    const description = flag.description + (flag.kind === 'list' ? ' (repeatable)' : '');
    // A flag too long for the column gets its description on the next line, never glued to it.
    lines.push(
      left.length < HELP_COLUMN
        ? left.padEnd(HELP_COLUMN) + description
        : `${left}\n${' '.repeat(HELP_COLUMN)}${description}`,
    );
  }
  return `tokpipe ${command}\n` + lines.join('\n') + '\n';
}

/** `tokpipe <group> --help`: the group's commands, one usage line each. */
export function groupHelpText(group: string, usages: readonly string[]): string {
  return [
    `tokpipe ${group}: ${usages.length} command${usages.length === 1 ? '' : 's'}`,
    ...usages.map((u) => `  ${u}`),
    '',
    `Run \`tokpipe ${group} <command> --help\` for the flags of one command.`,
    '',
  ].join('\n');
}
