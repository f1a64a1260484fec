// RFC 9457 problem details (application/problem+json). Every refusal the server makes goes through
// here, carrying core's error class (category), TikTok's code and log_id when there is one. Pure.
import { redact, redactText, type ErrorDetails } from '@tokpipe/core';

export const PROBLEM_TYPE_BASE = 'https://tokpipe.dev/problems/';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** core's three-way split: retryable, not_retryable, needs_human. */
  class?: 'retryable' | 'not_retryable' | 'needs_human';
  /** core's disposition (what to do), so a client rebuilds the same error (adapter-kit/server-client). */
  disposition?: string;
  /** TikTok's error.code, fail_reason, OAuth error, transport kind, or our own code. */
  code: string;
  layer?: string;
  action?: string;
  logId?: string;
  field?: string;
  /** Every field problem of a refused body, when there are several. */
  issues?: Array<{ field: string; message: string }>;
}

/** A refusal of our own (auth, limits, body, conflicts): status, code, one sentence. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Partial<Problem> & { headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** HTTP status for a core error, by its disposition (input errors are the caller's: 400). */
const STATUS_BY_DISPOSITION: Readonly<Record<ErrorDetails['disposition'], number>> = {
  fix_input: 400,
  needs_human: 422,
  reauthorize: 409,
  route_to_another_account: 409,
  wait_for_quota: 429,
  retry: 502,
  retry_after_refresh: 502,
  unknown_outcome: 502,
};

export function problemOf(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return redact({
    type: PROBLEM_TYPE_BASE + code,
    title: TITLES[status] ?? 'Error',
    status,
    detail: redactText(detail),
    code,
    ...extra,
  });
}

/** Core's classified error → problem details (input errors name their field). */
export function problemFromDetails(details: ErrorDetails): Problem {
  const status =
    details.layer === 'input' || details.layer === 'structural' ? 400 : STATUS_BY_DISPOSITION[details.disposition];
  const detail = details.problem ?? details.message.replace(` [${details.code}] ${details.action}`, '');
  return problemOf(status, details.code, detail, {
    class: details.category,
    disposition: details.disposition,
    layer: details.layer,
    action: details.action,
    ...(details.logId ? { logId: details.logId } : {}),
    ...(details.field ? { field: details.field } : {}),
  });
}
