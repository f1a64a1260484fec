// Shards, router, breaker and caps against the real sandbox (one VirtualClock for both). Every
// assertion counts what reached the sandbox or what the user sees (events, report, DLQ).
import { eventsOf, setup, until, videoJob, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

test('shard isolation: an account held back by its rate limit never delays another account', async () => {
  h = await setup({ accounts: [{ id: 'busy' }, { id: 'quiet' }] });
  const { pipeline, sb } = h;
  // 9 inits on one token: the 7th must wait for the per-minute window (6/min).
  await pipeline.submitMany(Array.from({ length: 9 }, () => videoJob(sb, { account: 'busy' })));
  await pipeline.submitMany(Array.from({ length: 2 }, () => videoJob(sb, { account: 'quiet' })));
  await pipeline.drain();

  const initTimes = (account: string) =>
    sb.admin
      .requests({ endpoint: 'video.init', openId: h!.openIds[account] })
      .map((r) => r.time)
      .sort((a, b) => a - b);
  const busy = initTimes('busy');
  const quiet = initTimes('quiet');
  expect(busy).toHaveLength(9);
  expect(quiet).toHaveLength(2);
  // The busy account really was held back a window...
  expect(busy[6]! - busy[0]!).toBeGreaterThanOrEqual(60_000);
  // ...and the quiet account posted before that window ended.
  expect(Math.max(...quiet)).toBeLessThan(busy[6]!);
  // No rate_limit_exceeded ever reached the sandbox, and every post exists exactly once.
  expect(sb.admin.requests().filter((r) => r.errorCode === 'rate_limit_exceeded')).toHaveLength(0);
  expect(
    h
      .posts('busy')
      .map((p) => p.title)
      .sort(),
  ).toEqual(
    pipeline
      .listJobs()
      .filter((j) => j.account === 'busy')
      .map((j) => j.spec.title)
      .sort(),
  );
  const report = Object.fromEntries(pipeline.report().map((r) => [r.account, r]));
  expect(report.busy!.published).toBe(9);
  expect(report.quiet!.published).toBe(2);
  // The limiter's hold on the 7th init is what the user sees as a rate-limit wait, on that job only.
  const waits = eventsOf(h.events, 'rate_limit_wait');
  expect(waits.length).toBeGreaterThanOrEqual(1);
  expect(waits.every((w) => w.account === 'busy' && w.code === 'limiter:video_init')).toBe(true);
  expect(report.busy!.rateLimitWaits).toBeGreaterThanOrEqual(1);
  expect(report.quiet!.rateLimitWaits).toBe(0);
});

test('shard isolation: an account that lost its authorization dead-letters its own jobs; the others and routed jobs keep posting', async () => {
  h = await setup({ accounts: [{ id: 'down' }, { id: 'up' }] });
  const { pipeline, sb } = h;
  sb.admin.removeAuthorization(h.openIds.down!);
  await pipeline.submitMany([
    videoJob(sb, { account: 'down' }),
    videoJob(sb, { account: 'down' }),
    videoJob(sb, { account: 'up' }),
    videoJob(sb),
    videoJob(sb),
  ]);
  await pipeline.drain();

  expect(h.posts('down')).toHaveLength(0);
  expect(h.posts('up')).toHaveLength(3); // its own job and both routed ones
  expect(pipeline.accounts.get('down')!.status).toBe('needs_reauth');
  const dead = await pipeline.dlq.list();
  expect(dead).toHaveLength(2);
  expect(dead.every((d) => d.account === 'down' && d.error.disposition === 'reauthorize')).toBe(true);
  // The revoked account was tried once at most per job before being marked, never in a loop.
  expect(h.inits('down')).toBeLessThanOrEqual(1);

  // Reconnected: new token saved, account reactivated, dead letters replayed: each posted once.
  const token = sb.admin.issueToken(h.openIds.down!);
  await pipeline.accounts.setToken('down', {
    access_token: token.accessToken,
    refresh_token: token.refreshToken,
    expires_at: h.clock.now() + token.expiresIn * 1000,
    scope: token.scope,
    open_id: h.openIds.down!,
  });
  await pipeline.reactivateAccount('down');
  for (const d of dead) await pipeline.dlq.replay(d.jobId);
  await pipeline.drain();
  expect(h.posts('down')).toHaveLength(2);
  expect(await pipeline.dlq.list()).toEqual([]);
});

test('router: jobs without an account go by region and remaining daily capacity; an impossible region is refused before any request', async () => {
  h = await setup({
    accounts: [
      { id: 'us-small', region: 'US', caps: { directPerDay: 2 } },
      { id: 'us-mid', region: 'US', caps: { directPerDay: 3 } },
      { id: 'eu', region: 'EU', caps: { directPerDay: 15 } },
    ],
  });
  const { pipeline, sb } = h;
  const before = sb.admin.requests().length;
  const { job: nowhere } = await pipeline.submit(videoJob(sb, { region: 'JP' }));
  await pipeline.drain();
  expect(pipeline.getJob(nowhere.id)!.state).toBe('dead');
  expect((await pipeline.dlq.show(nowhere.id))!.error.code).toBe('no_eligible_account');
  expect(sb.admin.requests().length).toBe(before);

  await pipeline.submitMany(Array.from({ length: 5 }, () => videoJob(sb, { region: 'US' })));
  await pipeline.drain();
  expect(h.posts('us-small')).toHaveLength(2);
  expect(h.posts('us-mid')).toHaveLength(3);
  expect(h.posts('eu')).toHaveLength(0);
  expect(eventsOf(h.events, 'job_published')).toHaveLength(5);
});

test('breaker: repeated transient failures open it, new jobs go to another account, a probe after the cooldown closes it', async () => {
  h = await setup({
    accounts: [{ id: 'flaky' }, { id: 'steady' }],
    pipeline: { maxRetries: 5, breaker: { failureThreshold: 3, cooldownMs: 10 * 60_000 } },
  });
  const { pipeline, sb } = h;
  sb.admin.script('video.init', [
    { kind: 'server_error', status: 500, body: 'json' },
    { kind: 'server_error', status: 500, body: 'json' },
    { kind: 'server_error', status: 500, body: 'json' },
  ]);
  const routed: string[] = [];
  pipeline.on((e) => {
    // The moment the breaker opens, more work arrives without an account.
    if (e.type === 'breaker' && e.state === 'open' && routed.length === 0) {
      for (let i = 0; i < 3; i++) routed.push('pending');
      void pipeline
        .submitMany([videoJob(sb), videoJob(sb), videoJob(sb)])
        .then((rs) => rs.forEach((r, i) => (routed[i] = r.job.id)));
    }
  });
  const { job: pinned } = await pipeline.submit(videoJob(sb, { account: 'flaky' }));
  await until(() => routed.length === 3 && !routed.includes('pending'), 'routed jobs');
  await pipeline.drain();

  const breaker = eventsOf(h.events, 'breaker')
    .filter((e) => e.account === 'flaky')
    .map((e) => e.state);
  expect(breaker).toEqual(['open', 'closed']);
  // Every routed job went to the healthy account.
  expect(routed.map((id) => pipeline.getJob(id)!.account)).toEqual(['steady', 'steady', 'steady']);
  expect(h.posts('steady')).toHaveLength(3);
  // The pinned job: 3 failed inits, then the half-open probe that succeeded, after the cooldown.
  const flakyInits = sb.admin.requests({ endpoint: 'video.init', openId: h.openIds.flaky });
  expect(flakyInits.map((r) => r.fault)).toEqual(['server_error', 'server_error', 'server_error', null]);
  expect(h.inits('steady')).toBe(3);
  expect(h.posts('flaky')).toHaveLength(1);
  const job = pipeline.getJob(pinned.id)!;
  expect(job.state).toBe('published');
  expect(job.retries).toBe(3);
  const probeAt = flakyInits[3]!.time;
  const openedAt = eventsOf(h.events, 'breaker')[0]!.at;
  expect(probeAt - openedAt).toBeGreaterThanOrEqual(10 * 60_000);
});

test('breaker: content failures do not trip it and the account keeps taking routed jobs', async () => {
  h = await setup({ accounts: [{ id: 'a' }], pipeline: { breaker: { failureThreshold: 2 } } });
  const { pipeline, sb } = h;
  sb.admin.script(
    'video.init',
    Array.from({ length: 4 }, () => ({ kind: 'error' as const, status: 403, code: 'url_ownership_unverified' })),
  );
  await pipeline.submitMany(Array.from({ length: 4 }, () => videoJob(sb, { account: 'a' })));
  await pipeline.drain();
  expect((await pipeline.dlq.list()).map((d) => d.error.code)).toEqual(Array(4).fill('url_ownership_unverified'));
  expect(eventsOf(h.events, 'breaker')).toHaveLength(0);
  expect(pipeline.health()[0]!.breaker).toBe('closed');

  const { job } = await pipeline.submit(videoJob(sb));
  await pipeline.drain();
  expect(pipeline.getJob(job.id)!.state).toBe('published');
  expect(h.inits('a')).toBe(5);
  expect(h.posts('a')).toHaveLength(1);
});

test('caps: our daily count stops posting before TikTok refuses; the rest wait for the 24 h window', async () => {
  h = await setup({ accounts: [{ id: 'a', caps: { directPerDay: 2 } }] });
  const { pipeline, sb } = h;
  await pipeline.submitMany(Array.from({ length: 4 }, () => videoJob(sb, { account: 'a' })));
  await pipeline.drain();
  expect(h.inits('a')).toBe(2);
  const deferred = eventsOf(h.events, 'job_deferred');
  expect(deferred).toHaveLength(2);
  const firstAccepted = Math.min(...eventsOf(h.events, 'job_accepted').map((e) => e.at));
  expect(deferred[0]!.until).toBe(firstAccepted + 24 * 60 * 60_000);
  expect(
    pipeline
      .listJobs()
      .map((j) => j.state)
      .sort(),
  ).toEqual(['deferred', 'deferred', 'published', 'published']);
  expect(pipeline.health()[0]!.remaining.direct).toBe(0);
});

test('caps: when TikTok refuses first (cap shared with other apps), the account is blocked and routed work moves on', async () => {
  h = await setup({ accounts: [{ id: 'a' }, { id: 'b' }], sandbox: { directPostDailyCap: 2 } });
  const { pipeline, sb } = h;
  // Routed work arrives the moment the third pinned post is deferred (before the virtual clock can
  // jump to the end of the 24 h block).
  let routed: Promise<{ job: { id: string } }> | undefined;
  pipeline.on((e) => {
    if (e.type === 'job_deferred' && !routed) routed = pipeline.submit(videoJob(sb));
  });
  await pipeline.submitMany(Array.from({ length: 3 }, () => videoJob(sb, { account: 'a' })));
  await until(() => routed !== undefined, 'the deferral');
  const { job } = await routed!;
  await pipeline.drain();
  // The third post is refused by creator_info's pre-flight (HTTP 200 + spam_risk_too_many_posts), before any init.
  expect(h.inits('a')).toBe(2);
  expect(sb.admin.requests({ endpoint: 'creator_info', openId: h.openIds.a }).map((r) => r.errorCode)).toEqual([
    null,
    null,
    'spam_risk_too_many_posts',
  ]);
  expect(eventsOf(h.events, 'job_deferred')).toHaveLength(1);
  expect(pipeline.getJob(job.id)!.account).toBe('b');
  expect(pipeline.getJob(job.id)!.state).toBe('published');
  expect(
    sb.admin
      .requests({ openId: h.openIds.a })
      .filter((r) => r.endpoint === 'creator_info' || r.endpoint === 'video.init'),
  ).toHaveLength(5); // nothing more was sent to the capped account
  expect(pipeline.health().find((a) => a.account === 'a')!.remaining.direct).toBe(0);
});

test('retries wait in their own queue: a new submission on the same account goes first', async () => {
  h = await setup({ accounts: [{ id: 'a' }], pipeline: { retryBaseDelayMs: 30_000 } });
  const { pipeline, sb } = h;
  sb.admin.script('video.init', [{ kind: 'server_error', status: 500, body: 'json' }]);
  const first = videoJob(sb, { account: 'a' });
  const second = videoJob(sb, { account: 'a' });
  // The second post arrives while the first waits for its retry (the clock jumps as soon as all is idle,
  // so submit from the event itself).
  let submittedSecond: Promise<unknown> | undefined;
  pipeline.on((e) => {
    if (e.type === 'retry_scheduled' && !submittedSecond) submittedSecond = pipeline.submit(second);
  });
  const { job } = await pipeline.submit(first);
  await until(() => submittedSecond !== undefined, 'first failure');
  await submittedSecond;
  await pipeline.drain();

  const inits = sb.admin.requests({ endpoint: 'video.init', openId: h.openIds.a }).map((r) => ({
    title: (r.body as { post_info: { title: string } }).post_info.title,
    time: r.time,
    fault: r.fault,
  }));
  expect(inits.map((i) => [i.title, i.fault])).toEqual([
    [first.title, 'server_error'],
    [second.title, null],
    [first.title, null],
  ]);
  expect(inits[2]!.time - inits[0]!.time).toBeGreaterThanOrEqual(15_000); // full jitter: 0.5 × 30 s
  expect(eventsOf(h.events, 'retry_scheduled')).toEqual([
    expect.objectContaining({ jobId: job.id, code: 'internal_error', delayMs: 15_000, reason: 'retry' }),
  ]);
  expect(pipeline.report()[0]).toMatchObject({ published: 2, retries: 1 });
});

test('caps: a routed job refused by every account for their caps waits for the window instead of failing', async () => {
  h = await setup({ accounts: [{ id: 'a' }, { id: 'b' }], sandbox: { directPostDailyCap: 1 } });
  const { pipeline, sb } = h;
  const jobs = await pipeline.submitMany([videoJob(sb), videoJob(sb), videoJob(sb)]);
  await pipeline.drain(); // a campaign run ends here: the third job is parked, not failed
  const third = pipeline.getJob(jobs[2]!.job.id)!;
  expect(pipeline.listJobs().map((j) => j.state)).toEqual(['published', 'published', 'deferred']);
  await until(() => third.state === 'published', 'the window to pass');
  expect(await pipeline.dlq.list()).toEqual([]);
  // Refused by both (creator_info pre-flight), then posted once a 24 h window had passed.
  const refusals = sb.admin
    .requests({ endpoint: 'creator_info' })
    .filter((r) => r.errorCode === 'spam_risk_too_many_posts');
  expect(refusals.map((r) => r.openId).sort()).toEqual([h.openIds.a, h.openIds.b].sort());
  expect(third.acceptedAt! - third.submittedAt).toBeGreaterThanOrEqual(24 * 60 * 60_000);
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(3);
});

test('publishAt in the future: the job is parked and posted at that time, not before', async () => {
  h = await setup({ accounts: [{ id: 'a' }] });
  const { pipeline, sb, clock } = h;
  const at = new Date(clock.now() + 3 * 60 * 60_000).toISOString();
  const { job } = await pipeline.submit(videoJob(sb, { account: 'a', publishAt: at }));
  await pipeline.drain();
  expect(pipeline.getJob(job.id)!.state).toBe('deferred');
  expect(eventsOf(h.events, 'job_scheduled')).toEqual([
    expect.objectContaining({ jobId: job.id, until: Date.parse(at) }),
  ]);
  await until(() => pipeline.getJob(job.id)!.state === 'published', 'the publish time');
  const [init] = sb.admin.requests({ endpoint: 'video.init' });
  expect(init!.time).toBeGreaterThanOrEqual(Date.parse(at));
  expect(sb.admin.requests({ endpoint: 'video.init' })).toHaveLength(1);
});

test('router: more routed jobs than the accounts can take right now wait their turn, then park at the cap', async () => {
  // Regression: a router with every account's queue full must wait for a shard, not spin.
  h = await setup({
    accounts: [
      { id: 'a', caps: { directPerDay: 3 } },
      { id: 'b', caps: { directPerDay: 3 } },
    ],
    pipeline: { breaker: { failureThreshold: 1, cooldownMs: 60_000 } },
  });
  const { pipeline, sb } = h;
  await pipeline.submitMany(Array.from({ length: 8 }, () => videoJob(sb)));
  await pipeline.drain();
  expect(
    pipeline
      .listJobs()
      .map((j) => j.state)
      .sort(),
  ).toEqual([...Array(2).fill('deferred'), ...Array(6).fill('published')]);
  expect(h.posts('a')).toHaveLength(3);
  expect(h.posts('b')).toHaveLength(3);
});

test('caps: an account with a cap of 0 for a mode never takes it (routed elsewhere, pinned dead-lettered); bad options are refused by name', async () => {
  h = await setup({ accounts: [{ id: 'drafts-only', caps: { directPerDay: 0 } }, { id: 'b' }] });
  const { pipeline, sb } = h;
  const [pinned, routed] = await pipeline.submitMany([videoJob(sb, { account: 'drafts-only' }), videoJob(sb)]);
  await pipeline.drain();
  expect(pipeline.getJob(pinned!.job.id)!.state).toBe('dead');
  expect((await pipeline.dlq.show(pinned!.job.id))!.error.message).toMatch(/cap of 0/);
  expect(pipeline.getJob(routed!.job.id)).toMatchObject({ state: 'published', account: 'b' });
  expect(sb.admin.requests({ openId: h.openIds['drafts-only'] })).toHaveLength(0);
  await expect(h.reopen(h.store, { reconcile: { everyMs: 0 } })).rejects.toThrow(
    'pipeline option reconcile.everyMs must be a positive number, got 0',
  );
});
