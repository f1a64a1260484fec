// The one case no client can avoid, made to happen for sure: a worker is SIGKILLed while TikTok holds the
// reply to a refresh it already processed (the sandbox rotated the refresh token, then delays the answer).
// The documented behaviour (engine README, "A refresh cut off by a kill"): the restarted worker finds the
// write-ahead marker, tries the token once, TikTok refuses it (the one invalid_grant), the account needs a
// new login with that reason, its rows are kept (queued, none dead-lettered), nothing is posted twice,
// and the refused token is never sent again. The other account posts everything.
import { jobCounts, readMarker } from '../../src';
import { startRig, stopWorkers, type Rig } from './rig';

jest.setTimeout(300_000);

let rig: Rig;
afterAll(async () => rig?.close());

test('a kill inside a refresh round trip: one invalid_grant, needs re-auth with the reason, rows kept', async () => {
  rig = await startRig({
    accounts: 2,
    posts: 8,
    ttlSec: 2 * 60 * 60,
    // acct-0's token expires in 4 virtual min: its first post refreshes first (5 min ahead), so its rows are
    // still there when the refresh is cut off; acct-1's lives 2 h (no refresh in this test).
    expiresAfterMs: (i) => (i === 0 ? 4 * 60_000 : 2 * 60 * 60_000),
    faults: 'calm',
    seed: 16,
    // TikTok processes the first refresh (rotates) and holds its reply for 10 real seconds.
    prepare: (sb) => sb.admin.script('oauth.token', [{ kind: 'slow', delayMs: 10_000 }]),
    workers: 1,
  });
  const { db, sb, clock, openIds } = rig;
  const first = rig.workers[0]!;
  const killedId = await first.workerId;
  await rig.until(
    async () =>
      sb.admin.requests({ endpoint: 'oauth.token' }).some((r) => r.openId === openIds[0] && r.status === 200) &&
      (await readMarker(db, 'acct-0'))?.state === 'in_flight',
    'the refresh to be processed by TikTok, its reply held',
    120_000,
  );
  first.kill('SIGKILL');
  const restarted = rig.startWorker('worker restarted');
  await restarted.ready;
  await rig.until(
    async () => (await rig.reauth()).has('acct-0') && (await jobCounts(db)).published >= 4,
    'acct-0 marked needs re-auth and acct-1 posted',
    180_000,
  );
  // Three more sweeps: nobody sends the refused token again.
  const settledAt = clock.now();
  await rig.until(async () => clock.now() > settledAt + 3 * 60_000, 'three sweeps', 30_000);
  await stopWorkers([restarted]);

  const calls = sb.admin.requests({ endpoint: 'oauth.token' }).filter((r) => r.openId === openIds[0]);
  expect(calls.map((r) => `${r.status}/${r.errorCode}`)).toEqual(['200/null', '200/invalid_grant']);
  expect(sb.admin.requests({ endpoint: 'oauth.token' }).filter((r) => r.openId === openIds[1])).toEqual([]);

  const marker = await readMarker(db, 'acct-0');
  expect(marker).toMatchObject({ state: 'refused', cutOff: { owner: killedId } });
  const reason = (await rig.reauth()).get('acct-0')!;
  expect(reason).toContain('never stored its reply');
  expect(reason).toContain(killedId);
  expect(reason).toContain('its jobs are kept');
  expect(reason).not.toMatch(/act\.|rft\./);

  const rows = (
    await db.query<{ id: string; account: string; state: string; title: string }>(
      `SELECT id, account, state, spec->'request'->>'title' AS title FROM tokpipe.jobs ORDER BY id`,
    )
  ).rows;
  const onTikTok = sb.admin.posts().map((p) => p.title);
  for (const row of rows) {
    const copies = onTikTok.filter((t) => t === row.title).length;
    if (row.account === 'acct-1') expect([row.id, row.state, copies]).toEqual([row.id, 'published', 1]);
    // acct-0: posted once before its token ran out, or kept waiting for the new login; never dead-lettered.
    else if (row.state === 'published') expect([row.id, copies]).toEqual([row.id, 1]);
    else expect([row.id, row.state, copies]).toEqual([row.id, 'queued', 0]);
  }
  expect(rows.filter((r) => r.account === 'acct-0' && r.state === 'queued').length).toBeGreaterThan(0);
  expect((await db.query('SELECT job_id FROM tokpipe.dlq')).rows).toEqual([]);
});
