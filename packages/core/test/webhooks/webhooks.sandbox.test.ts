// Webhooks as the sandbox signs and delivers them: verify the real signature over the raw body,
// parse the content string, and process a duplicated delivery once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseWebhookEvent, verifyTikTokSignature, WebhookDeduper } from '../../src/webhooks';
import { startHarness, type Harness } from '../poster/harness';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  raw: Buffer;
}

let h: Harness;
let server: Server;
afterEach(async () => {
  await h?.close();
  await new Promise((r) => server?.close(r));
});

async function receiver(): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

it('verifies, parses and dedupes the events the sandbox sends for a post', async () => {
  const hook = await receiver();
  h = await startHarness({ config: { webhookUrl: hook.url } });
  h.sb.admin.script('webhook', [{ kind: 'duplicate' }]);
  const { clientSecret } = h.sb.admin.demo();

  const outcome = await h.poster.post(
    { mode: 'direct', media: { type: 'video_url', url: h.mediaUrl() }, privacyLevel: 'SELF_ONLY' },
    { wait: true },
  );
  expect(outcome.status).toBe('PUBLISH_COMPLETE');
  await h.sb.admin.runDueWork();
  expect(hook.received.length).toBeGreaterThan(1);

  const dedupe = new WebhookDeduper({ clock: h.clock });
  const processed: string[] = [];
  for (const delivery of hook.received) {
    const check = verifyTikTokSignature({
      header: delivery.headers,
      rawBody: delivery.raw,
      secret: clientSecret,
      now: h.clock.now(),
    });
    expect(check).toMatchObject({ ok: true });
    expect(
      verifyTikTokSignature({
        header: delivery.headers,
        rawBody: delivery.raw,
        secret: 'wrong-secret',
        now: h.clock.now(),
      }).ok,
    ).toBe(false);
    const event = parseWebhookEvent(delivery.raw);
    if (await dedupe.firstSighting(event.dedupeKey)) processed.push(event.event);
  }
  expect(processed).toContain('post.publish.complete');
  expect(new Set(processed).size).toBe(processed.length); // the duplicate was processed once
  expect(processed.length).toBeLessThan(hook.received.length);
  const complete = hook.received.map((d) => parseWebhookEvent(d.raw)).find((e) => e.event === 'post.publish.complete')!;
  expect(complete.content).toMatchObject({ publish_id: outcome.publishId });
  expect(complete.openId).toBe(h.openId);
});
