// The `response` error handling every request of the app carries, compiled from core's table.
// Make evaluates `response.temp` before `valid`/`error` (make-custom-apps.md §4.1, §7.5), so the
// decision is made once in `temp.tiktokError` and the directives only read it.
import { applicationBranches, asyncBranches, chooseIml, type AsyncContext, type Branch, type Outcome } from './errors';

export interface ResponseErrorOptions {
  /** The request creates a post: a lost or garbled reply is an unknown outcome (never auto-retried). */
  init: boolean;
  /** Extra IML that must hold on a 2xx "ok" reply (e.g. a publish_id is present). */
  requireOk?: string;
  /** A 2xx "ok" reply that still is a failure (FAILED publish, still processing): `when` sums up the
   * branches, which pick the outcome. */
  okFailure?: { when: string; branches: Branch[] };
}

export const HAS_TIKTOK_CODE = "ifempty(body.error.code, 'ok') != 'ok'";

export function decisionBranches(opts: ResponseErrorOptions): { branches: Branch[]; fallback: Outcome } {
  const app = applicationBranches(opts.init);
  const notTikTokHttp = app.notTikTok.filter(([cond]) => !cond.startsWith('statusCode < 300'));
  const malformed = app.notTikTok.find(([cond]) => cond.startsWith('statusCode < 300'))![1];
  const branches: Branch[] = [
    ...app.documented,
    ...app.undocumented.map(([cond, o]): Branch => [`${HAS_TIKTOK_CODE} && ${cond}`, o]),
    [HAS_TIKTOK_CODE, app.undocumentedFallback],
    ...notTikTokHttp,
    ['statusCode >= 400', app.notTikTokFallback],
    ...(opts.okFailure?.branches ?? []),
  ];
  return { branches, fallback: malformed };
}

export function responseErrorDirectives(opts: ResponseErrorOptions): { temp: Record<string, unknown>; valid: Record<string, string>; error: Record<string, string> } {
  const { branches, fallback } = decisionBranches(opts);
  const pick = (field: keyof Outcome) => `{{${chooseIml(branches, fallback, field)}}}`;
  const okConditions = [`ifempty(body.error.code, 'ok') == 'ok'`, opts.requireOk, opts.okFailure && `!(${opts.okFailure.when})`].filter(Boolean);
  const message =
    "[{{statusCode}}] TikTok code {{temp.tiktokError.code}}: {{ifempty(body.error.message, 'no message')}} (log_id {{ifempty(body.error.log_id, 'none')}}). {{temp.tiktokError.action}}";
  return {
    temp: { tiktokError: { type: pick('type'), code: pick('code'), action: pick('action') } },
    valid: { condition: `{{${okConditions.join(' && ')}}}`, type: '{{temp.tiktokError.type}}', message },
    error: { type: '{{temp.tiktokError.type}}', message },
  };
}

/** Statuses that mean "not finished": the repeat condition and the still-processing branch. */
export const PROCESSING_CONDITION = "body.data.status == 'PROCESSING_UPLOAD' || body.data.status == 'PROCESSING_DOWNLOAD'";

export function failedBranches(context: AsyncContext): Branch[] {
  const { branches, fallback } = asyncBranches(context);
  return [...branches, ['true', fallback] as Branch].map(([cond, o]): Branch => [`body.data.status == 'FAILED' && ${cond}`, o]);
}
