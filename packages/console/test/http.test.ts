// The console over plain HTTP (no browser needed): the cookie carries a random id, never the key; the
// session ends on the injected clock; scopes and account limits decide what a key sees and may do. A real
// PostingService over a Pipeline with no posts (nothing here talks to TikTok). The deliveries port is
// served by tokpipe serve; here a small in-memory source stands in for it, recording what is redelivered.
import { Ledger, MemoryStore, Pipeline, pipelineService, VirtualClock } from '@tokpipe/core';
import {
  pipelineResolve,
  startConsole,
  type DeliveriesSource,
  type DeliveryRow,
  type RunningConsole,
} from '@tokpipe/console';

const KEY = 'tpk_0123456789ab_' + 'a'.repeat(64);
const LIMITED = 'tpk_ba9876543210_' + 'b'.repeat(64);
const POSTER = 'tpk_00000000aaaa_' + 'c'.repeat(64);
const redelivered: string[] = [];
const rows: DeliveryRow[] = [
  {
    id: 'in-1',
    direction: 'in',
    at: 1_767_225_600_000,
    event: 'post.publish.complete',
    target: 'TikTok',
    state: 'ok',
    account: 'alpha',
  },
  {
    id: 'out-1',
    direction: 'out',
    at: 1_767_225_601_000,
    event: 'post.published',
    target: 'https://hooks.example/zap',
    state: 'failed',
    attempts: 5,
    httpStatus: 502,
    error: 'bad gateway',
    account: 'alpha',
  },
];
const deliveries: DeliveriesSource = {
  list: async () => rows,
  redeliver: async (id) => {
    redelivered.push(id);
    return { ...rows.find((r) => r.id === id)!, state: 'ok' };
  },
};
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
    deliveries,
    verifyApiKey: (key) =>
      key === KEY
        ? { scope: 'admin' }
        : key === LIMITED
          ? { scopes: ['read'], accounts: ['beta'] }
          : key === POSTER
            ? { scopes: ['read', 'post'] }
            : undefined,
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

const post = (path: string, cookie: string, form: Record<string, string>) =>
  fetch(`${running.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });

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
  // One document: head, then body, closed once at the end.
  const page = await res.text();
  expect(page.match(/<\/html>/g)).toHaveLength(1);
  expect(page.indexOf('</head>')).toBeLessThan(page.indexOf('<body>'));
  expect(page.trimEnd().endsWith('</html>')).toBe(true);
});

test('deliveries: events in and out with failures; only an admin key gets Redeliver, and it goes through', async () => {
  const admin = await logIn(KEY);
  const page = await (await get('deliveries', admin)).text();
  expect(page).toContain('Events in: 1');
  expect(page).toContain('Deliveries out: 1, 1 failed');
  expect(page).toContain('HTTP 502 bad gateway');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
  expect(page).toMatch(/>\s*Redeliver\s*<\/button>/);

  const poster = await logIn(POSTER);
  const posterPage = await (await get('deliveries', poster)).text();
  expect(posterPage).not.toMatch(/>\s*Redeliver\s*<\/button>/);
  const posterCsrf = /name="_csrf" value="([^"]+)"/.exec(posterPage)![1]!;
  const refused = await post('actions/redeliver', poster, { _csrf: posterCsrf, id: 'out-1' });
  expect(refused.status).toBe(403);
  expect(redelivered).toEqual([]);

  const done = await post('actions/redeliver', admin, { _csrf: csrf, id: 'out-1' });
  expect(done.status).toBe(303);
  expect(redelivered).toEqual(['out-1']);
});

test('without a resolve capability the mark-as-posted route says so (404), even for an admin', async () => {
  const admin = await logIn(KEY);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await get('accounts', admin)).text())![1]!;
  const res = await post('actions/resolve', admin, { _csrf: csrf, jobId: 'nope', posted: '1' });
  expect(res.status).toBe(404);
  expect(await res.text()).toContain('Mark as posted is not available');
});

test('mark as posted: the post id is required, read keys are refused, and core refuses what it cannot settle (400, its words)', async () => {
  const withResolve = await startConsole({
    service: pipelineService({
      pipeline,
      clock,
      posterFor: () => {
        throw new Error('no creator info in this test');
      },
    }),
    clock,
    verifyApiKey: (key) => (key === KEY ? { scope: 'post' } : key === LIMITED ? { scope: 'read' } : undefined),
    resolve: pipelineResolve(pipeline),
  });
  try {
    // A post waiting for its publish time: in the pipeline, nothing sent to TikTok.
    const { job } = await pipeline.submit({
      account: 'alpha',
      mode: 'direct',
      media: { type: 'video_url', url: 'https://media.example/clip.mp4' },
      title: 'later',
      privacyLevel: 'SELF_ONLY',
      publishAt: new Date(clock.now() + 86_400_000 * 3).toISOString(),
    });
    const base = withResolve.url;
    const origin2 = base.replace(/\/console\/$/, '');
    const login = async (key: string) => {
      const res = await fetch(`${base}login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin: origin2, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ key }),
      });
      const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
      const page = await (await fetch(`${base}accounts`, { headers: { cookie } })).text();
      return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page)![1]! };
    };
    const send = (who: { cookie: string; csrf: string }, form: Record<string, string>) =>
      fetch(`${base}actions/resolve`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: who.cookie, origin: origin2, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: who.csrf, jobId: job.id, ...form }),
      });
    const poster = await login(KEY);
    const noId = await send(poster, { posted: '1' });
    expect(noId.status).toBe(400);
    expect(await noId.text()).toContain('postId:');
    expect((await send(await login(LIMITED), { posted: '1', postId: '7311111111111111111' })).status).toBe(403);
    // A post still waiting for its time cannot be settled: core says why, the console shows it.
    const early = await send(poster, { posted: '1', postId: '7311111111111111111' });
    expect(early.status).toBe(400);
    expect(await early.text()).toContain('nothing was sent for it yet');
    expect((await send(poster, { posted: '0' })).status).toBe(400);
    expect(pipeline.getJob(job.id)!.state).toBe('deferred');
  } finally {
    await withResolve.close();
  }
});
