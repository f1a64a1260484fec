import { TransportError, type HttpResponse } from '../../src/ports';
import {
  classificationTable,
  classifyFailReason,
  classifyOAuthError,
  classifyResponse,
  classifyTransportError,
  inputError,
  isDocumentedCode,
  isInitEndpoint,
  outcomeDetails,
  outcomeRows,
  structuralError,
  TokpipeError,
  type Endpoint,
} from '../../src/errors';

const envelope = (code: string, message = '', logId = '202401010101ABCDEF') =>
  JSON.stringify({ data: {}, error: { code, message, log_id: logId } });
const reply = (status: number, body: string, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers,
  body,
});

// Every documented error.code (reference §1-§2) with the HTTP status TikTok documents and what the user must do.
const applicationCases: Array<[code: string, status: number, disposition: string, retryable: boolean]> = [
  ['invalid_param', 400, 'fix_input', false],
  ['invalid_params', 400, 'fix_input', false],
  ['invalid_file_upload', 400, 'fix_input', false],
  ['app_version_check_failed', 400, 'needs_human', false],
  ['invalid_publish_id', 400, 'fix_input', false],
  ['token_not_authorized_for_specified_publish_id', 400, 'fix_input', false],
  ['publish_not_cancellable', 400, 'fix_input', false],
  ['scope_permission_missed', 400, 'reauthorize', false],
  ['spam_risk_too_many_posts', 403, 'route_to_another_account', false],
  ['spam_risk_user_banned_from_posting', 403, 'needs_human', false],
  ['reached_active_user_cap', 403, 'wait_for_quota', false],
  ['spam_risk_too_many_pending_share', 403, 'route_to_another_account', false],
  ['unaudited_client_can_only_post_to_private_accounts', 403, 'needs_human', false],
  ['url_ownership_unverified', 403, 'needs_human', false],
  ['privacy_level_option_mismatch', 403, 'fix_input', false],
  ['access_token_invalid', 401, 'retry_after_refresh', true],
  ['scope_not_authorized', 401, 'reauthorize', false],
  ['rate_limit_exceeded', 429, 'wait_for_quota', true],
  ['internal_error', 500, 'retry', true],
];

describe('application error codes', () => {
  it.each(applicationCases)('%s (HTTP %i) → %s', (code, status, disposition, retryable) => {
    const details = classifyResponse(reply(status, envelope(code, 'Some message', 'LOG123')), {
      endpoint: 'video_init',
    })!;
    expect(details).toMatchObject({
      layer: 'application',
      code,
      disposition,
      retryable,
      httpStatus: status,
      logId: 'LOG123',
      attempts: 1,
    });
    expect(isDocumentedCode('application', code)).toBe(true);
    expect(details.action.length).toBeGreaterThan(10);
    expect(details.message).toContain(code);
    expect(details.message).not.toContain('{');
  });

  it.each(['spam_risk_too_many_posts', 'spam_risk_user_banned_from_posting', 'reached_active_user_cap'])(
    'creator_info cap %s arriving with HTTP 200 is still a failure',
    (code) => {
      const details = classifyResponse(reply(200, envelope(code)), { endpoint: 'creator_info' });
      expect(details).toMatchObject({ layer: 'application', code, httpStatus: 200 });
      expect(details!.retryable).toBe(false);
    },
  );

  it('reads url_ownership_unverified even with HTTP 200', () => {
    expect(classifyResponse(reply(200, envelope('url_ownership_unverified')), { endpoint: 'video_init' })?.code).toBe(
      'url_ownership_unverified',
    );
  });

  it('treats error.code "ok" with 2xx as success, and data {} on errors as fine', () => {
    expect(
      classifyResponse(
        reply(200, JSON.stringify({ data: { publish_id: 'p' }, error: { code: 'ok', message: '', log_id: 'x' } })),
      ),
    ).toBeUndefined();
    expect(
      classifyResponse(reply(200, '{"error":{"code":"ok","message":"","log_id":"x"}}'), { endpoint: 'cancel' }),
    ).toBeUndefined();
  });

  it('accepts the flat error shape of the global error page and the logid spelling', () => {
    const details = classifyResponse(reply(401, '{"code":"access_token_invalid","message":"expired","logid":"L9"}'))!;
    expect(details).toMatchObject({ code: 'access_token_invalid', disposition: 'retry_after_refresh', logId: 'L9' });
  });

  it('uses the rate-limit window when no header says otherwise, and honours Retry-After', () => {
    expect(classifyResponse(reply(429, envelope('rate_limit_exceeded')))?.retryAfterMs).toBe(60_000);
    expect(classifyResponse(reply(429, envelope('rate_limit_exceeded'), { 'retry-after': '7' }))?.retryAfterMs).toBe(
      7_000,
    );
  });

  it('judges undocumented codes by HTTP status, and an undocumented 5xx on init as unknown outcome', () => {
    const cases: Array<[number, Endpoint, string]> = [
      [401, 'status_fetch', 'retry_after_refresh'],
      [429, 'status_fetch', 'wait_for_quota'],
      [503, 'status_fetch', 'retry'],
      [503, 'video_init', 'unknown_outcome'],
      [400, 'video_init', 'needs_human'],
    ];
    for (const [status, endpoint, disposition] of cases) {
      const details = classifyResponse(reply(status, envelope('brand_new_code')), { endpoint })!;
      expect([status, endpoint, details.code, details.disposition]).toEqual([
        status,
        endpoint,
        'brand_new_code',
        disposition,
      ]);
    }
  });

  it('never shows secrets from a reply in the message or raw', () => {
    const body = JSON.stringify({
      data: { access_token: 'act.leakedtoken1' },
      error: { code: 'invalid_param', message: 'bad refresh_token=rft.leaked2', log_id: 'L' },
    });
    const details = classifyResponse(reply(400, body))!;
    const shown = JSON.stringify(details);
    expect(shown).not.toContain('act.leakedtoken1');
    expect(shown).not.toContain('rft.leaked2');
  });
});

