import type { ErrorDetails } from '@tokpipe/core';
import { exitCodeForOutcome, toJsonResult, EXIT } from '../src/outcome';

function error(over: Partial<ErrorDetails>): ErrorDetails {
  return {
    layer: 'application',
    code: 'x',
    disposition: 'retry',
    category: 'retryable',
    retryable: true,
    action: 'do it',
    message: 'm',
    attempts: 1,
    ...over,
  };
}
const ok = { publishId: 'v_pub_url~v2.1', postIds: [], attempts: 1, error: null };

describe('exit codes and the --json shape', () => {
  it.each([
    ['published', { ...ok, status: 'PUBLISH_COMPLETE' }, true, EXIT.ok],
    ['accepted without --wait', { ...ok, status: 'ACCEPTED' }, false, EXIT.ok],
    ['draft in the inbox', { ...ok, status: 'SEND_TO_USER_INBOX' }, true, EXIT.ok],
    ['unconfirmed', { ...ok, status: 'UNCONFIRMED' }, true, EXIT.unconfirmed],
    [
      'content failure',
      {
        ...ok,
        status: 'FAILED',
        error: error({ layer: 'async', failReason: 'spam_risk_text', disposition: 'needs_human', retryable: false }),
      },
      true,
      EXIT.permanent,
    ],
    [
      'privacy mismatch',
      { ...ok, publishId: null, status: 'FAILED', error: error({ disposition: 'fix_input', retryable: false }) },
      false,
      EXIT.permanent,
    ],
    [
      'invalid_grant',
      {
        ...ok,
        publishId: null,
        status: 'FAILED',
        error: error({ layer: 'oauth', disposition: 'reauthorize', retryable: false }),
      },
      false,
      EXIT.reauthorize,
    ],
    [
      'unknown outcome init',
      {
        ...ok,
        publishId: null,
        status: 'UNCONFIRMED',
        error: error({ layer: 'transport', disposition: 'unknown_outcome' }),
      },
      false,
      EXIT.unconfirmed,
    ],
    [
      'input',
      {
        ...ok,
        publishId: null,
        status: 'FAILED',
        error: error({ layer: 'input', disposition: 'fix_input', retryable: false }),
      },
      false,
      EXIT.invalidInput,
    ],
    [
      'retries exhausted',
      { ...ok, publishId: null, status: 'FAILED', error: error({ layer: 'transport', code: 'refused' }) },
      false,
      EXIT.other,
    ],
  ])('%s', (_name, outcome, waited, code) => {
    expect(exitCodeForOutcome(outcome, waited)).toBe(code);
  });

  it('has exactly the documented keys, post ids as strings', () => {
    const result = toJsonResult({
      publishId: 'p',
      status: 'FAILED',
      postIds: ['7312345678901234567'],
      attempts: 3,
      error: error({ layer: 'async', code: 'internal', failReason: 'internal', logId: 'L1', message: 'boom' }),
    });
    expect(result).toEqual({
      publishId: 'p',
      status: 'FAILED',
      postIds: ['7312345678901234567'],
      attempts: 3,
      error: {
        category: 'retryable',
        code: 'internal',
        failReason: 'internal',
        retryable: true,
        action: 'do it',
        logId: 'L1',
        message: 'boom',
      },
    });
  });
});
