// Generators for hostile replies and inputs, shared by the property tests.
import fc from 'fast-check';
import { TokpipeError, type ErrorDetails } from '@tokpipe/core';

export const LAYERS = new Set(['input', 'structural', 'transport', 'application', 'async', 'oauth']);
export const DISPOSITIONS = new Set([
  'retry',
  'retry_after_refresh',
  'wait_for_quota',
  'route_to_another_account',
  'fix_input',
  'needs_human',
  'reauthorize',
  'unknown_outcome',
]);
export const CATEGORIES = new Set(['retryable', 'not_retryable', 'needs_human']);

/** Fails the property unless `d` is a complete classification a user can act on. */
export function expectClassified(d: ErrorDetails): void {
  const problems: string[] = [];
  if (!LAYERS.has(d.layer)) problems.push(`layer ${String(d.layer)}`);
  if (!DISPOSITIONS.has(d.disposition)) problems.push(`disposition ${String(d.disposition)}`);
  if (!CATEGORIES.has(d.category)) problems.push(`category ${String(d.category)}`);
  if (typeof d.retryable !== 'boolean') problems.push('retryable not boolean');
  // The code may be empty only when the server itself sent an empty one (then it is "undocumented").
  if (typeof d.code !== 'string') problems.push('no code');
  if (typeof d.action !== 'string' || d.action === '') problems.push('no action');
  if (typeof d.message !== 'string') problems.push('no message');
  if (d.retryAfterMs !== undefined && !(Number.isFinite(d.retryAfterMs) && d.retryAfterMs >= 0))
    problems.push(`retryAfterMs ${d.retryAfterMs}`);
  if (problems.length) throw new Error(`not classified: ${problems.join(', ')} in ${JSON.stringify(d).slice(0, 400)}`);
}

/** Runs `work`; a rejection must be a classified TokpipeError (anything else is a crash). */
export async function settledClassified<T>(
  work: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: TokpipeError }> {
  try {
    return { ok: true, value: await work() };
  } catch (err) {
    if (!(err instanceof TokpipeError))
      throw new Error(`crashed with ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    expectClassified(err.details);
    return { ok: false, error: err };
  }
}

const codes = fc.constantFrom(
  'ok',
  'access_token_invalid',
  'rate_limit_exceeded',
  'spam_risk_too_many_posts',
  'internal_error',
  'invalid_param',
  'scope_not_authorized',
  'url_ownership_unverified',
  'privacy_level_option_mismatch',
  'unaudited_client_can_only_post_to_private_accounts',
  'no_such_code_' + 'x',
  '',
  'OK',
  'Ok ',
);

/** Numbers JSON can carry that JavaScript cannot hold exactly, or at all. */
export const hugeNumberText = fc.oneof(
  fc.bigInt({ min: 10n ** 18n, max: 10n ** 40n }).map(String),
  fc.constantFrom(
    '1e400',
    '-1e400',
    '9007199254740993',
    '7123456789012345678',
    '0.0000000000000000000001',
    '-0',
    '1E+308',
  ),
);

const anyJsonValue = fc.oneof(
  fc.jsonValue(),
  hugeNumberText.map((n) => ({ __raw: n })),
);

/** JSON text where `{__raw: "123"}` placeholders become bare number literals (huge numbers survive). */
function render(value: unknown): string {
  return JSON.stringify(value).replace(/\{"__raw":"([^"]*)"\}/g, '$1');
}

const envelope = fc.record(
  {
    data: fc.oneof(
      fc.record(
        {
          publish_id: anyJsonValue,
          upload_url: anyJsonValue,
          status: fc.oneof(
            fc.constantFrom(
              'PROCESSING_UPLOAD',
              'PROCESSING_DOWNLOAD',
              'SEND_TO_USER_INBOX',
              'PUBLISH_COMPLETE',
              'FAILED',
              'publish_complete',
              '',
            ),
            anyJsonValue,
          ),
          fail_reason: fc.oneof(
            fc.constantFrom('internal', 'video_pull_failed', 'spam_risk_text', 'file_format_check_failed'),
            anyJsonValue,
          ),
          publicaly_available_post_id: fc.oneof(fc.array(hugeNumberText.map((n) => ({ __raw: n }))), anyJsonValue),
          uploaded_bytes: anyJsonValue,
          privacy_level_options: fc.oneof(fc.array(fc.string()), anyJsonValue),
          videos: fc.oneof(fc.array(fc.dictionary(fc.string(), anyJsonValue)), anyJsonValue),
          cursor: anyJsonValue,
          has_more: anyJsonValue,
          user: anyJsonValue,
        },
        { requiredKeys: [] },
      ),
      anyJsonValue,
    ),
    error: fc.oneof(
      fc.record(
        {
          code: fc.oneof(codes, anyJsonValue),
          message: fc.oneof(fc.string(), anyJsonValue),
          log_id: fc.oneof(fc.string(), anyJsonValue),
        },
        { requiredKeys: [] },
      ),
      anyJsonValue,
    ),
    // The flat OAuth shape and the flat global error page.
    code: fc.oneof(codes, anyJsonValue),
    message: fc.string(),
    error_description: fc.string(),
  },
  { requiredKeys: [] },
);

/** Reply bodies: HTML gateway pages, truncated or wrongly typed JSON, huge numbers, missing fields,
 * non-objects, empty, random text. `echo` is put in some bodies to check it never leaks. */
export function replyBody(echo: string): fc.Arbitrary<string> {
  const json = envelope.map(render);
  return fc.oneof(
    json,
    json.chain((text) => fc.integer({ min: 0, max: Math.max(0, text.length - 1) }).map((cut) => text.slice(0, cut))),
    fc.constantFrom(
      '<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway Time-out</h1></center></body></html>',
      '<!DOCTYPE html><html><body>Bad Gateway</body></html>',
      '',
      ' ',
      'null',
      '[]',
      '"ok"',
      '42',
      '{"error":{"code":"ok"},"data":null}',
      '{"error":null}',
      `{"error":{"code":"access_token_invalid","message":"token ${echo} is invalid","log_id":"L1"}}`,
      `{"error":"invalid_grant","error_description":"refresh ${echo} revoked","log_id":"L2"}`,
    ),
    fc.string({ maxLength: 300 }),
    fc.jsonValue().map((v) => JSON.stringify(v)),
  );
}

export const httpStatus = fc.oneof(
  fc.constant(200),
  fc.integer({ min: 100, max: 599 }),
  fc.constantFrom(201, 204, 301, 400, 401, 403, 404, 429, 500, 502, 503, 504),
);

export const replyHeaders = fc.dictionary(
  fc.constantFrom(
    'retry-after',
    'Retry-After',
    'x-ratelimit-reset',
    'X-RateLimit-Reset',
    'content-type',
    'content-range',
    'x-tt-logid',
  ),
  fc.oneof(
    fc.string(),
    hugeNumberText,
    fc.constantFrom(
      'Wed, 21 Oct 2015 07:28:00 GMT',
      'Fri, 31 Dec 9999 23:59:59 GMT',
      '120',
      '1.5',
      '-3',
      '1e400',
      '9'.repeat(400),
      `${'9'.repeat(400)}.5`,
    ),
  ),
);
