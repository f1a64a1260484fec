// The committed app: up to date with core, valid against Make's schemas, consistent across components,
// and carrying core's knowledge (error table, catalog, poll schedule) compiled in.
import { catalog, classificationTable, lookupRow, defaultPollSchedule } from '@tokpipe/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { component, loadApp, readJsonc, type LoadedApp } from '../harness/load-app';
import { evaluate } from '../harness/iml/evaluate';
import { makeEnv } from '../harness/iml/functions';
import { declaredParams } from '../validate/lints';
import { makeErrorType } from '../generator/spec/errors';
import { NOT_IN_MAKE } from '../generator/spec/params';
import { MODULE_WAIT_BUDGET_MS, pollPlan, STATUS_MIN_INTERVAL_MS } from '../generator/spec/timing';
import { APP_DIR, renderedApp, SECRET_FILES } from '../generator/write-app';
import { staleFiles } from '../validate/stale';
import { lintApp, SchemaValidator, validateApp } from '../validate';

const validator = new SchemaValidator();
const app = loadApp(APP_DIR);
const env = makeEnv({ now: () => Date.UTC(2026, 10, 25), uuid: () => 'u' });
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const read = (rel: string) => readJsonc(join(APP_DIR, rel)) as Record<string, unknown>;

describe('generated files', () => {
  test('are exactly what the generator makes from the current core (run `npm run generate -w packages/make` when this fails)', () => {
    expect(staleFiles()).toEqual([]);
  });

  test("every file validates against Make's published schemas and the cross-component lints pass", () => {
    const report = validateApp(APP_DIR, validator);
    expect(report.files).toBeGreaterThan(40);
    expect(report.schemaProblems).toEqual([]);
    expect(report.lintProblems).toEqual([]);
  });

  test('say they are generated: a header on every .iml.json and function file, GENERATED.md for the folder', () => {
    const files = [...renderedApp().keys()];
    const unmarked = files.filter(
      (f) =>
        (f.endsWith('.iml.json') || f.endsWith('.js')) &&
        !readFileSync(join(APP_DIR, f), 'utf8').startsWith('// GENERATED '),
    );
    expect(unmarked).toEqual([]);
    expect(files.filter((f) => f.endsWith('.iml.json')).length).toBeGreaterThan(40);
    expect(readFileSync(join(APP_DIR, 'GENERATED.md'), 'utf8')).toContain('packages/make/generator/');
  });

  test('the client secret never lives in the committed app', () => {
    expect(app.missing).toEqual([]);
    for (const secret of SECRET_FILES) expect(renderedApp().has(secret)).toBe(false);
    expect(readFileSync(join(APP_DIR, '.gitignore'), 'utf8')).toContain('general/common.json');
  });
});

describe('the schema validator catches what Make would reject', () => {
  const base = readFileSync(join(APP_DIR, 'general/base.iml.json'), 'utf8');
  const cases: Array<[string, string, string]> = [
    [
      'a literal UnexpectedError',
      'modules/x/x.communication.iml.json',
      JSON.stringify({ url: '/a', response: { error: { type: 'UnexpectedError', message: 'm' } } }),
    ],
    ['a POST without body', 'modules/x/x.communication.iml.json', JSON.stringify({ url: '/a', method: 'POST' })],
    [
      'a polling trigger without order',
      'modules/x/x.communication.iml.json',
      JSON.stringify({ url: '/a', response: { trigger: { type: 'date', id: '{{item.id}}', date: '{{item.d}}' } } }),
    ],
    ['a typo in a directive', 'general/base.iml.json', base.replace('"response"', '"respone"')],
    ['a trailing comma', 'general/base.iml.json', base.replace(/\}\s*$/, ',}')],
    [
      'a manifest without the endpoint components',
      'makecomapp.json',
      JSON.stringify({
        ...read('makecomapp.json'),
        components: { ...(read('makecomapp.json').components as object), endpoint: undefined },
      }),
    ],
  ];
  test.each(cases)('%s', (_what, file, text) => {
    expect(validator.validateText(file, text)).not.toEqual([]);
  });

  test('a shared webhook with uid passes (the schema gap is patched in memory)', () => {
    expect(
      validator.validateText(
        'webhooks/tiktok-events/tiktok-events.communication.iml.json',
        readFileSync(join(APP_DIR, 'webhooks/tiktok-events/tiktok-events.communication.iml.json'), 'utf8'),
      ),
    ).toEqual([]);
  });
});

