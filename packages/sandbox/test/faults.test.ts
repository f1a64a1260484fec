import { startSandbox } from '../src';
import { fileInit, form, PATHS, post, put, start, urlInit, type Harness } from './helpers';

describe('faults on demand', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await start({ config: { downloadDelayMs: 1_000, processingDelayMs: 1_000, moderationDelayMs: 1_000 } });
  });
  afterEach(() => h.sb.close());

  test('scripted 5xx with JSON and HTML bodies, then normal service; nothing is created by the failed calls', async () => {
    h.sb.admin.script('video.init', [
      { kind: 'server_error', status: 503, body: 'json' },
      { kind: 'server_error', status: 502, body: 'html' },
    ]);
    const a = await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb));
    expect([a.status, a.json.error.code]).toEqual([503, 'internal_error']);
    const b = await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb));
    expect(b.status).toBe(502);
    expect(b.headers.get('content-type')).toContain('text/html');
    expect(b.json).toBeNull();
    expect(h.sb.admin.posts()).toHaveLength(0);
    expect((await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb))).status).toBe(200);
    expect(h.sb.admin.requests({ endpoint: 'video.init' }).map((r) => [r.status, r.fault])).toEqual([
      [503, 'server_error'],
      [502, 'server_error'],
      [200, null],
    ]);
  });

  test('connection reset before processing creates nothing; after processing the post exists but no reply came', async () => {
    h.sb.admin.script('video.init', [{ kind: 'reset' }, { kind: 'reset', processed: true }]);
    await expect(post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb))).rejects.toThrow();
    expect(h.sb.admin.posts()).toHaveLength(0);
    await expect(post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb))).rejects.toThrow();
    expect(h.sb.admin.posts()).toHaveLength(1);
    expect(h.sb.admin.requests({ endpoint: 'video.init' }).map((r) => [r.status, r.fault])).toEqual([
      [null, 'reset'],
      [null, 'reset'],
    ]);
  });

  test('timeout: request recorded (and processed), reply never sent', async () => {
    h.sb.admin.script('video.init', [{ kind: 'timeout', processed: true }]);
    const abort = new AbortController();
    const call = fetch(h.sb.url + PATHS.videoInit, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(urlInit(h.sb)),
      signal: abort.signal,
    });
    // the client gives up once the sandbox has taken the request (no reply will ever come)
    while (h.sb.admin.requests({ endpoint: 'video.init' }).length === 0) await new Promise((r) => setTimeout(r, 2));
    abort.abort();
    await expect(call).rejects.toThrow();
    expect(h.sb.admin.posts()).toHaveLength(1);
    expect(h.sb.admin.requests({ endpoint: 'video.init' })[0]).toMatchObject({
      status: null,
      fault: 'timeout',
      openId: h.openId,
    });
  });

  test('faults on OAuth endpoints keep the flat OAuth error shape', async () => {
    const { clientKey, clientSecret, accounts } = h.sb.admin.demo();
    h.sb.admin.script('oauth.token', [
      { kind: 'server_error', status: 503 },
      { kind: 'error', status: 200, code: 'temporarily_unavailable' },
    ]);
    const fields = {
      client_key: clientKey,
      client_secret: clientSecret,
      grant_type: 'refresh_token',
      refresh_token: accounts[0].refreshToken,
    };
    const a = await form(h.sb, PATHS.token, fields);
    expect([a.status, a.json.error, a.json.log_id]).toEqual([503, 'server_error', expect.any(String)]);
    const b = await form(h.sb, PATHS.token, fields);
    expect([b.status, b.json.error]).toEqual([200, 'temporarily_unavailable']);
    // the refresh token was not consumed by the faulted calls
    expect((await form(h.sb, PATHS.token, fields)).json.access_token).toMatch(/^act\./);
  });

  test('slow reply still answers normally', async () => {
    h.sb.admin.script('creator_info', [{ kind: 'slow', delayMs: 30 }]);
    expect((await post(h.sb, PATHS.creatorInfo, h.token)).json.error.code).toBe('ok');
  });

  test('429 with optional Retry-After, arbitrary documented errors, token revoked', async () => {
    h.sb.admin.script('creator_info', [
      { kind: 'rate_limit', retryAfterSec: 7 },
      { kind: 'error', status: 200, code: 'reached_active_user_cap' },
      { kind: 'token_revoked' },
    ]);
    const limited = await post(h.sb, PATHS.creatorInfo, h.token);
    expect([limited.status, limited.json.error.code, limited.headers.get('retry-after')]).toEqual([
      429,
      'rate_limit_exceeded',
      '7',
    ]);
    const cap = await post(h.sb, PATHS.creatorInfo, h.token);
    expect([cap.status, cap.json.error.code]).toEqual([200, 'reached_active_user_cap']);
    const revoked = await post(h.sb, PATHS.creatorInfo, h.token);
    expect([revoked.status, revoked.json.error.code]).toEqual([401, 'access_token_invalid']);
    expect((await post(h.sb, PATHS.creatorInfo, h.token)).status).toBe(401);
    expect(h.sb.admin.webhooks().map((d) => [d.event, JSON.parse(JSON.parse(d.body).content)])).toEqual([
      ['authorization.removed', { reason: 1 }],
    ]);
  });

  test('async FAILED with any fail_reason; revoking during an upload fails it with auth_removed', async () => {
    h.sb.admin.script('video.init', [{ kind: 'async_fail', failReason: 'spam_risk_text' }]);
    const id = (await post(h.sb, PATHS.videoInit, h.token, urlInit(h.sb))).json.data.publish_id;
    expect((await post(h.sb, PATHS.status, h.token, { publish_id: id })).json.data.status).toBe('PROCESSING_DOWNLOAD');
    h.clock.advance(2_000);
    expect((await post(h.sb, PATHS.status, h.token, { publish_id: id })).json.data).toMatchObject({
      status: 'FAILED',
      fail_reason: 'spam_risk_text',
    });

    const file = await post(h.sb, PATHS.videoInit, h.token2, fileInit(100));
    h.sb.admin.removeAuthorization(h.openId2, 1);
    expect(h.sb.admin.posts(h.openId2)[0]).toMatchObject({ status: 'FAILED', failReason: 'auth_removed' });
    expect((await put(file.json.data.upload_url, Buffer.alloc(100), 'bytes 0-99/100')).status).toBe(201);
    expect(h.sb.admin.posts(h.openId2)[0].status).toBe('FAILED');
  });

  test('scripts are validated, naming the field', () => {
    expect(() => h.sb.admin.script('video.nope', [{ kind: 'reset' }])).toThrow(/endpoint/);
    expect(() => h.sb.admin.script('video.init', [{ kind: 'explode' } as never])).toThrow(/faults\[0\]\.kind/);
    expect(() => h.sb.admin.script('video.init', [{ kind: 'duplicate' }])).toThrow(/does not apply/);
    expect(() => h.sb.admin.script('status', [{ kind: 'error', status: 500 } as never])).toThrow(/status .* and code/);
  });

  test('profiles roll on the seed: the same seed replays the same faults, another seed differs', async () => {
    const run = async (seed: number) => {
      const sb = await startSandbox({
        seed,
        faults: 'hostile',
        clock: { now: () => Date.UTC(2026, 0, 1) },
        workIntervalMs: 0,
      });
      const token = sb.admin.demo().accounts[0].accessToken;
      const seen: Array<number | string> = [];
      for (let i = 0; i < 15; i++) {
        try {
          seen.push((await post(sb, PATHS.creatorInfo, token)).status);
        } catch {
          seen.push('reset');
        }
      }
      await sb.close();
      return seen;
    };
    const a = await run(42);
    expect(await run(42)).toEqual(a);
    expect(a.some((s) => s !== 200)).toBe(true);
    expect(await run(7)).not.toEqual(a);
  });

  test('calm profile never injects anything', async () => {
    h.sb.admin.setFaults('calm');
    for (let i = 0; i < 20; i++) expect((await post(h.sb, PATHS.creatorInfo, h.token)).status).toBe(200);
    expect(() => h.sb.admin.setFaults('angry' as never)).toThrow(/unknown profile/);
  });
});
