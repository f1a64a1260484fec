// The README's core API example (examples/core/post.js), run as a user would: a real Node process against
// the sandbox. Twice: the second run must return the first post, not post again.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startSandbox } from '@tokpipe/sandbox';

const run = promisify(execFile);
const example = resolve(__dirname, '../../examples/core/post.js');

test('examples/core/post.js posts once, and a re-run is answered from the ledger', async () => {
  const sb = await startSandbox({ timeScale: 0.001 });
  try {
    const { clientKey, clientSecret, accounts } = sb.admin.demo();
    const dir = mkdtempSync(join(tmpdir(), 'tokpipe-readme-'));
    const tokenFile = join(dir, 'token.json');
    const a = accounts[0];
    // Expired access token: the example must refresh it and save the rotated refresh token.
    writeFileSync(
      tokenFile,
      JSON.stringify({
        access_token: a.accessToken,
        refresh_token: a.refreshToken,
        expires_at: 1,
        scope: a.scope,
        open_id: a.openId,
      }),
    );
    const env = {
      ...process.env,
      TIKTOK_API_BASE_URL: sb.url,
      TIKTOK_CLIENT_KEY: clientKey,
      TIKTOK_CLIENT_SECRET: clientSecret,
      TOKPIPE_TIME_SCALE: '0.001',
    };
    const url = `${sb.url}/media/sample.mp4`;

    const first = await run(process.execPath, [example, tokenFile, url], { cwd: dir, env });
    expect(first.stdout).toMatch(/^PUBLISH_COMPLETE v_pub_url~/m);
    const second = await run(process.execPath, [example, tokenFile, url], { cwd: dir, env });
    expect(second.stdout).toMatch(/already posted; not posted again/);

    const inits = sb.admin.requests().filter((r: { endpoint: string }) => r.endpoint === 'video.init');
    expect(inits).toHaveLength(1);
    expect(sb.admin.posts(a.openId)).toHaveLength(1);
    const saved = JSON.parse(readFileSync(tokenFile, 'utf8'));
    expect(saved.refresh_token).not.toBe(a.refreshToken);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
  } finally {
    await sb.close();
  }
});
