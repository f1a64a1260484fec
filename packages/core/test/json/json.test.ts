import { parseJsonLossless, tryParseJson } from '../../src/json';
import { redact, redactText, REDACTED } from '../../src/redact';

describe('parseJsonLossless', () => {
  it('keeps 19-digit post ids exact as strings', () => {
    const body = '{"data":{"status":"PUBLISH_COMPLETE","publicaly_available_post_id":[7321654987321654987, 12]}}';
    expect(tryParseJson(body)).toEqual({
      data: { status: 'PUBLISH_COMPLETE', publicaly_available_post_id: ['7321654987321654987', 12] },
    });
  });

  it('keeps safe integers, floats, negatives and exponents as numbers', () => {
    expect(tryParseJson('[9007199254740991, -9007199254740993, 1.5, -0.25e2, 0]')).toEqual([
      9007199254740991,
      '-9007199254740993',
      1.5,
      -25,
      0,
    ]);
  });

  it('decodes strings, escapes and nesting like JSON.parse', () => {
    const text = '{"a":"x\\"y\\n\\u00e9\\ud83d\\ude00","b":[true,false,null,{}],"c":{"d":[]}}';
    expect(tryParseJson(text)).toEqual(JSON.parse(text));
  });

  it('keeps a __proto__ key as data', () => {
    const value = tryParseJson('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(['', '   ', '<html>502 Bad Gateway</html>', '{"a":1', '{"a":1}x', '[1,]', '{"a" 1}', '"\\q"', 'nul', '01'])(
    'reports %j as not JSON without throwing',
    (text) => {
      const result = parseJsonLossless(text);
      expect(result.ok).toBe(false);
      expect(tryParseJson(text)).toBeUndefined();
    },
  );

  it('refuses absurd nesting instead of overflowing the stack', () => {
    expect(parseJsonLossless('['.repeat(100_000)).ok).toBe(false);
  });
});

describe('redact', () => {
  it('removes tokens, secrets and OAuth codes from objects but keeps TikTok error codes', () => {
    const value = {
      access_token: 'act.abcdef123456',
      refresh_token: 'rft.abcdef123456',
      nested: { client_secret: 's3cr3t-value', headers: { Authorization: 'Bearer act.abcdef123456' } },
      form: { grant_type: 'authorization_code', code: 'auth-code-123', redirect_uri: 'http://127.0.0.1/cb' },
      error: { code: 'access_token_invalid', message: 'The access token is invalid', log_id: 'L1' },
    };
    const out = redact(value);
    const text = JSON.stringify(out);
    for (const secret of ['act.abcdef123456', 'rft.abcdef123456', 's3cr3t-value', 'auth-code-123'])
      expect(text).not.toContain(secret);
    expect(out.error.code).toBe('access_token_invalid');
    expect(out.form.redirect_uri).toBe('http://127.0.0.1/cb');
    expect(value.access_token).toBe('act.abcdef123456'); // a copy, the input is untouched
  });

  it('removes secrets embedded in text: bearer headers, query and form params, JSON fragments', () => {
    const text = [
      'PUT https://open-upload.tiktokapis.com/video/?upload_id=123&upload_token=UPTOKEN99',
      'Authorization: Bearer act.zzzzzzzzzz',
      'client_key=ck&client_secret=SECRET1&code=CODE1&grant_type=authorization_code',
      '{"refresh_token":"rft.qqqqqqqqqq","scope":"video.publish"}',
    ].join('\n');
    const out = redactText(text);
    for (const secret of ['UPTOKEN99', 'act.zzzzzzzzzz', 'SECRET1', 'CODE1', 'rft.qqqqqqqqqq'])
      expect(out).not.toContain(secret);
    expect(out).toContain('upload_id=123');
    expect(out).toContain('client_key=ck');
    expect(out).toContain('"scope":"video.publish"');
    expect(out).toContain(REDACTED);
  });

  it('scrubs known literal secrets anywhere and survives cycles', () => {
    const cyclic: Record<string, unknown> = { note: 'secret is hunter22 here' };
    cyclic.self = cyclic;
    const out = redact(cyclic, ['hunter22']) as Record<string, unknown>;
    expect(out.note).toBe(`secret is ${REDACTED} here`);
    expect(out.self).toBe(out);
  });
});
