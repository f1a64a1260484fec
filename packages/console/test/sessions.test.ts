// Sessions over HTTP (no browser needed): the cookie carries a random id, never the key; the session
// ends on the injected clock; scopes and account limits decide what a key sees. A real PostingService
// over a Pipeline with no posts (nothing here talks to TikTok).
import { Ledger, MemoryStore, Pipeline, pipelineService, VirtualClock } from '@tokpipe/core';
import { startConsole, type RunningConsole } from '@tokpipe/console';

const KEY = 'tpk_0123456789ab_' + 'a'.repeat(64);
const LIMITED = 'tpk_ba9876543210_' + 'b'.repeat(64);
let clock: VirtualClock;
let pipeline: Pipeline;
let running: RunningConsole;
let origin: string;

beforeAll(async () => {
  clock = new VirtualClock();
  const store = new MemoryStore();
  pipeline = await Pipeline.open({
    store,
    clock,
    ledger: new Ledger(store, clock),
    posterFor: () => {
      throw new Error('no post is made in this test');
    },
  });
  for (const id of ['alpha', 'beta'])
    await pipeline.accounts.add({
      id,
      token: {
        access_token: `at-${id}-secret-value`,
        refresh_token: `rt-${id}-secret-value`,
        expires_at: clock.now() + 86_400_000,
        scope: 'video.publish',
        open_id: id,
      },
    });
  const service = pipelineService({
    pipeline,
    clock,
    posterFor: () => {
      throw new Error('no creator info in this test');
    },
  });
  running = await startConsole({
    service,
    clock,
    sessionTtlMs: 3_600_000,
    verifyApiKey: (key) =>
      key === KEY ? { scope: 'admin' } : key === LIMITED ? { scopes: ['read'], accounts: ['beta'] } : undefined,
  });
  origin = running.url.replace(/\/console\/$/, '');
});

afterAll(async () => {
  await running.close();
  pipeline.stop();
});

async function logIn(key: string): Promise<string> {
  const res = await fetch(`${running.url}login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key }),
  });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie')!;
  expect(cookie).toMatch(/^tokpipe_console=[\w-]{43}; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=3600$/);
  expect(cookie).not.toContain(key.slice(17, 33));
  return cookie.split(';')[0]!;
}

const get = (path: string, cookie: string) =>
  fetch(`${running.url}${path}`, { headers: { cookie }, redirect: 'manual' });

test('a session ends when its time on the clock is up', async () => {
  const cookie = await logIn(KEY);
  expect((await get('accounts', cookie)).status).toBe(200);
  await clock.advance(3_600_000);
  const res = await get('accounts', cookie);
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/console/login');
});

test('a login from another origin is refused; a key limited to some accounts sees only those', async () => {
  const cross = await fetch(`${running.url}login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key: KEY }),
  });
  expect(cross.status).toBe(403);
  const page = await (await get('accounts', await logIn(LIMITED))).text();
  expect(page).toContain('beta');
  expect(page).not.toContain('alpha');
  expect(page).not.toContain('secret-value');
});

test('every page carries a strict content security policy and is never cached', async () => {
  const res = await get('accounts', await logIn(KEY));
  expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(res.headers.get('cache-control')).toBe('no-store');
});