describe('transport failures', () => {
  const kinds = ['dns', 'refused', 'tls'] as const;
  it.each(kinds)('%s is retried (the request never reached TikTok)', (kind) => {
    const details = classifyTransportError(new TransportError(kind, `${kind} failure`, false), {
      endpoint: 'video_init',
    });
    expect(details).toMatchObject({ layer: 'transport', code: kind, disposition: 'retry', retryable: true });
  });

  it.each(['reset', 'timeout', 'aborted', 'other'] as const)(
    '%s: retry before sending; unknown outcome after sending an init; retry after sending anything else',
    (kind) => {
      const before = classifyTransportError(new TransportError(kind, 'x', false), { endpoint: 'video_init' });
      const initAfter = classifyTransportError(new TransportError(kind, 'x', true), { endpoint: 'inbox_video_init' });
      const statusAfter = classifyTransportError(new TransportError(kind, 'x', true), { endpoint: 'status_fetch' });
      expect([before.disposition, initAfter.disposition, statusAfter.disposition]).toEqual([
        'retry',
        'unknown_outcome',
        'retry',
      ]);
      expect(initAfter.retryable).toBe(false);
    },
  );

  it('treats a non-TransportError thrown by a transport as possibly sent', () => {
    expect(classifyTransportError(new Error('boom'), { endpoint: 'content_init' }).disposition).toBe('unknown_outcome');
  });

  const html = (status: number) =>
    reply(status, `<html><head><title>${status}</title></head><body>Bad Gateway</body></html>`, {
      'content-type': 'text/html',
    });
  it.each([502, 503, 504])('HTML %i page: retry, or unknown outcome on an init', (status) => {
    expect(classifyResponse(html(status), { endpoint: 'status_fetch' })).toMatchObject({
      layer: 'transport',
      code: 'gateway_error',
      disposition: 'retry',
      httpStatus: status,
    });
    expect(classifyResponse(html(status), { endpoint: 'video_init' })).toMatchObject({
      code: 'gateway_error',
      disposition: 'unknown_outcome',
    });
  });

  it('empty 200 body: retry, or unknown outcome on an init (the publish_id is lost)', () => {
    expect(classifyResponse(reply(200, ''), { endpoint: 'status_fetch' })).toMatchObject({
      code: 'empty_body',
      disposition: 'retry',
    });
    expect(classifyResponse(reply(200, ''), { endpoint: 'content_init' })).toMatchObject({
      code: 'empty_body',
      disposition: 'unknown_outcome',
    });
  });

  it('non-JSON 200 body: retry, or unknown outcome on an init', () => {
    expect(classifyResponse(reply(200, 'OK'), { endpoint: 'creator_info' })).toMatchObject({
      code: 'non_json',
      disposition: 'retry',
      raw: 'OK',
    });
    expect(classifyResponse(reply(200, 'OK'), { endpoint: 'video_init' })).toMatchObject({
      code: 'non_json',
      disposition: 'unknown_outcome',
    });
  });

  it('a non-JSON 404 (wrong base URL or proxy) needs a human; a bare 429 waits for the window', () => {
    expect(classifyResponse(reply(404, '<h1>Not Found</h1>'), { endpoint: 'video_init' })).toMatchObject({
      code: 'non_json',
      disposition: 'needs_human',
    });
    expect(classifyResponse(reply(429, ''), { endpoint: 'video_init' })).toMatchObject({
      code: 'rate_limited',
      disposition: 'wait_for_quota',
      retryAfterMs: 60_000,
    });
  });
});

