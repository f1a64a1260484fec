// Issue 14 item 9: the client secret and API keys are scrubbed wherever TikTok or a proxy echoes them
// (bodies, URLs, headers, error messages), not only the access token.
import { redact, redactText, TikTokClient, TikTokOAuth, TokpipeError } from '@tokpipe/core';
import { axiosTransport } from '@tokpipe/core/node';
import { startSandbox, type Sandbox } from '@tokpipe/sandbox';
import { StepClock } from '../client/helpers';

const API_KEY = 'zk_live_9f8e7d6c5b4a39281706';

describe('text and values', () => {
  it.each([
    ['query string', `GET https://proxy.example/v2/x?api_key=${API_KEY}&a=1`],
    ['apiKey query', `https://proxy.example/?apikey=${API_KEY}`],
    ['header line', `upstream said: X-Api-Key: ${API_KEY}\r\nVia: 1.1 proxy`],
    ['json body', `{"error":{"code":"bad","apiKey":"${API_KEY}"}}`],
    ['api_key json', `{"api_key": "${API_KEY}"}`],
    ['token scheme', `Authorization: Token ${API_KEY}`],
    ['client secret header', `client-secret: ${API_KEY}`],
    ['cookie', `Cookie: session=${API_KEY}`],
    ['raw authorization value', `Authorization: ${API_KEY}`],
    ['a scheme word before the real one', `said basic Basic ${API_KEY}`],
  ])('%s', (_name, text) => {
    const out = redactText(text);
    expect(out).not.toContain(API_KEY);
    expect(out).toContain('[REDACTED]');
  });

  it('header objects as a proxy echoes them', () => {
    const out = redact({
      headers: {
        'X-Api-Key': API_KEY,
        'Proxy-Authorization': `Basic ${API_KEY}`,
        Cookie: `a=${API_KEY}`,
        Via: 'proxy',
      },
    });
    expect(JSON.stringify(out)).not.toContain(API_KEY);
    expect(out.headers.Via).toBe('proxy');
  });

  it('keeps ordinary prose and error codes visible', () => {
    for (const prose of [
      'Refresh token: is invalid (code=access_token_invalid in error.code)',
      'Token expired; token has been revoked',
    ]) {
      expect(redactText(prose)).toBe(prose);
    }
    expect(redact({ error: { code: 'spam_risk_too_many_posts', message: 'daily cap' } })).toEqual({
      error: { code: 'spam_risk_too_many_posts', message: 'daily cap' },
    });
  });
});

describe('a TikTok reply on an API endpoint that echoes the client secret', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ clock: new StepClock(), workIntervalMs: 0 });
  });
  afterAll(() => sb.close());

  it('never shows the secret, raw or URL-encoded, though only the OAuth client was told it', async () => {
    const demo = sb.admin.demo();
    const secret = `${demo.clientSecret}+/=`; // characters that URL-encoding changes
    const transport = axiosTransport();
    // The process configures its OAuth client once; the API client never sees the secret.
    new TikTokOAuth({ clientKey: demo.clientKey, clientSecret: secret, transport, baseUrl: sb.url });
    const client = new TikTokClient({ baseUrl: sb.url, transport, requestTimeoutMs: 5_000 });
    const echoed = `gateway rejected client_secret ${secret} (${encodeURIComponent(secret)}) with X-Api-Key: ${API_KEY}`;
    sb.admin.script('creator_info', [{ kind: 'error', status: 400, code: 'invalid_param', message: echoed }]);
    let caught: unknown;
    try {
      await client.creatorInfo(demo.accounts[0]!.accessToken);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TokpipeError);
    const shown = JSON.stringify({
      message: (caught as TokpipeError).message,
      details: (caught as TokpipeError).details,
    });
    expect(shown).toContain('gateway rejected'); // TikTok's words still there
    expect(shown).not.toContain(secret);
    expect(shown).not.toContain(encodeURIComponent(secret));
    expect(shown).not.toContain(demo.clientSecret);
    expect(shown).not.toContain(API_KEY);
  });
});
