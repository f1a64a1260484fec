// The app's custom IML function redactSecrets: Make's own function tests, agreement with core's
// redactText, and what a Make user sees when TikTok's reply quotes a token back.
import { redactText, VIDEO_CONTENT_TYPES, videoContentTypeForFileName } from '@tokpipe/core';
import { createHmac } from 'node:crypto';
import { component, loadApp, type LoadedApp } from '../harness/load-app';
import { CUSTOM_FUNCTION_IDS, customFunctionSource } from '../generator/functions';
import { compileFunction, runFunctionTests } from '../harness/custom-functions';
import { imlNamespace, makeEnv } from '../harness/iml/functions';
import { APP_DIR, SECRET_FILES } from '../generator/write-app';
import { lintApp } from '../validate';
import { failure, world, type World } from './helpers';

const app = loadApp(APP_DIR);
const appCode = (id: string) => String(component(app, 'function', id).code.code);
/** Make's built-ins as a custom function sees them (`iml.sha256`…). */
const iml = imlNamespace(makeEnv({ now: () => 0, uuid: () => 'uuid' }));

describe.each(CUSTOM_FUNCTION_IDS)('%s', (id) => {
  test("the app ships the generator's one hand-written source, marked generated, and its Make tests (it + assert) pass in a vm", () => {
    const { code, test } = customFunctionSource(id);
    const marked = (text: unknown) =>
      String(text).replace(/^\/\/ GENERATED from packages\/make\/generator\/functions\/[\w.]+: edit that file.*\n/, '');
    expect(marked(appCode(id))).toBe(code);
    expect(marked(component(app, 'function', id).code.test)).toBe(test);
    expect(appCode(id)).not.toBe(code);
    expect(runFunctionTests(id, appCode(id), String(component(app, 'function', id).code.test), iml)).toEqual([]);
  });

  test('a broken function fails its Make tests (the runner can fail)', () => {
    const { test } = customFunctionSource(id);
    const failures = runFunctionTests(id, `function ${id}(text) { return text; }`, test, iml);
    expect(failures.length).toBeGreaterThan(0);
  });
});

describe("redactSecrets agrees with core's redactText", () => {
  const redactSecrets = compileFunction('redactSecrets', appCode('redactSecrets'));
  const known = ['0123456789abcdef-own-token', 'cs_9f8e7d6c5b4a'];
  const texts = [
    'rejected request with act.1a2b3c4d5e6f7g8h9i0j and rft.zyxwvutsrqponm',
    'client credentials clt.abcdefghij expired',
    'header was Authorization: Bearer act.abc.def~ghi and basic Basic dXNlcjpwYXNz',
    'https://open.tiktokapis.com/cb?code=AUTHCODE123&state=s1&access_token=tok#frag',
    'form: grant_type=refresh_token&refresh_token=rft.abcdef123456&client_secret=cs_9f8e7d6c5b4a',
    '{"access_token": "act.aaaaaaaa", "token":"x\\"y", "scope": "video.publish"}',
    'token 0123456789abcdef-own-token was revoked',
    'The request is invalid (invalid_param); act.short stays? act.12345 is 5 chars',
    'Code=xyz at line start, Token=abc',
    'proxy echoed X-Api-Key: zk_live_9f8e7d6c5b4a3928\r\nCookie: s=abc, url ?api_key=zk_live_1&x=1 {"apiKey":"k1"}',
    'Authorization: rawkey123 then Authorization: Bearer act.abcdefgh; secret cs_9f8e7d6c5b4a%2B and "cs_9f8e7d6c5b4a"',
    'Token expired; token has been revoked',
    '',
  ];
  test.each(texts)('%j', (text) => {
    expect(redactSecrets(text, ...known)).toBe(redactText(text, known));
  });
  test('no text and non-strings: undefined stays undefined (ifempty still works), numbers become text', () => {
    expect(redactSecrets(undefined)).toBeUndefined();
    expect(redactSecrets(null)).toBeNull();
    expect(redactSecrets(400)).toBe('400');
  });
});

describe("videoUpload agrees with core's video content types (a custom function cannot import core)", () => {
  const videoUpload = compileFunction('videoUpload', appCode('videoUpload'));
  const noMagic = Buffer.from('plain bytes');
  const typeOf = (name: string): string | undefined => {
    try {
      return (videoUpload(noMagic, name, 1000) as { contentType: string }).contentType;
    } catch {
      return undefined;
    }
  };
  test.each(['clip.mp4', 'CLIP.MOV', 'a.m4v', 'b.qt', 'c.webm', 'd.avi', 'e.mkv', 'f.gif', 'noext', 'g.mp4.txt'])(
    '%s',
    (name) => {
      expect(typeOf(name)).toBe(videoContentTypeForFileName(name));
    },
  );
  test('every type it can answer is one TikTok takes', () => {
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypisom'), Buffer.alloc(20)]);
    const mov = Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from('ftypqt  '), Buffer.alloc(8)]);
    const webm = Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 1]);
    for (const bytes of [mp4, mov, webm])
      expect(VIDEO_CONTENT_TYPES).toContain((videoUpload(bytes, 'x', 1000) as { contentType: string }).contentType);
  });
});