describe('async fail_reason', () => {
  const cases: Array<[string, string, boolean]> = [
    ['file_format_check_failed', 'fix_input', false],
    ['duration_check_failed', 'fix_input', false],
    ['frame_rate_check_failed', 'fix_input', false],
    ['picture_size_check_failed', 'fix_input', false],
    ['internal', 'retry', true],
    ['video_pull_failed', 'retry', true],
    ['photo_pull_failed', 'retry', true],
    ['publish_cancelled', 'needs_human', false],
    ['auth_removed', 'reauthorize', false],
    ['spam_risk_too_many_posts', 'route_to_another_account', false],
    ['spam_risk_user_banned_from_posting', 'needs_human', false],
    ['spam_risk_text', 'fix_input', false],
    ['spam_risk', 'needs_human', false],
  ];
  it.each(cases)('%s → %s (retryable %s)', (reason, disposition, retryable) => {
    const details = classifyFailReason(reason, { publishId: 'v_pub_url~v2.1', logId: 'L' });
    expect(details).toMatchObject({
      layer: 'async',
      code: reason,
      failReason: reason,
      disposition,
      retryable,
      logId: 'L',
    });
    expect(details.message).toContain('v_pub_url~v2.1');
    expect(isDocumentedCode('async', reason)).toBe(true);
  });

  it('an undocumented fail_reason is not retried and keeps its name', () => {
    expect(classifyFailReason('video_too_long')).toMatchObject({
      failReason: 'video_too_long',
      retryable: false,
      category: 'needs_human',
    });
  });
});

describe('OAuth errors', () => {
  const cases: Array<[string, string, boolean]> = [
    ['access_denied', 'reauthorize', false],
    ['invalid_client', 'needs_human', false],
    ['invalid_grant', 'reauthorize', false],
    ['invalid_request', 'needs_human', false],
    ['invalid_scope', 'needs_human', false],
    ['unauthorized_client', 'needs_human', false],
    ['unsupported_grant_type', 'needs_human', false],
    ['unsupported_response_type', 'needs_human', false],
    ['server_error', 'retry', true],
    ['temporarily_unavailable', 'retry', true],
  ];
  it.each(cases)('%s → %s', (error, disposition, retryable) => {
    const fromObject = classifyOAuthError({ error, error_description: 'desc', log_id: 'L' }, { httpStatus: 400 });
    expect(fromObject).toMatchObject({ layer: 'oauth', code: error, disposition, retryable, logId: 'L' });
    // The flat shape is an error even with HTTP 200.
    const fromReply = classifyResponse(reply(200, JSON.stringify({ error, error_description: 'desc' })), {
      endpoint: 'oauth_token',
    });
    expect(fromReply).toMatchObject({ layer: 'oauth', code: error, disposition, httpStatus: 200 });
  });
});

describe('structural and input refusals', () => {
  it.each(['sound_by_url', 'sound_by_id', 'location', 'effects', 'overlays'])(
    '%s is refused with an explanation',
    (code) => {
      const error = structuralError(code, 'unsupported.x');
      expect(error).toBeInstanceOf(TokpipeError);
      expect(error.details).toMatchObject({ layer: 'structural', code, retryable: false, field: 'unsupported.x' });
      expect(error.message).toMatch(/cannot/);
    },
  );

  it('input errors name the field', () => {
    const error = inputError('post_info.title', 'is 2201 characters long; TikTok allows at most 2200');
    expect(error.details).toMatchObject({ layer: 'input', field: 'post_info.title', disposition: 'fix_input' });
    expect(error.message).toMatch(/^post_info\.title: is 2201/);
  });
});

describe('the table', () => {
  it('gives every row a category consistent with retryable and a one-line action', () => {
    for (const row of classificationTable) {
      expect(row.action).not.toContain('\n');
      if (row.retryable) expect(row.category).toBe('retryable');
      if (row.category === 'retryable') expect(row.retryable).toBe(true);
    }
  });

  it('marks exactly the three init endpoints as init', () => {
    const all: Endpoint[] = [
      'creator_info',
      'video_init',
      'inbox_video_init',
      'content_init',
      'status_fetch',
      'cancel',
      'user_info',
      'video_list',
      'upload',
      'oauth_token',
      'oauth_revoke',
    ];
    expect(all.filter(isInitEndpoint)).toEqual(['video_init', 'inbox_video_init', 'content_init']);
  });
});

describe("tokpipe's own outcome states", () => {
  it.each(['unconfirmed', 'interrupted_init'] as const)(
    '%s is a table row: unknown outcome, not retryable, never a TikTok fail_reason',
    (code) => {
      const row = outcomeRows.find((r) => r.code === code)!;
      expect(row).toMatchObject({
        layer: 'async',
        code,
        disposition: 'unknown_outcome',
        category: 'needs_human',
        retryable: false,
      });
      expect(row.failReason).toBeUndefined();
      // Kept out of the TikTok table, so adapters enumerating fail_reasons never see it.
      expect(classificationTable.some((r) => r.code === code)).toBe(false);
      expect(isDocumentedCode('async', code)).toBe(false);
      const details = outcomeDetails(code, 'Post p1 had no answer.', 2);
      expect(details).toMatchObject({ code, disposition: 'unknown_outcome', attempts: 2, action: row.action });
      expect(details.failReason).toBeUndefined();
      expect(details.message).toBe(`Post p1 had no answer. ${row.action}`);
    },
  );
});
