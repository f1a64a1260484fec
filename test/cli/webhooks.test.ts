// `tokpipe webhooks listen`: signed deliveries are printed once as JSON lines, bad signatures get 401.
import { createHmac } from 'node:crypto';
import { cliEnv, parseJsonLines, startCli, startWebhookListener, type LiveCli } from './helpers';

const SECRET = 'whsec-test-secret';
let cli: LiveCli;
let url: string;

beforeAll(async () => {
  ({ cli, url } = await startWebhookListener(SECRET));
});
afterAll(async () => {
  cli.child.kill('SIGTERM');
  const { code } = await cli.exited;
  expect(code).toBe(0);
});

function sign(body: string, t = Math.floor(Date.now() / 1000), secret = SECRET): string {
  return `t=${t},s=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

const body = JSON.stringify({
  client_key: 'ck',
  event: 'post.publish.publicly_available',
  create_time: 1764100000,
  user_openid: 'open-1',
  content: '{"publish_id":"v_pub_url~v2.1","post_id":7312345678901234567,"publish_type":"DIRECT_PUBLISH"}',
});

async function deliver(payload: string, signature?: string): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== undefined) headers['TikTok-Signature'] = signature;
  return (await fetch(url, { method: 'POST', headers, body: payload })).status;
}

it('answers 401 to missing, wrong-secret, tampered and stale signatures, printing nothing', async () => {
  expect(await deliver(body)).toBe(401);
  expect(await deliver(body, sign(body, undefined, 'someone-else'))).toBe(401);
  expect(await deliver(body.replace('open-1', 'open-2'), sign(body))).toBe(401);
  expect(await deliver(body, sign(body, Math.floor(Date.now() / 1000) - 3600))).toBe(401);
  expect(cli.stdout()).toBe('');
});

it('prints one JSON line per verified event, keeps the 19-digit post id exact, and drops redeliveries', async () => {
  expect(await deliver(body, sign(body))).toBe(200);
  expect(await deliver(body, sign(body))).toBe(200); // TikTok redelivers: acknowledged, not printed again
  const other = body.replace('post.publish.publicly_available', 'post.publish.no_longer_publicaly_available');
  expect(await deliver(other, sign(other))).toBe(200);
  await cli.waitFor(/no_longer[^\n]*\n/, 'stdout');
  const lines = parseJsonLines(cli.stdout()) as Array<Record<string, any>>;
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatchObject({
    event: 'post.publish.publicly_available',
    openId: 'open-1',
    content: { publish_id: 'v_pub_url~v2.1', post_id: '7312345678901234567' },
  });
  expect(lines[1]).toMatchObject({
    event: 'post.publish.no_longer_publicly_available',
    rawEvent: 'post.publish.no_longer_publicaly_available',
  });
});

describe('deliveries from the sandbox (its own clock and signing)', () => {
  it('verifies, acknowledges and prints what the sandbox sends', async () => {
    const { startSandbox } = await import('@tokpipe/sandbox');
    const sb = await startSandbox({ timeScale: 0.001 });
    const demo = sb.admin.demo();
    const listener = startCli(
      ['webhooks', 'listen', '--port', '0', '--json'],
      cliEnv({ TIKTOK_CLIENT_SECRET: demo.clientSecret }),
    );
    try {
      const where = (await listener.waitFor(/listening for TikTok webhooks on (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!;
      sb.admin.setConfig({ webhookUrl: where });
      sb.admin.removeAuthorization(demo.accounts[0]!.openId, 1);
      await sb.admin.runDueWork();
      await listener.waitFor(/authorization\.removed[^\n]*\n/, 'stdout');
      const [line] = parseJsonLines(listener.stdout()) as Array<Record<string, any>>;
      expect(line).toMatchObject({
        event: 'authorization.removed',
        openId: demo.accounts[0]!.openId,
        clientKey: demo.clientKey,
        content: { reason: 1 },
      });
      expect(sb.admin.webhooks().map((d) => d.attempts.map((a) => a.status))).toEqual([[200]]);
    } finally {
      listener.child.kill('SIGTERM');
      await listener.exited;
      await sb.close();
    }
  });
});
