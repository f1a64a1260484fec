import { VirtualClock } from '../../src/clock';
import { TokpipeError, classifyOAuthError } from '../../src/errors/classify';
import { MemoryStore } from '../../src/memory-store';
import {
  TokenManager,
  checkPostScopes,
  kvTokenStore,
  memoryTokenStore,
  type OAuthTokenReply,
  type TokenRecord,
} from '../../src/tokens';

const HOUR = 3_600_000;

/** TikTok's refresh grant with strict rotation: each refresh token works once. */
function rotatingAuthServer(lifetimeSec: number) {
  let generation = 0;
  let valid = 'rft.0';
  const calls: string[] = [];
  const refresh = async (refreshToken: string): Promise<OAuthTokenReply> => {
    calls.push(refreshToken);
    await Promise.resolve();
    if (refreshToken !== valid)
      throw new TokpipeError(
        classifyOAuthError({ error: 'invalid_grant', error_description: 'Refresh token is invalid or expired.' }),
      );
    generation++;
    valid = `rft.${generation}`;
    return {
      access_token: `act.${generation}`,
      refresh_token: valid,
      expires_in: lifetimeSec,
      refresh_expires_in: 15_552_000,
      scope: 'video.publish,video.upload',
      open_id: 'open-1',
    };
  };
  return { refresh, calls };
}

function record(clock: VirtualClock, expiresInMs: number): TokenRecord {
  return {
    access_token: 'act.0',
    refresh_token: 'rft.0',
    expires_at: clock.now() + expiresInMs,
    scope: 'video.publish,user.info.basic',
    open_id: 'open-1',
  };
}

