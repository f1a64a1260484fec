// Issue 15's proof: 3 worker processes on one PostgreSQL, 20 accounts, the sandbox's hostile fault
// profile, access tokens that live 2 simulated hours with strict rotation, one worker SIGKILLed at a
// random moment and restarted. Counted from the sandbox's own records: no duplicate, no lost row, no
// 429 of ours, exactly one refresh per expiry per account, and no invalid_grant, except in the one case
// no client can avoid (the README's "refresh cut off by a kill"): asserted as documented.
// Size: TOKPIPE_MULTI_POSTS (default 100 in `npm test`; `npm run proof` runs the 1,000).
// TOKPIPE_MULTI_KILL_AT: the fraction of rows published when the kill lands (default random, printed).
import type { ChildProcess } from 'node:child_process';
import { jobCounts, REFRESH_MARKER_PREFIX, type RefreshMarker } from '../../src';
import { startRig, stopWorkers, type Rig } from './rig';

const POSTS = Number(process.env.TOKPIPE_MULTI_POSTS ?? 100);
const ACCOUNTS = 20;
const TTL_MS = 2 * 60 * 60_000; // TikTok's current access token lifetime
const SETTLED = ['published', 'unconfirmed', 'unknown', 'dead'];
// A post refreshes 5 min ahead (core's default), the sweep 2 min ahead every minute: a refresh lands in
// the 10 minutes before its token's expiry.
const REFRESH_WINDOW_MS = 10 * 60_000;
// Accounts were connected at different times: the first tokens expire from 10 min (12 real s: the
// workers are up by then) spread over POSTS * 6 virtual s (at most 2 h), inside the run.
const SPREAD_MS = Math.min(TTL_MS, POSTS * 6_000);

jest.setTimeout(Number(process.env.TOKPIPE_MULTI_SETTLE_MS ?? 400_000) + 300_000);

let rig: Rig;
afterAll(async () => rig?.close());

