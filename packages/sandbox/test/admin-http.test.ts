import { startSandbox } from '../src';
import { PATHS, post, urlInit } from './helpers';

describe('HTTP admin API and real-time mode', () => {
  test('the /__sandbox/ operations mirror the in-process admin', async () => {
    const sb = await startSandbox({ timeScale: 1, workIntervalMs: 0 });
    try {
      const call = async (op: string, body?: unknown) => {
        const res = await fetch(`${sb.url}/__sandbox/${op}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, json: JSON.parse(await res.text()) };
      };
      const demo = (await call('demo')).json;
      expect(demo).toEqual(sb.admin.demo());
      const user = (await call('createUser', { username: 'http_user', privateAccount: true })).json;
      const tok = (await call('issueToken', { openId: user.openId, scope: 'video.publish,video.upload' })).json;
      expect(tok.scope).toBe('video.publish,video.upload');
      expect((await call('setConfig', { downloadDelayMs: 0, processingDelayMs: 0 })).json.downloadDelayMs).toBe(0);
      expect((await call('setConfig', { nope: 1 })).json).toEqual({ error: 'config.nope: unknown setting' });
      await call('script', { endpoint: 'video.init', faults: [{ kind: 'server_error', status: 500 }] });
      expect((await post(sb, PATHS.videoInit, tok.accessToken, urlInit(sb, 'SELF_ONLY'))).status).toBe(500);
      expect((await post(sb, PATHS.videoInit, tok.accessToken, urlInit(sb, 'SELF_ONLY'))).status).toBe(200);
      const reqs = (await call('requests', { endpoint: 'video.init' })).json;
      expect(reqs.map((r: { status: number; openId: string }) => [r.status, r.openId])).toEqual([
        [500, user.openId],
        [200, user.openId],
      ]);
      expect(reqs[1].body).toEqual(urlInit(sb, 'SELF_ONLY'));
      const get = await fetch(`${sb.url}/__sandbox/posts?openId=${encodeURIComponent(user.openId)}`);
      const posts = JSON.parse(await get.text());
      expect(posts).toHaveLength(1);
      expect(posts[0]).toMatchObject({ status: 'PUBLISH_COMPLETE', privacy: 'SELF_ONLY', source: 'PULL_FROM_URL' });
      expect((await call('publishDraft', { publishId: posts[0].publishId })).json.error).toMatch(
        /not SEND_TO_USER_INBOX/,
      );
      expect((await call('bogus')).status).toBe(404);
      // advance moves the sandbox's own clock: a 24 h old token expires
      const before = (await call('now')).json.now;
      await call('advance', { ms: 86_400_000 });
      expect((await call('now')).json.now - before).toBeGreaterThanOrEqual(86_400_000);
      expect((await post(sb, PATHS.creatorInfo, demo.accounts[0].accessToken)).json.error.code).toBe(
        'access_token_invalid',
      );
      await call('reset');
      expect(sb.admin.posts()).toHaveLength(0);
      expect(sb.admin.demo()).toEqual(demo); // same seed, same credentials
      expect(sb.admin.requests()).toHaveLength(0);
    } finally {
      await sb.close();
    }
  });

  test('with an injected clock, advance is refused (drive the clock instead)', async () => {
    const sb = await startSandbox({ clock: { now: () => 0 }, workIntervalMs: 0 });
    expect(() => sb.admin.advance(1)).toThrow(/injected clock/);
    await sb.close();
  });

  test('TOKPIPE_TIME_SCALE scales real time; the background worker delivers webhooks without runDueWork', async () => {
    const got: string[] = [];
    const { createServer } = await import('node:http');
    const rx = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        got.push(JSON.parse(body).event);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => rx.listen(0, '127.0.0.1', () => r()));
    const port = (rx.address() as { port: number }).port;
    process.env.TOKPIPE_TIME_SCALE = '0.0001';
    const sb = await startSandbox({ workIntervalMs: 5, config: { webhookUrl: `http://127.0.0.1:${port}/` } });
    delete process.env.TOKPIPE_TIME_SCALE;
    try {
      const token = sb.admin.demo().accounts[0].accessToken;
      const id = (await post(sb, PATHS.videoInit, token, urlInit(sb, 'SELF_ONLY'))).json.data.publish_id;
      // 8 virtual seconds of download + processing pass in under a real second at this scale
      while (!got.includes('post.publish.complete')) await new Promise((r) => setTimeout(r, 5)); // jest's timeout bounds this
      expect(got).toContain('post.publish.complete');
      expect((await post(sb, PATHS.status, token, { publish_id: id })).json.data.status).toBe('PUBLISH_COMPLETE');
    } finally {
      await sb.close();
      await new Promise<void>((r) => rx.close(() => r()));
    }
  });
});