describe('the lints catch what the schemas cannot', () => {
  const mutate = (fn: (a: LoadedApp) => void) => {
    const copy = clone(app);
    fn(copy);
    return lintApp(copy, { secretFiles: SECRET_FILES }).map((p) => `${p.component}: ${p.message}`);
  };
  test('an rpc:// target that does not exist', () => {
    expect(
      mutate(
        (a) =>
          ((component(a, 'module', 'postVideo').code.mappableParams as Array<Record<string, unknown>>)[1]!.options =
            'rpc://nope'),
      ).join('\n'),
    ).toContain('rpc://nope');
  });
  test('a parameter the communication uses but no parameter declares', () => {
    expect(
      mutate(
        (a) =>
          ((
            component(a, 'module', 'waitForPost').code.communication as Record<string, Record<string, string>>
          ).body!.publish_id = '{{parameters.publishID}}'),
      ).join('\n'),
    ).toContain('parameters.publishID');
  });
  test('an IML function the engine does not have, and a variable not available there', () => {
    const problems = mutate((a) => {
      (component(a, 'module', 'getPostStatus').code.communication as Record<string, unknown>).url =
        '{{nosuch(parameters.publishId)}}';
      (component(a, 'webhook', 'tiktokEvents').code.communication as Record<string, unknown>).uid = '{{statusCode}}';
    }).join('\n');
    expect(problems).toContain('nosuch()');
    expect(problems).toContain('statusCode is not available');
  });
  test('a secret sent without log.sanitize, and an instant trigger without its webhook', () => {
    const problems = mutate((a) => {
      const oauth = component(a, 'connection', 'tiktok').code.communication as Record<string, Record<string, unknown>>;
      oauth.refresh!.log = { sanitize: [] };
      component(a, 'module', 'watchPostEvents').meta.webhook = null;
    }).join('\n');
    expect(problems).toContain('request.body.client_secret');
    expect(problems).toContain('must name its webhook');
  });

  test('server mode: the API key and the subscription secret unsanitized, an undeclared parameter', () => {
    const problems = mutate((a) => {
      const attach = component(a, 'webhook', 'tokpipeServerEvents').code.attach as Record<string, unknown>;
      attach.log = { sanitize: [] };
      (attach.body as Record<string, unknown>).events = '{{parameters.eventTypes}}';
      (component(a, 'connection', 'tokpipeServer').code.communication as Record<string, unknown>).log = {};
    }).join('\n');
    expect(problems).toContain(
      'connection tokpipeServer: request 0: log.sanitize must include request.headers.Authorization',
    );
    expect(problems).toContain(
      'webhook tokpipeServerEvents: request 1: log.sanitize must include response.body.secret',
    );
    expect(problems).toContain('parameters.eventTypes');
  });
});