test(`3 worker processes, ${ACCOUNTS} accounts, ${POSTS} posts, hostile faults, 2 h tokens rotating, one kill -9`, async () => {
  rig = await startRig({
    accounts: ACCOUNTS,
    posts: POSTS,
    ttlSec: TTL_MS / 1000,
    expiresAfterMs: (i) => 10 * 60_000 + Math.round((i / ACCOUNTS) * SPREAD_MS),
    faults: 'hostile',
    seed: 15,
    workers: 3,
  });
  const { db, sb, clock, titles, openIds } = rig;
  const started = clock.now();
  const { workers } = rig;
  const killedId = await workers[0]!.workerId;

  // The kill lands at a random moment (it may fall inside a refresh round trip, or not).
  const killAt = Number(process.env.TOKPIPE_MULTI_KILL_AT ?? (0.1 + Math.random() * 0.7).toFixed(3));
  console.log(`kill when ${Math.round(killAt * 100)}% of the rows are settled (TOKPIPE_MULTI_KILL_AT=${killAt})`);
  // Settled, not published: the hostile profile leaves about a quarter of the rows `unknown` (parked for
  // reconciliation), so "80 % published" may never come.
  const settled = async () =>
    (
      await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tokpipe.jobs WHERE state = ANY($1::text[])`, [
        SETTLED,
      ])
    ).rows[0]!.n;
  await rig.until(async () => (await settled()) >= POSTS * killAt, 'the kill moment', 600_000);
  workers[0]!.kill('SIGKILL');
  const killedAt = clock.now();
  const restarted = rig.startWorker('worker 0 restarted');
  await restarted.ready;

  // Settled, or held for an account that needs a new login (see below).
  const unsettled = async () =>
    (
      await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tokpipe.jobs WHERE NOT (state = ANY($1::text[])) AND NOT (account = ANY($2::text[]) AND state = 'queued')`,
        [SETTLED, [...(await rig.reauth()).keys()]],
      )
    ).rows[0]!.n;
  await rig.until(
    async () => (await unsettled()) === 0,
    'every row settled',
    Number(process.env.TOKPIPE_MULTI_SETTLE_MS ?? 400_000),
  );
  // A public row whose init reply was lost is found in its account's video list by the workers' sweep and
  // settled as published; only private rows (TikTok lists public videos only) stay parked for a person.
  const listedButUnknown = async () => {
    const listed = new Set(
      sb.admin
        .posts()
        .filter((p) => p.privacy === 'PUBLIC_TO_EVERYONE' && p.publicPostIds.length > 0)
        .map((p) => p.title),
    );
    const { rows } = await db.query<{ title: string }>(
      `SELECT spec->'request'->>'title' AS title FROM tokpipe.jobs WHERE state = 'unknown'`,
    );
    return rows.filter((r) => listed.has(r.title)).length;
  };
  await rig.until(async () => (await listedButUnknown()) === 0, 'listed rows found by the sweep', 300_000);
  const live: ChildProcess[] = [workers[1]!, workers[2]!, restarted];
  await stopWorkers(live);
  const ended = clock.now();

  // 0 duplicates: at most one post per row that is not FAILED (a FAILED one is re-posted by design).
  const posts = new Map<string, number>();
  for (const post of sb.admin.posts())
    if (post.status !== 'FAILED') posts.set(post.title ?? '', (posts.get(post.title ?? '') ?? 0) + 1);
  expect(titles.filter((t) => (posts.get(t) ?? 0) > 1)).toEqual([]);

  // 0 lost rows: every row is published (and on TikTok), or parked with its reason where a person sees it.
  const rows = (
    await db.query<{ id: string; account: string; state: string; title: string }>(
      `SELECT id, account, state, spec->'request'->>'title' AS title FROM tokpipe.jobs`,
    )
  ).rows;
  const reauth = await rig.reauth();
  expect(rows).toHaveLength(POSTS);
  const dlq = new Set((await db.query<{ job_id: string }>('SELECT job_id FROM tokpipe.dlq')).rows.map((r) => r.job_id));
  const reconcile = new Set(
    (await db.query<{ job_id: string }>('SELECT job_id FROM tokpipe.reconcile')).rows.map((r) => r.job_id),
  );
  for (const row of rows) {
    if (row.state === 'published') expect([row.id, posts.get(row.title)]).toEqual([row.id, 1]);
    else if (row.state === 'dead')
      expect([row.id, dlq.has(row.id), reauth.has(row.account)]).toEqual([row.id, true, false]);
    else if (row.state === 'queued') expect([row.id, reauth.has(row.account)]).toEqual([row.id, true]);
    else expect([row.id, row.state, reconcile.has(row.id)]).toEqual([row.id, row.state, true]);
  }
  const counts = await jobCounts(db);
  expect(counts.published ?? 0).toBeGreaterThan(POSTS * 0.6);

  // 0 rate_limit_exceeded that TikTok's own limits produced (the profile injects some on purpose), and no
  // call made with an expired access token (every token was refreshed before it expired).
  const requests = sb.admin.requests();
  expect(requests.filter((r) => r.errorCode === 'rate_limit_exceeded' && r.fault === null)).toEqual([]);
  expect(requests.filter((r) => r.errorCode === 'access_token_invalid' && r.fault === null)).toEqual([]);

  // invalid_grant only where the kill cut a refresh off after TikTok rotated (its reply never stored): then
  // exactly one (the restarted try, which proves it), the account needs a new login saying so, its rows wait
  // queued (kept, none dead-lettered), and its refresh token is marked refused: never sent again.
  const tokenCalls = sb.admin.requests({ endpoint: 'oauth.token' });
  const refused = tokenCalls.filter((r) => r.errorCode === 'invalid_grant');
  const markers = new Map(
    (
      await db.query<{ key: string; value: string }>('SELECT key, value FROM tokpipe.kv WHERE key LIKE $1', [
        `${REFRESH_MARKER_PREFIX}%`,
      ])
    ).rows.map((r) => [r.key.slice(REFRESH_MARKER_PREFIX.length), JSON.parse(r.value) as RefreshMarker]),
  );
  const cutOff = [...new Set(refused.map((r) => `acct-${openIds.indexOf(r.openId!)}`))];
  for (const account of cutOff) {
    const openId = openIds[Number(account.slice(5))]!;
    expect([account, refused.filter((r) => r.openId === openId).length]).toEqual([account, 1]);
    expect([account, markers.get(account)?.state, markers.get(account)?.cutOff?.owner]).toEqual([
      account,
      'refused',
      killedId,
    ]);
    expect([account, reauth.get(account)]).toEqual([account, expect.stringContaining('never stored its reply')]);
    expect([account, reauth.get(account)]).toEqual([account, expect.stringContaining(killedId)]);
    expect(rows.filter((r) => r.account === account && r.state === 'dead')).toEqual([]);
  }
  expect(cutOff.length).toBeLessThanOrEqual(rig.config.concurrency! + 1); // the killed worker's refreshes in flight
  expect([...reauth.keys()].sort()).toEqual([...cutOff].sort());

  // Exactly one refresh per expiry for every other account: each one inside its token's last 10 minutes
  // (never two for one lifetime, never after an expiry), and the last token still valid at the end.
  const refreshes = tokenCalls.filter((r) => r.status === 200 && r.errorCode === null);
  let expiries = 0;
  openIds.forEach((openId, i) => {
    const account = `acct-${i}`;
    if (cutOff.includes(account)) return;
    let expiresAt = rig.firstExpiry[i]!;
    for (const refresh of refreshes.filter((r) => r.openId === openId)) {
      // The refresh's time relative to the expiry of the token it replaced (virtual s): in (-600, 0].
      const early = Math.round((refresh.time - expiresAt) / 1000);
      expect([account, early, early > -REFRESH_WINDOW_MS / 1000 && early <= 0]).toEqual([account, early, true]);
      expiresAt = refresh.time + TTL_MS;
      expiries++;
    }
    expect([account, expiresAt > ended]).toEqual([account, true]);
  });
  expect(expiries).toBeGreaterThan(0);
  console.log(
    `multi-process: ${POSTS} posts in ${Math.round((ended - started) / 60_000)} virtual min, ${JSON.stringify(counts)}; ` +
      `killed at ${Math.round((killedAt - started) / 60_000)} min; refreshes ${refreshes.length} (one per expiry), ` +
      `invalid_grant ${refused.length} (accounts cut off mid-refresh by the kill: ${cutOff.length}), ` +
      `posts on TikTok ${sb.admin.posts().length}, duplicates 0`,
  );
});
