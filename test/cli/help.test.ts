// Issue 14 item 13: `tokpipe dlq --help` answered 'unknown command "dlq"' (exit 2); `post --help` ran
// two columns together ("SELF_ONLYprivacy level"); the demo advised `reconcile` after deleting its store.
import { main } from '../../packages/cli/src/main';
import { commands } from '../../packages/cli/src/commands';
import { openJobsNote } from '../../packages/cli/src/commands/demo';
import type { CliIO } from '../../packages/cli/src/io';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: {},
    cwd: process.cwd(),
    interrupted: new Promise(() => undefined),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const groups = [...new Set(commands.filter((c) => c.path.length > 1).map((c) => c.path[0]!))];

it('there are command groups to test', () => {
  expect(groups).toEqual(expect.arrayContaining(['dlq', 'accounts', 'campaign', 'webhooks', 'auth']));
});

it.each(
  groups.flatMap((g) => [
    [g, '--help'],
    [g, '-h'],
  ]),
)("tokpipe %s %s lists the group's commands and exits 0", async (group, flag) => {
  const r = await run([group, flag]);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  for (const c of commands.filter((x) => x.path[0] === group && x.path.length > 1))
    expect(r.stdout).toContain(c.spec.usage);
});

it('a group alone still exits 2, naming its commands', async () => {
  const r = await run(['dlq']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('`tokpipe dlq` needs one of its commands');
  expect(r.stderr).toContain('tokpipe dlq list, tokpipe dlq show, tokpipe dlq replay');
});

it.each(commands.filter((c) => !c.rawArgs).map((c) => [c.path.join(' ')]))(
  'tokpipe %s --help keeps each flag apart from its description',
  async (path) => {
    const r = await run([...path.split(' '), '--help']);
    expect(r.code).toBe(0);
    const command = commands.find((c) => c.path.join(' ') === path)!;
    const lines = r.stdout.split('\n');
    for (const [name, flag] of Object.entries(command.spec.flags)) {
      const at = lines.findIndex((l) => l.startsWith(`  --${name}`));
      expect(at).toBeGreaterThan(0);
      const sameLine = lines[at]!.endsWith(flag.description) || lines[at]!.endsWith(`${flag.description} (repeatable)`);
      const described = sameLine ? lines[at]! : lines[at + 1]!;
      // Two spaces at least between the flag (and its values) and the description, or the next line.
      expect(described).toMatch(sameLine ? /^ {2}--\S+(?: \S+)?\s{2,}\S/ : /^\s{4,}\S/);
    }
    expect(r.stdout).not.toContain('SELF_ONLYprivacy');
  },
);

it('the demo does not send the user to `tokpipe reconcile` for rows of its own deleted store', () => {
  const note = openJobsNote(2);
  expect(note).toMatch(/^2 row\(s\) are still open/);
  expect(note).toContain('nothing is left to check here');
  expect(note).toMatch(/in a real run `tokpipe reconcile`/);
});
