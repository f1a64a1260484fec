import { parseArgs, UsageError, type CommandSpec } from '../src/args';

const spec: CommandSpec = {
  usage: 'tokpipe post [--video-url URL] [--photo-url URL]... [--mode direct|draft] [--port N] [--wait]',
  flags: {
    'video-url': { kind: 'string', description: 'video' },
    'photo-url': { kind: 'list', description: 'photo' },
    mode: { kind: 'string', choices: ['direct', 'draft'], description: 'mode' },
    port: { kind: 'integer', min: 1, max: 65535, description: 'port' },
    wait: { kind: 'boolean', description: 'wait' },
  },
  positionals: [{ name: 'FILE', required: false }],
};

function usageError(argv: string[]): UsageError {
  try {
    parseArgs(argv, 'post', spec);
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('parseArgs', () => {
  it('reads values, --flag=value, repeatable lists, booleans and positionals', () => {
    const parsed = parseArgs(
      [
        '--video-url',
        'https://a',
        '--photo-url=https://1',
        '--photo-url',
        'https://2',
        '--wait',
        '--port',
        '8080',
        'f.csv',
      ],
      'post',
      spec,
    );
    expect(parsed.flags).toEqual({
      'video-url': 'https://a',
      'photo-url': ['https://1', 'https://2'],
      wait: true,
      port: 8080,
    });
    expect(parsed.positionals).toEqual({ FILE: 'f.csv' });
  });

  it.each([
    [['--sound', 'x'], '--sound', 'unknown flag --sound'],
    [['--mode', 'public'], '--mode', '--mode must be one of direct, draft; got "public"'],
    [['--port', 'eighty'], '--port', '--port must be a whole number'],
    [['--port', '70000'], '--port', '--port must be at most 65535'],
    [['--video-url'], '--video-url', '--video-url needs a value'],
    [['--video-url', '--wait'], '--video-url', '--video-url needs a value'],
    [['--video-url', 'a', '--video-url', 'b'], '--video-url', 'given more than once'],
    [['a', 'b'], 'b', 'unexpected argument "b"'],
    [['-x'], '-x', 'unknown option "-x"'],
  ])('%j is refused naming %s', (argv, field, message) => {
    const err = usageError(argv);
    expect(err.field).toBe(field);
    expect(err.message).toContain(message);
  });
});
