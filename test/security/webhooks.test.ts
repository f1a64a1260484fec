// Webhook verification, as an attacker and as TikTok: one table of deliveries run against core's
// verifyTikTokSignature and against the receivers users actually run (the CLI's `webhooks listen`
// over HTTP, the n8n TikTok Trigger's handler). Forged ones are refused, genuine ones accepted,
// and a refused delivery never reaches the user's workflow or output.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { signWebhookPayload, verifyTikTokSignature, VirtualClock } from '@tokpipe/core';
import { handleWebhook } from '../../packages/n8n/nodes/TikTokTrigger/handlers';
import { startWebhookListener, type LiveCli } from '../cli/helpers';

const SECRET = 'whsec-proofs-0123456789';
const body = JSON.stringify({
  client_key: 'ck',
  event: 'post.publish.complete',
  create_time: 1764100000,
  user_openid: 'open-1',
  content: '{"publish_id":"v_pub_url~v2.77","publish_type":"DIRECT_PUBLISH"}',
});

function sig(t: number, payload: string, secret = SECRET): string {
  return `t=${t},s=${createHmac('sha256', secret).update(`${t}.${payload}`).digest('hex')}`;
}

interface Case {
  name: string;
  /** The headers sent with a delivery of `signed` at `now` (seconds). */
  headers: (now: number, signed: string) => Record<string, string>;
  /** What is actually sent, when it differs from what was signed. */
  tamper?: (signed: string) => string;
  accept: boolean;
}

const cases: Case[] = [
  { name: 'genuine', headers: (n, b) => ({ 'TikTok-Signature': sig(n, b) }), accept: true },
  { name: 'header name lower-case', headers: (n, b) => ({ 'tiktok-signature': sig(n, b) }), accept: true },
  { name: 'header name upper-case', headers: (n, b) => ({ 'TIKTOK-SIGNATURE': sig(n, b) }), accept: true },
  { name: 'header name odd casing', headers: (n, b) => ({ 'tIkToK-sIgNaTuRe': sig(n, b) }), accept: true },
  {
    name: 'upper-case hex signature',
    headers: (n, b) => ({ 'TikTok-Signature': sig(n, b).replace(/s=(\w+)/, (_, h: string) => `s=${h.toUpperCase()}`) }),
    accept: true,
  },
  {
    name: '299 s old (inside the 300 s window)',
    headers: (n, b) => ({ 'TikTok-Signature': sig(n - 299, b) }),
    accept: true,
  },
  {
    name: 'wrong secret',
    headers: (n, b) => ({ 'TikTok-Signature': sig(n, b, 'someone-elses-secret') }),
    accept: false,
  },
  { name: 'empty secret', headers: (n, b) => ({ 'TikTok-Signature': sig(n, b, '') }), accept: false },
  {
    name: 'tampered body (other user)',
    headers: (n, b) => ({ 'TikTok-Signature': sig(n, b) }),
    tamper: (b) => b.replace('open-1', 'open-2'),
    accept: false,
  },
  {
    name: 'tampered body (re-serialised JSON)',
    headers: (n, b) => ({ 'TikTok-Signature': sig(n, b) }),
    tamper: (b) => JSON.stringify(JSON.parse(b), null, 1),
    accept: false,
  },
  {
    name: 'tampered body (trailing newline)',
    headers: (n, b) => ({ 'TikTok-Signature': sig(n, b) }),
    tamper: (b) => `${b}\n`,
    accept: false,
  },
  { name: 'stale timestamp (1 h old)', headers: (n, b) => ({ 'TikTok-Signature': sig(n - 3600, b) }), accept: false },
  { name: 'stale timestamp (301 s old)', headers: (n, b) => ({ 'TikTok-Signature': sig(n - 301, b) }), accept: false },
  { name: 'future timestamp (+1 h)', headers: (n, b) => ({ 'TikTok-Signature': sig(n + 3600, b) }), accept: false },
  {
    name: 'timestamp swapped after signing',
    headers: (n, b) => ({ 'TikTok-Signature': sig(n - 10, b).replace(/t=\d+/, `t=${n}`) }),
    accept: false,
  },
  { name: 'missing header', headers: () => ({}), accept: false },
  { name: 'empty header', headers: () => ({ 'TikTok-Signature': '' }), accept: false },
  { name: 'only t=', headers: (n) => ({ 'TikTok-Signature': `t=${n}` }), accept: false },
  { name: 'only s=', headers: (n, b) => ({ 'TikTok-Signature': sig(n, b).split(',')[1]! }), accept: false },
  {
    name: 'non-numeric t',
    headers: (n, b) => ({ 'TikTok-Signature': sig(n, b).replace(/t=\d+/, 't=now') }),
    accept: false,
  },
  { name: 'truncated signature', headers: (n, b) => ({ 'TikTok-Signature': sig(n, b).slice(0, -1) }), accept: false },
  {
    name: 'non-hex signature',
    headers: (n, b) => ({ 'TikTok-Signature': sig(n, b).replace(/s=\w/, 's=z') }),
    accept: false,
  },
  { name: 'garbage', headers: () => ({ 'TikTok-Signature': 'sha256=deadbeef' }), accept: false },
  { name: 'signature in another header', headers: (n, b) => ({ 'X-TikTok-Signature': sig(n, b) }), accept: false },
];