describe('TokenManager', () => {
  it.each([
    ['24 h', 86_400],
    ['2 h', 7_200],
  ])('refreshes ahead of expiry with %s tokens, and not before', async (_name, lifetimeSec) => {
    const clock = new VirtualClock({ start: 0 });
    const server = rotatingAuthServer(lifetimeSec);
    const store = memoryTokenStore(record(clock, 10 * 60_000));
    const tokens = new TokenManager({ store, clock, refresh: server.refresh, refreshAheadMs: 5 * 60_000 });

    expect(await tokens.getAccessToken()).toBe('act.0');
    await clock.advance(5 * 60_000 + 1);
    expect(await tokens.getAccessToken()).toBe('act.1');
    expect(store.current()).toMatchObject({ refresh_token: 'rft.1', expires_at: clock.now() + lifetimeSec * 1000 });

    await clock.advance(lifetimeSec * 1000 - 6 * 60_000);
    expect(await tokens.getAccessToken()).toBe('act.1');
    await clock.advance(2 * 60_000);
    expect(await tokens.getAccessToken()).toBe('act.2');
    expect(server.calls).toEqual(['rft.0', 'rft.1']);
  });

  it('runs one refresh for many concurrent callers', async () => {
    const clock = new VirtualClock({ start: 0 });
    const server = rotatingAuthServer(7_200);
    const tokens = new TokenManager({ store: memoryTokenStore(record(clock, 0)), clock, refresh: server.refresh });
    const got = await Promise.all(Array.from({ length: 20 }, () => tokens.getAccessToken()));
    expect(new Set(got)).toEqual(new Set(['act.1']));
    expect(server.calls).toEqual(['rft.0']);
  });

  it('managers over the same account storage share one refresh (rotation would kill a second one)', async () => {
    const clock = new VirtualClock({ start: 0 });
    const server = rotatingAuthServer(7_200);
    const kv = new MemoryStore();
    await kvTokenStore(kv, 'acct-1').save(record(clock, 0));
    const managers = [1, 2, 3].map(
      () => new TokenManager({ store: kvTokenStore(kv, 'acct-1'), clock, refresh: server.refresh }),
    );
    const got = await Promise.all(managers.flatMap((m) => [m.getAccessToken(), m.getAccessToken()]));
    expect(new Set(got)).toEqual(new Set(['act.1']));
    expect(server.calls).toEqual(['rft.0']);
    expect(await managers[2]!.getAccessToken()).toBe('act.1');
    expect(server.calls).toHaveLength(1);
  });

  it('saves the rotated refresh token before handing out the new access token', async () => {
    const clock = new VirtualClock({ start: 0 });
    const server = rotatingAuthServer(7_200);
    const events: string[] = [];
    const store = memoryTokenStore(record(clock, 0), (saved) => {
      events.push(`saved ${saved.refresh_token}`);
    });
    const tokens = new TokenManager({ store, clock, refresh: server.refresh });
    const token = await tokens.getAccessToken();
    events.push(`got ${token}`);
    expect(events).toEqual(['saved rft.1', 'got act.1']);
  });

  it('never uses the new access token when saving fails', async () => {
    const clock = new VirtualClock({ start: 0 });
    const server = rotatingAuthServer(7_200);
    const store = memoryTokenStore(record(clock, 0), () => {
      throw new Error('disk full');
    });
    const tokens = new TokenManager({ store, clock, refresh: server.refresh });
    await expect(tokens.getAccessToken()).rejects.toThrow('disk full');
  });

  it('invalid_grant means the user must re-authorize', async () => {
    const clock = new VirtualClock({ start: 0 });
    const server = rotatingAuthServer(7_200);
    const tokens = new TokenManager({
      store: memoryTokenStore({ ...record(clock, 0), refresh_token: 'rft.stale' }),
      clock,
      refresh: server.refresh,
    });
    const error = await tokens.getAccessToken().catch((e: TokpipeError) => e);
    expect(error).toBeInstanceOf(TokpipeError);
    expect((error as TokpipeError).details).toMatchObject({
      code: 'invalid_grant',
      disposition: 'reauthorize',
      retryable: false,
    });
  });

  it('a missing token record is a re-authorize error, not a crash', async () => {
    const tokens = new TokenManager({
      store: memoryTokenStore(),
      clock: new VirtualClock(),
      refresh: rotatingAuthServer(1).refresh,
    });
    await expect(tokens.getAccessToken()).rejects.toMatchObject({ details: { disposition: 'reauthorize' } });
  });

  it('onUnauthorized refreshes once, and trusts a token refreshed a moment ago', async () => {
    const clock = new VirtualClock({ start: 0 });
    const server = rotatingAuthServer(7_200);
    const tokens = new TokenManager({ store: memoryTokenStore(record(clock, HOUR)), clock, refresh: server.refresh });
    expect(await tokens.onUnauthorized()).toBe('act.1');
    expect(await tokens.onUnauthorized()).toBe('act.1');
    expect(server.calls).toHaveLength(1);
    await clock.advance(60_000);
    expect(await tokens.onUnauthorized()).toBe('act.2');
  });

  it('exposes scopes and open_id', async () => {
    const clock = new VirtualClock();
    const tokens = new TokenManager({
      store: memoryTokenStore(record(clock, HOUR)),
      clock,
      refresh: rotatingAuthServer(1).refresh,
    });
    expect(await tokens.scopes()).toEqual(['video.publish', 'user.info.basic']);
    expect(await tokens.openId()).toBe('open-1');
  });
});

describe('checkPostScopes', () => {
  it('needs video.publish for direct posts and video.upload for drafts', () => {
    expect(() => checkPostScopes('direct', ['video.publish'])).not.toThrow();
    expect(() => checkPostScopes('draft', ['video.upload'])).not.toThrow();
    expect(() => checkPostScopes('direct', ['video.upload'])).toThrow(/video.publish/);
    expect(() => checkPostScopes('draft', ['video.publish', 'user.info.basic'])).toThrow(/video.upload/);
    expect(() => checkPostScopes('draft', undefined)).not.toThrow();
    expect(() => checkPostScopes('draft', [])).not.toThrow(); // unknown: TikTok decides
    let thrown: unknown;
    try {
      checkPostScopes('direct', ['user.info.basic']);
    } catch (e) {
      thrown = e;
    }
    expect((thrown as TokpipeError).details).toMatchObject({
      code: 'missing_scope',
      disposition: 'reauthorize',
      field: 'scope',
    });
  });
});