describe("core's knowledge compiled into the spec", () => {
  const typeIn = (file: string, scope: Record<string, unknown>) => {
    const response = (read(file) as { response: { temp: unknown } }).response;
    return (evaluate(response.temp, scope, env) as { tiktokError: { type: string; action: string; code: string } })
      .tiktokError;
  };
  const documented = classificationTable.filter((r) => r.layer === 'application' && r.documentedStatus);

  test.each(documented.map((r) => [r.code, r.documentedStatus![0]!] as const))(
    "TikTok code %s (HTTP %i) gets the Make type core's row implies",
    (code, status) => {
      const got = typeIn('general/base.iml.json', {
        statusCode: status,
        body: { data: {}, error: { code, message: 'm', log_id: 'L' } },
      });
      expect(got.type).toBe(makeErrorType(lookupRow('application', code)!));
      expect(got.code).toBe(code);
    },
  );

  test('the disposition → Make type mapping of issue 7', () => {
    const t = (code: string) => makeErrorType(lookupRow('application', code)!);
    expect(t('rate_limit_exceeded')).toBe('RateLimitError');
    expect(t('internal_error')).toBe('ConnectionError');
    expect(t('invalid_param')).toBe('DataError');
    expect(t('url_ownership_unverified')).toBe('InvalidConfigurationError');
    expect(t('scope_not_authorized')).toBe('InvalidConfigurationError');
    expect(t('access_token_invalid')).toBe('InvalidAccessTokenError');
    expect(t('spam_risk_too_many_posts')).toBe('RuntimeError'); // daily cap: the scenario stays active
    expect(t('reached_active_user_cap')).toBe('RuntimeError');
  });

  test('a gateway 5xx page is retried on a read but never on a post-creating init (unknown outcome)', () => {
    const scope = { statusCode: 502, body: '<html>Bad Gateway</html>' };
    expect(typeIn('modules/get-post-status/get-post-status.communication.iml.json', scope).type).toBe(
      'ConnectionError',
    );
    const init = (
      read('modules/post-video/post-video.communication.iml.json') as unknown as Array<{ response: { temp: unknown } }>
    )[0]!;
    const decided = (evaluate(init.response.temp, scope, env) as { tiktokError: { type: string; action: string } })
      .tiktokError;
    expect(decided.type).toBe('RuntimeError');
    expect(decided.action).toContain('may have created this post');
  });

  test('every catalog field of the post operations is offered by a module or listed as not offered, with a reason', () => {
    const offered = new Set<string>();
    for (const id of ['postVideo', 'uploadVideoDraft', 'postPhotos'])
      declaredParams(component(app, 'module', id).code.mappableParams, offered);
    const postFields = catalog.fields.filter(
      (f) => f.operations.includes('post_video') || f.operations.includes('post_photos'),
    );
    const unaccounted = postFields.filter((f) => !offered.has(f.name) && !(f.name in NOT_IN_MAKE)).map((f) => f.name);
    expect(unaccounted).toEqual([]);
    expect(offered.has('privacyLevel') && offered.has('title') && offered.has('photoUrls')).toBe(true);
  });

  test('privacy level has no default and its options come from the creator (RPC)', () => {
    const params = component(app, 'module', 'postVideo').code.mappableParams as Array<Record<string, unknown>>;
    const privacy = params.find((p) => p.name === 'privacyLevel')!;
    expect(privacy.required).toBe(true);
    expect(privacy.default).toBeUndefined();
    expect(privacy.options).toBe('rpc://listPrivacyOptions');
  });

  test("core's poll schedule becomes a repeat inside TikTok's 30/min status limit and Make's module time limit", () => {
    const repeat = pollPlan(MODULE_WAIT_BUDGET_MS);
    expect(repeat.delay).toBe(defaultPollSchedule.delaysMs[0]);
    expect(repeat.delay).toBeGreaterThanOrEqual(STATUS_MIN_INTERVAL_MS);
    expect((repeat.limit - 1) * repeat.delay).toBeLessThanOrEqual(MODULE_WAIT_BUDGET_MS);
    const wait = read('modules/wait-for-post/wait-for-post.communication.iml.json') as { repeat: unknown };
    expect(wait.repeat).toMatchObject({ delay: repeat.delay, limit: repeat.limit });
    // A schedule that polls faster than TikTok allows is slowed down to the limit.
    expect(pollPlan(MODULE_WAIT_BUDGET_MS, { delaysMs: [500], thenEveryMs: 500, budgetMs: 10_000 }).delay).toBe(
      STATUS_MIN_INTERVAL_MS,
    );
  });
});
