// Issue 14 item 5, the parts two real processes cannot show deterministically: a lock left by a dead
// process is taken over (atomically: concurrent takers never both hold it), a live holder is waited for,
// and a refresh token known to be spent is never sent again.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { VirtualClock } from '../../src/clock';
import { TokpipeError, classifyOAuthError } from '../../src/errors/classify';
import { lockPathFor, withTokenFileLock } from '../../src/node/token-lock';
import { fileTokenStore } from '../../src/node/token-store';
import { writeTokenFile } from '../../src/node/token-file';
import { TokenManager, memoryTokenStore, type OAuthTokenReply } from '../../src/tokens';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-lock-'));
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

/** The pid of a process that has exited (so it cannot hold anything). */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

async function plantLock(file: string, holder: { pid: number; at: number }): Promise<void> {
  await fs.writeFile(lockPathFor(file), JSON.stringify({ host: os.hostname(), nonce: 'old-holder', ...holder }));
}

it('takes over a lock whose holder died, and concurrent takers never hold it together', async () => {
  const file = path.join(dir, 'token.json');
  await plantLock(file, { pid: deadPid(), at: Date.now() });
  let inside = 0;
  let most = 0;
  const order: number[] = [];
  const critical = (n: number) => async () => {
    inside += 1;
    most = Math.max(most, inside);
    await new Promise((resolve) => setImmediate(resolve));
    order.push(n);
    inside -= 1;
  };
  await Promise.all(
    [1, 2, 3, 4, 5].map((n) =>
      withTokenFileLock(file, critical(n), { pollMs: 1, sleep: () => new Promise((r) => setImmediate(r)) }),
    ),
  );
  expect(most).toBe(1);
  expect(order.sort()).toEqual([1, 2, 3, 4, 5]);
  await expect(fs.stat(lockPathFor(file))).rejects.toMatchObject({ code: 'ENOENT' });
  expect((await fs.readdir(dir)).filter((f) => f.includes('.stale'))).toEqual([]);
});

it('waits for a live holder, and takes over one older than staleMs', async () => {
  const file = path.join(dir, 'token.json');
  await plantLock(file, { pid: process.pid, at: Date.now() }); // alive: this very process
  const told: number[] = [];
  let polls = 0;
  const sleep = async (): Promise<void> => {
    polls += 1;
    if (polls === 3) await fs.rm(lockPathFor(file)); // the holder finishes
  };
  await withTokenFileLock(file, async () => undefined, { sleep, onWait: (h) => told.push(h.pid) });
  expect(told).toEqual([process.pid]);
  expect(polls).toBe(3);

  await plantLock(file, { pid: process.pid, at: Date.now() - 10_000 });
  let ran = false;
  await withTokenFileLock(file, async () => void (ran = true), {
    staleMs: 5_000,
    sleep: async () => {
      throw new Error('must not wait');
    },
  });
  expect(ran).toBe(true);
});

it('gives up after maxWaitMs naming the holder', async () => {
  const file = path.join(dir, 'token.json');
  await plantLock(file, { pid: process.pid, at: Date.now() });
  await expect(
    withTokenFileLock(file, async () => undefined, { maxWaitMs: 100, pollMs: 50, sleep: async () => undefined }),
  ).rejects.toThrow(`locked by process ${process.pid}`);
});

it('re-reads the file under the lock: a token another process saved meanwhile is used, not refreshed again', async () => {
  const clock = new VirtualClock({ start: Date.now() });
  const file = path.join(dir, 'token.json');
  await writeTokenFile(file, {
    access_token: 'act.old',
    refresh_token: 'rft.old',
    expiresAt: clock.now() - 1,
    scopes: ['video.publish'],
    open_id: 'o1',
  });
  const calls: string[] = [];
  const refresh = async (rt: string): Promise<OAuthTokenReply> => {
    calls.push(rt);
    return { access_token: 'act.mine', refresh_token: 'rft.mine', expires_in: 86_400 };
  };
  const tokens = new TokenManager({ store: fileTokenStore(file), clock, refresh });
  // Another process holds the lock and saves a fresh token before letting go.
  await plantLock(file, { pid: process.pid, at: Date.now() });
  const store = fileTokenStore(file, {
    sleep: async () => {
      await writeTokenFile(file, {
        access_token: 'act.theirs',
        refresh_token: 'rft.theirs',
        expiresAt: clock.now() + 86_400_000,
        scopes: ['video.publish'],
        open_id: 'o1',
      });
      await fs.rm(lockPathFor(file));
    },
  });
  const waiting = new TokenManager({ store, clock, refresh });
  expect(await waiting.getAccessToken()).toBe('act.theirs');
  expect(calls).toEqual([]);
  expect(await tokens.getAccessToken()).toBe('act.theirs');
});

describe('a refresh token known to be spent is never sent', () => {
  const invalidGrant = () =>
    new TokpipeError(classifyOAuthError({ error: 'invalid_grant', error_description: 'Refresh token is invalid.' }));

  it('after a rotation whose new token could not be saved', async () => {
    const clock = new VirtualClock({ start: 0 });
    let failSave = true;
    const store = memoryTokenStore(
      { access_token: 'act.0', refresh_token: 'rft.0', expires_at: 0, scope: '', open_id: 'o' },
      () => {
        if (failSave) throw new Error('disk full');
      },
    );
    const calls: string[] = [];
    const refresh = async (rt: string): Promise<OAuthTokenReply> => {
      calls.push(rt);
      return { access_token: `act.${calls.length}`, refresh_token: `rft.${calls.length}`, expires_in: 86_400 };
    };
    const tokens = new TokenManager({ store, clock, refresh });
    await expect(tokens.getAccessToken()).rejects.toThrow('saving it failed');
    failSave = false;
    const again = await tokens.getAccessToken().catch((e: TokpipeError) => e);
    expect(again).toBeInstanceOf(TokpipeError);
    expect((again as TokpipeError).details.code).toBe('invalid_grant');
    expect(calls).toEqual(['rft.0']); // rft.0 was rotated away: not sent a second time
  });

  it('after invalid_grant, unless the stored token changed meanwhile', async () => {
    const clock = new VirtualClock({ start: 0 });
    const store = memoryTokenStore({
      access_token: 'act.0',
      refresh_token: 'rft.dead',
      expires_at: 0,
      scope: '',
      open_id: 'o',
    });
    const calls: string[] = [];
    const refresh = async (rt: string): Promise<OAuthTokenReply> => {
      calls.push(rt);
      if (rt === 'rft.dead') {
        // Meanwhile a process outside the lock (or a new `auth login`) stored a good one.
        if (calls.length === 1)
          await store.save({
            access_token: 'act.x',
            refresh_token: 'rft.good',
            expires_at: 0,
            scope: '',
            open_id: 'o',
          });
        throw invalidGrant();
      }
      return { access_token: 'act.new', refresh_token: 'rft.next', expires_in: 86_400 };
    };
    const tokens = new TokenManager({ store, clock, refresh });
    expect(await tokens.getAccessToken()).toBe('act.new');
    expect(calls).toEqual(['rft.dead', 'rft.good']);

    await store.save({ access_token: 'act.0', refresh_token: 'rft.dead', expires_at: 0, scope: '', open_id: 'o' });
    await expect(tokens.getAccessToken()).rejects.toMatchObject({ details: { code: 'invalid_grant' } });
    expect(calls).toEqual(['rft.dead', 'rft.good']); // known dead: refused without asking TikTok again
  });
});