describe("uploadHandle seals with HMAC-SHA256 exactly as Node's crypto computes it", () => {
  const uploadHandle = compileFunction('uploadHandle', appCode('uploadHandle'), iml);
  const hmac = (key: string, text: string) => createHmac('sha256', key).update(text).digest();
  test.each([
    ['short secret, short URL', 'secret-0123456789', 'https://u/?upload_token=t'],
    [
      'a secret longer than a SHA-256 block',
      's'.repeat(100),
      `https://open-upload.tiktokapis.com/video/?upload_id=1&upload_token=${'x'.repeat(200)}`,
    ],
  ])('%s', (_what, secret, url) => {
    const handle = String(uploadHandle('seal', url, 'v_pub_file~v2.9', 1234, secret));
    const [, head, sealed, mac] = handle.split('.') as [string, string, string, string];
    const bytes = Buffer.from(sealed, 'base64url');
    const plain = Buffer.alloc(bytes.length);
    for (let i = 0; i < bytes.length; i++)
      plain[i] = bytes[i]! ^ hmac(secret, `stream:${head}:${Math.floor(i / 32)}`)[i % 32]!;
    expect(plain.toString('utf8')).toBe(url);
    expect(mac).toBe(hmac(secret, `tag:${head}:${sealed}`).subarray(0, 16).toString('base64url'));
    expect(JSON.parse(Buffer.from(head, 'base64url').toString('utf8'))).toEqual({ p: 'v_pub_file~v2.9', s: 1234 });
  });
});

describe('what a Make user sees when TikTok quotes a token back', () => {
  let w: World;
  afterEach(async () => {
    await w?.close();
  });

  test("Post Video: DataError with TikTok's code, its message without the token; the log hides error.message", async () => {
    w = await world();
    const accessToken = String(w.conn.data.accessToken);
    const refreshToken = String(w.conn.data.refreshToken);
    w.sb.admin.script('video.init', [
      {
        kind: 'error',
        status: 400,
        code: 'invalid_param',
        message: `rejected request with Bearer ${accessToken} (refresh ${refreshToken})`,
      },
    ]);
    const err = await failure(() =>
      w.h.runModule('postVideo', w.conn, {
        videoUrl: w.media('sample.mp4'),
        privacyLevel: 'SELF_ONLY',
        waitForCompletion: false,
      }),
    );
    expect(err.type).toBe('DataError');
    expect(err.message).toContain(
      'TikTok code invalid_param: rejected request with Bearer [REDACTED] (refresh [REDACTED])',
    );
    expect(err.message).not.toContain(accessToken);
    expect(err.message).not.toContain(refreshToken);
    // TikTok did send the token back (the raw exchange), and Make's sanitized log masks it.
    const raw = JSON.stringify(w.h.rawLogs.at(-1)!.response);
    const logged = JSON.stringify(w.h.logs.at(-1)!.response);
    expect(raw).toContain(accessToken);
    expect(logged).not.toContain(accessToken);
    expect(logged).toContain('invalid_param');
  });

  test('a refresh refused with a description quoting the refresh token and client secret: the error shows neither', async () => {
    w = await world();
    const refreshToken = String(w.conn.data.refreshToken);
    w.clock.advance(24 * 3600_000 - 5 * 60_000); // inside the 15-minute refresh window
    w.sb.admin.script('oauth.token', [
      {
        kind: 'error',
        status: 400,
        code: 'invalid_grant',
        message: `refresh_token ${refreshToken} with secret ${w.clientSecret} refused`,
      },
    ]);
    const err = await failure(() => w.h.runModule('getCreatorInfo', w.conn));
    expect(err.type).toBe('InvalidAccessTokenError');
    expect(err.message).toContain(
      'TikTok OAuth error invalid_grant: refresh_token [REDACTED] with secret [REDACTED] refused',
    );
    expect(JSON.stringify(w.h.logs)).not.toContain(refreshToken);
    expect(JSON.stringify(w.h.logs)).not.toContain(w.clientSecret);
  });
});

describe('lints', () => {
  const clone = (a: LoadedApp): LoadedApp => ({
    ...a,
    components: a.components.map((c) => ({
      ...c,
      code: JSON.parse(JSON.stringify(c.code)) as Record<string, unknown>,
    })),
  });
  test("TikTok's error text shown without redactSecrets, and a function over Make's 5000 characters, are reported", () => {
    const copy = clone(app);
    const comm = component(copy, 'module', 'cancelPost').code.communication as {
      response: { error: { message: string } };
    };
    comm.response.error.message = '[{{statusCode}}] {{body.error.message}}';
    component(copy, 'function', 'redactSecrets').code.code = `${appCode('redactSecrets')}\n//${'x'.repeat(5000)}`;
    const problems = lintApp(copy, { secretFiles: SECRET_FILES }).map((p) => `${p.component}: ${p.message}`);
    expect(problems).toEqual([
      'module cancelPost: shows TikTok\'s text without redactSecrets(): "body.error.message"',
      expect.stringMatching(/^function redactSecrets: code has \d+ characters; Make allows 5000$/),
    ]);
  });
});
