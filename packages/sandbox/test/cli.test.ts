import { sandboxCommand } from '../src/cli';

function sink() {
  const chunks: string[] = [];
  return { chunks, write: (t: string) => chunks.push(t), text: () => chunks.join('') };
}

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setImmediate(r));
  if (!cond()) throw new Error('condition never met');
}

describe('tokpipe sandbox command', () => {
  test('--json: the first stdout line is exactly the demo credentials object, and they work until interrupted', async () => {
    const stdout = sink();
    const stderr = sink();
    let stop!: () => void;
    const interrupted = new Promise<void>((r) => (stop = r));
    const done = sandboxCommand(['--json', '--seed', '5', '--faults', 'calm'], {
      stdout,
      stderr,
      interrupted,
      env: {},
    });
    await waitFor(() => stdout.text().includes('\n'));
    const first = stdout.text().split('\n')[0];
    const creds = JSON.parse(first);
    expect(Object.keys(creds)).toEqual(['url', 'clientKey', 'clientSecret', 'accounts']);
    expect(creds.accounts.length).toBeGreaterThanOrEqual(2);
    for (const a of creds.accounts) expect(Object.keys(a)).toEqual(['openId', 'accessToken', 'refreshToken', 'scope']);
    const auth = { authorization: `Bearer ${creds.accounts[0].accessToken}` };
    const res = await fetch(`${creds.url}/v2/post/publish/creator_info/query/`, { method: 'POST', headers: auth });
    const reply = (await res.json()) as { error: { code: string } };
    expect(reply.error.code).toBe('ok');
    stop();
    expect(await done).toBe(0);
    expect(stderr.text()).toBe('');
    await expect(fetch(`${creds.url}/media/sample.mp4`)).rejects.toThrow();
  });

  test('readable output names the URL and credentials', async () => {
    const stdout = sink();
    const code = sandboxCommand(['--time-scale=0.01'], {
      stdout,
      stderr: sink(),
      interrupted: Promise.resolve(),
      env: {},
    });
    expect(await code).toBe(0);
    expect(stdout.text()).toMatch(/listening at http:\/\/127\.0\.0\.1:\d+ .*time scale: 0\.01/);
    expect(stdout.text()).toMatch(/client_secret/);
    expect(stdout.text()).toMatch(/access_token\s+act\./);
  });

  test('bad flags exit 2 naming the flag, before starting anything', async () => {
    for (const [argv, msg] of [
      [['--faults', 'angry'], /--faults/],
      [['--port', 'x'], /--port/],
      [['--time-scale', '0'], /--time-scale/],
      [['--nope'], /--nope: unknown flag/],
      [['--seed'], /--seed: needs a value/],
      [['--webhook-url', 'https://example.com/'], /webhookUrl/],
    ] as const) {
      const stderr = sink();
      expect(await sandboxCommand([...argv], { stdout: sink(), stderr, interrupted: Promise.resolve(), env: {} })).toBe(
        2,
      );
      expect(stderr.text()).toMatch(msg);
    }
  });
});
