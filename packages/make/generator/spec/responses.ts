// The `response` error handling every request of the app carries, compiled from core's table.
// Make evaluates `response.temp` before `valid`/`error` (make-custom-apps.md §4.1, §7.5), so the
// decision is made once in `temp.tiktokError` and the directives only read it.
import { apiReplyCases, failReasonCases, PROCESSING_STATUSES, uploadReplyCases } from '@tokpipe/core';
import { AUTO_RETRIED, branchesOf, chooseIml, type AsyncContext, type Branch, type Outcome } from './errors';

export interface ResponseErrorOptions {
  /** The request creates a post: a lost or garbled reply is an unknown outcome (never auto-retried). */
  init: boolean;
  /** Extra IML that must hold on a 2xx "ok" reply (e.g. a publish_id is present). */
  requireOk?: string;
  /** A 2xx "ok" reply that still is a failure (FAILED publish, still processing): `when` sums up the
   * branches, which pick the outcome. */
  okFailure?: { when: string; branches: Branch[] };
  /** The request follows a successful init in the same module (its publish_id is in temp.publishId):
   * a re-run would post again, so failures to READ the status are never left to Make's retries. */
  afterInit?: boolean;
}

const AFTER_INIT_ACTION =
  'The post WAS created; only reading its status failed. Do not re-run this module (it would post again): follow the publish_id above with Wait for Post.';

/** Read failures after an init: same type unless Make would retry it, then RuntimeError. */
function afterInit(outcome: Outcome): Outcome {
  return AUTO_RETRIED.has(outcome.type)
    ? { ...outcome, type: 'RuntimeError', action: `${outcome.action} ${AFTER_INIT_ACTION}` }
    : outcome;
}

/** The app's custom IML function that removes tokens from text a user sees (generator/functions/). */
export const REDACT_FUNCTION = 'redactSecrets';
/** The connection's secrets an API reply could quote back. */
const CONNECTION_SECRETS = ['connection.accessToken', 'connection.refreshToken'];

/** IML (without braces) for `expr` with tokens and the given secrets removed. */
export function redactedIml(expr: string, secrets: readonly string[] = CONNECTION_SECRETS): string {
  return `${REDACT_FUNCTION}(${[expr, ...secrets].join(', ')})`;
}

export const HAS_TIKTOK_CODE = "ifempty(body.error.code, 'ok') != 'ok'";

export function decisionBranches(opts: ResponseErrorOptions): { branches: Branch[]; fallback: Outcome } {
  const read = branchesOf(apiReplyCases(opts.init), 'body.error.code', HAS_TIKTOK_CODE);
  const guard = (o: Outcome) => (opts.afterInit ? afterInit(o) : o);
  const branches: Branch[] = [
    ...read.branches.map(([c, o]): Branch => [c, guard(o)]),
    ...(opts.okFailure?.branches ?? []),
  ];
  return { branches, fallback: guard(read.fallback) };
}

type Directives = { temp: Record<string, unknown>; valid: Record<string, string>; error: Record<string, string> };

/** The decision made once in `temp[key]` (type, code, action), then read by `valid` and `error`. */
function directives(key: string, decision: { branches: Branch[]; fallback: Outcome }, ok: string, message: string) {
  const pick = (field: keyof Outcome) => `{{${chooseIml(decision.branches, decision.fallback, field)}}}`;
  const type = `{{temp.${key}.type}}`;
  return {
    temp: { [key]: { type: pick('type'), code: pick('code'), action: pick('action') } },
    valid: { condition: `{{${ok}}}`, type, message },
    error: { type, message },
  } satisfies Directives;
}

export function responseErrorDirectives(opts: ResponseErrorOptions): Directives {
  const okConditions = [
    `ifempty(body.error.code, 'ok') == 'ok'`,
    opts.requireOk,
    opts.okFailure && `!(${opts.okFailure.when})`,
  ].filter(Boolean);
  const message =
    (opts.afterInit ? 'publish_id {{temp.publishId}}: ' : '') +
    `[{{statusCode}}] TikTok code {{temp.tiktokError.code}}: {{${redactedIml("ifempty(body.error.message, 'no message')")}}} (log_id {{ifempty(body.error.log_id, 'none')}}). {{temp.tiktokError.action}}`;
  return directives('tiktokError', decisionBranches(opts), okConditions.join(' && '), message);
}

/** The directives with more values kept in `response.temp` (for the requests that follow). */
export const withTemp = (d: Directives, temp: Record<string, string>): Directives => ({
  ...d,
  temp: { ...d.temp, ...temp },
});

/** Statuses that mean "not finished": the repeat condition and the still-processing branch. */
export const statusIsOneOf = (statuses: Iterable<string>) =>
  [...statuses].map((s) => `body.data.status == '${s}'`).join(' || ');
export const PROCESSING_CONDITION = statusIsOneOf(PROCESSING_STATUSES);

/** Core's verdict on a FAILED post's fail_reason. */
export const failVerdict = (context: AsyncContext) =>
  branchesOf(failReasonCases(), 'body.data.fail_reason', 'true', context);

export function failedBranches(context: AsyncContext): Branch[] {
  const { branches, fallback } = failVerdict(context);
  return [...branches, ['true', fallback] as Branch].map(
    ([cond, o]): Branch => [`body.data.status == 'FAILED' && ${cond}`, o],
  );
}

/** The upload_url carries an upload token: it and the token alone count as secrets in what a user sees. */
export const UPLOAD_SECRETS = ['temp.uploadUrl', "last(split(temp.uploadUrl, 'upload_token='))", ...CONNECTION_SECRETS];

/** The upload PUT's response handling: 201 is the only success for a one-chunk upload; every failure
 * names the publish_id (the post exists) and is a type Make does not retry on its own. */
export function uploadResponseDirectives(): Directives {
  const reply = redactedIml("ifempty(body.error.message, ifempty(toString(body), 'empty reply'))", UPLOAD_SECRETS);
  const message = `publish_id {{temp.publishId}}: [{{statusCode}}] the video upload failed, code {{temp.uploadError.code}}: {{${reply}}} (log_id {{ifempty(body.error.log_id, 'none')}}). {{temp.uploadError.action}}`;
  return directives('uploadError', branchesOf(uploadReplyCases(), ''), 'statusCode == 201', message);
}