describe('core verifyTikTokSignature', () => {
  const nowMs = Date.UTC(2026, 10, 25, 12);
  const nowSec = Math.floor(nowMs / 1000);
  test.each(cases)('$name → accepted: $accept', ({ headers, tamper, accept }) => {
    const check = verifyTikTokSignature({
      header: headers(nowSec, body),
      rawBody: Buffer.from(tamper ? tamper(body) : body),
      secret: SECRET,
      now: nowMs,
    });
    expect(check.ok).toBe(accept);
    if (!check.ok) expect(check.reason).not.toContain(SECRET);
  });

  test('no secret configured: even a delivery signed with an empty secret is refused', () => {
    expect(verifyTikTokSignature({ header: sig(nowSec, body, ''), rawBody: body, secret: '', now: nowMs }).ok).toBe(
      false,
    );
    expect(verifyTikTokSignature({ header: sig(nowSec, body), rawBody: body, secret: '', now: nowMs }).ok).toBe(false);
  });

  test('property: any change to the body, the timestamp or the secret is refused; the genuine one is accepted', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 400 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.string({ minLength: 1 }),
        (bytes, at, flip, otherSecret) => {
          const header = signWebhookPayload(SECRET, nowSec, bytes);
          expect(verifyTikTokSignature({ header, rawBody: bytes, secret: SECRET, now: nowMs }).ok).toBe(true);
          const tampered = Uint8Array.from(bytes);
          tampered[at % bytes.length] ^= flip;
          expect(verifyTikTokSignature({ header, rawBody: tampered, secret: SECRET, now: nowMs }).ok).toBe(false);
          if (otherSecret !== SECRET)
            expect(verifyTikTokSignature({ header, rawBody: bytes, secret: otherSecret, now: nowMs }).ok).toBe(false);
          expect(
            verifyTikTokSignature({
              header: header.replace(`t=${nowSec}`, `t=${nowSec + 1}`),
              rawBody: bytes,
              secret: SECRET,
              now: nowMs,
            }).ok,
          ).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

type WebhookContext = Parameters<typeof handleWebhook>[0];
type Item = Record<string, unknown>;

describe('the n8n TikTok Trigger', () => {
  const clock = new VirtualClock({ start: Date.UTC(2026, 10, 25, 12) });
  const nowSec = Math.floor(clock.now() / 1000);

  let workflows = 0;
  async function deliver(c: Case, secret = SECRET): Promise<{ status: number; items: Item[] }> {
    let status = 0;
    const ctx = {
      // n8n lower-cases incoming header names, as Node's HTTP server does.
      getRequestObject: () => ({
        headers: Object.fromEntries(Object.entries(c.headers(nowSec, body)).map(([k, v]) => [k.toLowerCase(), v])),
        rawBody: Buffer.from(c.tamper ? c.tamper(body) : body),
      }),
      getResponseObject: () => ({ status: (code: number) => ((status = code), { json: () => undefined }) }),
      getCredentials: async () => ({ clientSecret: secret }),
      getNodeParameter: (name: string, fallback?: unknown) =>
        (({ mode: 'webhook', events: [], toleranceSeconds: 300 }) as Item)[name] ?? fallback,
      getWorkflowStaticData: () => ({}),
      // A workflow of its own per case: the trigger remembers deliveries per workflow and node.
      getWorkflow: () => ({ id: `security-${++workflows}` }),
      getNode: () => ({ id: 'trigger', name: 'TikTok Trigger' }),
    } as unknown as WebhookContext;
    const result = await handleWebhook(ctx, clock);
    const items: Item[] = result.workflowData?.[0]?.map((i) => i.json as Item) ?? [];
    return { status: result.workflowData ? 200 : status, items };
  }

  test.each(cases)('$name → workflow started: $accept', async (c) => {
    const { status, items } = await deliver(c);
    expect(status).toBe(c.accept ? 200 : 401);
    expect(items).toHaveLength(c.accept ? 1 : 0);
    if (c.accept) expect(items[0]).toMatchObject({ event: 'post.publish.complete', publish_id: 'v_pub_url~v2.77' });
  });
});

describe('the CLI: tokpipe webhooks listen', () => {
  let cli: LiveCli;
  let url: string;
  beforeAll(async () => {
    ({ cli, url } = await startWebhookListener(SECRET));
  });
  afterAll(async () => {
    cli.child.kill('SIGTERM');
    await cli.exited;
  });

  test('every forged delivery gets 401 and prints nothing; the genuine one is printed once', async () => {
    const statuses: Record<string, number> = {};
    for (const c of cases) {
      // A fresh body per case so the listener's redelivery filter cannot hide an acceptance.
      const signed = body.replace('v2.77', `v2.77-${c.name.replace(/\W+/g, '-')}`);
      const headers = c.headers(Math.floor(Date.now() / 1000), signed);
      const sent = c.tamper ? c.tamper(signed) : signed;
      statuses[c.name] = (
        await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: sent })
      ).status;
    }
    expect(statuses).toEqual(Object.fromEntries(cases.map((c) => [c.name, c.accept ? 200 : 401])));
    const accepted = cases.filter((c) => c.accept).length;
    await cli.waitFor(new RegExp(`(?:[^\\n]*\\n){${accepted}}`), 'stdout');
    const printed = cli.stdout().trim().split('\n');
    expect(printed).toHaveLength(accepted);
    expect(cli.stdout()).not.toContain(SECRET);
    expect(cli.stderr()).not.toContain(SECRET);
  });
});
