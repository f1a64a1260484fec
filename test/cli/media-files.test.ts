// Issue 14 item 4: a campaign row could upload any file on the machine (`video_file = ../../etc/passwd`
// was uploaded and published). Local media must stay inside the campaign file's folder or a --media-dir
// (links resolved), and its bytes must be a video TikTok takes, before anything is sent.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sampleMp4, startSandbox, type Sandbox } from '@tokpipe/sandbox';
import { cliEnv, runCli, writeSandboxTokenFile } from './helpers';

let sb: Sandbox;
let env: NodeJS.ProcessEnv;
let root: string;
let openId: string;
const MP4 = sampleMp4(64, 64, 1, [Buffer.alloc(200, 1)]);

/** Every request that reached TikTok (admin calls aside). */
const sent = () => sb.admin.requests().filter((r) => r.endpoint !== 'admin').length;

beforeAll(async () => {
  sb = await startSandbox({ timeScale: 0.001, config: { moderationDelayMs: 0 } });
  const demo = sb.admin.demo();
  env = cliEnv({
    TIKTOK_API_BASE_URL: sb.url,
    TIKTOK_CLIENT_KEY: demo.clientKey,
    TIKTOK_CLIENT_SECRET: demo.clientSecret,
  });
  openId = sb.admin.createUser({ username: 'media-guard' }).openId;
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-media-'));
});
afterAll(async () => {
  await sb.close();
  await fs.rm(root, { recursive: true, force: true });
});

async function tokenFile(dir: string): Promise<string> {
  const file = path.join(dir, 'token.json');
  await writeSandboxTokenFile(sb, file, openId);
  return file;
}

describe('campaign run', () => {
  let dir: string;
  let outside: string;
  beforeAll(async () => {
    dir = path.join(root, 'campaign');
    outside = path.join(root, 'elsewhere');
    await fs.mkdir(dir);
    await fs.mkdir(outside);
    await fs.writeFile(path.join(outside, 'secret.mp4'), MP4); // a real video, but not in the campaign's folder
    await fs.writeFile(path.join(dir, 'ok.mp4'), MP4);
    await fs.writeFile(path.join(dir, 'notes.mp4'), 'root:x:0:0:root:/root:/bin/bash\n'); // text named .mp4
    await fs.symlink(path.join(outside, 'secret.mp4'), path.join(dir, 'link.mp4'));
    const r = await runCli(['accounts', 'add', 'mg', '--token-file', await tokenFile(dir)], env, dir);
    expect(r.code).toBe(0);
  });

  async function run(rows: string[], extra: string[] = []) {
    const file = path.join(dir, 'c.csv');
    await fs.writeFile(
      file,
      ['account,video_file,title,privacy', ...rows.map((f, i) => `mg,${f},row ${i},SELF_ONLY`)].join('\n') + '\n',
    );
    return runCli(['campaign', 'run', file, '--json', ...extra], env, dir);
  }

  it('refuses paths outside the folder (../, absolute, through a link) and non-video bytes, naming row and column; sends nothing', async () => {
    const before = sent();
    const r = await run([
      '../elsewhere/secret.mp4',
      path.join(outside, 'secret.mp4'),
      'link.mp4',
      'notes.mp4',
      '/etc/passwd',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `row 2, column video_file: ${path.join(outside, 'secret.mp4')} is outside the campaign's folder`,
    );
    expect(r.stderr).toContain(`row 3, column video_file: ${path.join(outside, 'secret.mp4')} is outside`);
    expect(r.stderr).toMatch(/row 4, column video_file: \S+link\.mp4 \(a link to \S+secret\.mp4\) is outside/);
    expect(r.stderr).toMatch(
      /row 5, column video_file: \S+notes\.mp4 is not a video TikTok accepts \(MP4, MOV or WebM\): its bytes look like text/,
    );
    expect(r.stderr).toMatch(/row 6, column video_file: \/etc\/passwd is outside/);
    expect(r.stderr).toContain('Nothing was posted.');
    expect(sent() - before).toBe(0);
    expect(sb.admin.posts(openId)).toEqual([]);
  });

  it('--media-dir lets rows use that folder; the bytes are still checked', async () => {
    const before = sent();
    const refused = await run(['link.mp4', 'notes.mp4'], ['--media-dir', outside]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).not.toContain('row 2');
    expect(refused.stderr).toContain('row 3, column video_file');
    expect(sent() - before).toBe(0);

    const ok = await run(['link.mp4', 'ok.mp4'], ['--media-dir', outside]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(sb.admin.posts(openId)).toHaveLength(2);
  });
});

describe('post --video-file', () => {
  it('sniffs the bytes: text named .mp4 is refused before anything is sent; an MP4 named .webm goes up', async () => {
    const dir = await fs.mkdtemp(path.join(root, 'post-'));
    const token = await tokenFile(dir);
    await fs.writeFile(path.join(dir, 'fake.mp4'), '#!/bin/sh\necho hi\n');
    await fs.writeFile(path.join(dir, 'real.webm'), MP4);
    const before = sent();
    const bad = await runCli(
      ['post', '--video-file', 'fake.mp4', '--privacy', 'SELF_ONLY', '--token-file', token],
      env,
      dir,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      `--video-file ${path.join(dir, 'fake.mp4')} is not a video TikTok accepts (MP4, MOV or WebM): its bytes look like text`,
    );
    expect(sent() - before).toBe(0);

    const good = await runCli(
      ['post', '--video-file', 'real.webm', '--privacy', 'SELF_ONLY', '--json', '--token-file', token],
      env,
      dir,
    );
    expect(good.code).toBe(0);
    expect(sb.admin.requests({ sinceSeq: before }).filter((r) => r.endpoint === 'upload')).toHaveLength(1);
  });
});
