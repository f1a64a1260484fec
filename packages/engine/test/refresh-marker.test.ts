// The write-ahead refresh marker on PostgreSQL, two "processes" (each its own pools, so core's in-process
// memory of spent tokens is not shared): a refresh cut off after TikTok rotated is told apart by the next
// holder, which tries once and reports the cut-off; a refused token is never sent again by anyone; a
// refresh that completes leaves no marker.
import { createTokenManager, TransportError, type Transport } from '@tokpipe/core';
import { axiosTransport } from '@tokpipe/core/node';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import { migrate, openPostgres, readMarker, sqlTokenStore, type Db } from '../src';
import { createPostgresDatabase, type TestDatabase } from './databases';

let database: TestDatabase;
let sb: Sandbox;
const pools: Db[] = [];

beforeAll(async () => {
  database = await createPostgresDatabase();
  const db = openPostgres(database.url);
  pools.push(db);
  await migrate(db);
  sb = await startSandbox({ config: { strictRefreshRotation: true } });
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  await sb.close();
  await database.drop();
});

/** One process's view: its pool, its journal, its token manager for `account` over `transport`. */
function processOn(account: string, owner: string, transport: Transport = axiosTransport()) {
  const db = openPostgres(database.url, { max: 3 });
  const journal = openPostgres(database.url, { max: 1 });
  pools.push(db, journal);
  const demo = sb.admin.demo();
  const manager = createTokenManager({
    store: sqlTokenStore(db, account, { journal, owner }),
    clock: { now: () => Date.now(), sleep: async () => undefined },
    transport,
    clientKey: demo.clientKey,
    clientSecret: demo.clientSecret,
    baseUrl: sb.url,
  });
  return { db, manager };
}

async function seed(account: string): Promise<string> {
  const user = sb.admin.createUser();
  const issued = sb.admin.issueToken(user.openId);
  await sqlTokenStore(pools[0]!, account).save({
    access_token: issued.accessToken,
    refresh_token: issued.refreshToken,
    expires_at: Date.now() - 1_000,
    scope: issued.scope,
    open_id: user.openId,
  });
  return user.openId;
}

const tokenCalls = (openId: string) =>
  sb.admin
    .requests({ endpoint: 'oauth.token' })
    .filter((r) => r.openId === openId)
    .map((r) => r.errorCode ?? 'ok');

test('a completed refresh leaves no marker', async () => {
  const openId = await seed('done');
  const a = processOn('done', 'worker-a');
  await a.manager.refreshOnce(true);
  expect(tokenCalls(openId)).toEqual(['ok']);
  expect(await readMarker(pools[0]!, 'done')).toBeUndefined();
});

test('cut off after TikTok rotated: the next process tries once, reports the cut-off; nobody sends it again', async () => {
  const openId = await seed('cut');
  // Process A: TikTok gets (and rotates on) the first request, then every reply is lost (A "dies" mid-round trip).
  const real = axiosTransport();
  let sent = 0;
  const losing: Transport = async (request) => {
    if (sent++ === 0) await real(request);
    throw new TransportError('reset', 'socket hang up', true);
  };
  const a = processOn('cut', 'worker-a', losing);
  await expect(a.manager.refreshOnce(true)).rejects.toMatchObject({ details: { layer: 'transport' } });
  expect(await readMarker(pools[0]!, 'cut')).toMatchObject({ state: 'in_flight', owner: 'worker-a' });

  // Process B: finds A's marker for the token it holds, tries it once: refused, with the reason.
  const b = processOn('cut', 'worker-b');
  const refused = await b.manager.refreshOnce(true).catch((e: unknown) => e);
  expect(refused).toMatchObject({ details: { code: 'invalid_grant', disposition: 'reauthorize' } });
  expect((refused as Error).message).toContain('started by worker worker-a');
  expect((refused as Error).message).toContain('never stored its reply');
  expect(tokenCalls(openId)).toEqual(['ok', 'invalid_grant']);
  expect(await readMarker(pools[0]!, 'cut')).toMatchObject({ state: 'refused', cutOff: { owner: 'worker-a' } });

  // Process C: the refused token is not sent again; same reason.
  const c = processOn('cut', 'worker-c');
  await expect(c.manager.refreshOnce(true)).rejects.toThrow('never stored its reply');
  expect(tokenCalls(openId)).toEqual(['ok', 'invalid_grant']);
});

test('cut off before TikTok got it: the next process tries once and the account goes on', async () => {
  const openId = await seed('early');
  const never: Transport = async () => {
    throw new TransportError('reset', 'socket hang up', false);
  };
  const a = processOn('early', 'worker-a', never);
  await expect(a.manager.refreshOnce(true)).rejects.toMatchObject({ details: { layer: 'transport' } });
  expect(await readMarker(pools[0]!, 'early')).toMatchObject({ state: 'in_flight' });
  const b = processOn('early', 'worker-b');
  await b.manager.refreshOnce(true);
  expect(tokenCalls(openId)).toEqual(['ok']);
  expect(await readMarker(pools[0]!, 'early')).toBeUndefined();
});
