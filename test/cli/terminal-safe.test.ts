// Issue 14 item 10: text from a campaign file (or a reply) was printed raw, so a cell holding escape
// sequences could retitle, clear or recolour the user's terminal. Control characters are shown as \xNN.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliEnv, runCli } from './helpers';

const ESC = '\x1b';
const NASTY = `${ESC}]0;pwned\x07${ESC}[2J${ESC}[31mred\r\x9b1m`;

it('campaign errors echo cell text without any control character', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-term-'));
  try {
    const file = path.join(dir, 'c.csv');
    await fs.writeFile(
      file,
      `account,video_url,title,privacy\nnobody,https://cdn.example/v.mp4,hi,"${NASTY}"\n"acc${NASTY}",not a url,hi,SELF_ONLY\n`,
    );
    const r = await runCli(['campaign', 'run', file], cliEnv(), dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('row 2, column privacy');
    expect(r.stderr).toContain('\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[31mred\\u000d\\u009b1m'); // shown, not obeyed
    // eslint-disable-next-line no-control-regex -- no raw control character may reach the terminal
    expect(r.stderr + r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

it('--json output stays valid JSON when a value holds C1 control characters (JSON.stringify leaves them raw)', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-term-'));
  try {
    const file = path.join(dir, 'c.csv');
    await fs.writeFile(file, `account,video_url,title,privacy\nnobody,https://cdn.example/v.mp4,hi,"x\x9b2Jy"\n`);
    const r = await runCli(['campaign', 'run', file, '--json'], cliEnv(), dir);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out.error.message).toContain('x\x9b2Jy'); // the same text, escaped on the way out
    // eslint-disable-next-line no-control-regex -- no raw control character may reach the terminal
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
