// Core's classification table compiled into Make's error vocabulary. Make runs only the spec, so every
// row's disposition becomes a Make error type (which decides whether Make's engine retries, pauses or
// deactivates the scenario) and every row's action becomes text in the error message.
import {
  classificationTable,
  lookupRow,
  UPLOAD_CODE_BY_STATUS,
  uploadCodeForStatus,
  type ClassificationRow,
  type Disposition,
} from '@tokpipe/core';

export const MAKE_ERROR_TYPES = [
  'RuntimeError',
  'DataError',
  'RateLimitError',
  'ConnectionError',
  'InvalidConfigurationError',
  'InvalidAccessTokenError',
  'IncompleteDataError',
] as const;
export type MakeErrorType = (typeof MAKE_ERROR_TYPES)[number];

/** Make's engine re-runs these on its own backoff (make-custom-apps.md §5.2). */
export const AUTO_RETRIED: ReadonlySet<MakeErrorType> = new Set([
  'ConnectionError',
  'RateLimitError',
  'IncompleteDataError',
]);

/** Disposition → Make type (issue 7). */
const BY_DISPOSITION: Readonly<Record<Disposition, MakeErrorType>> = {
  retry: 'ConnectionError',
  wait_for_quota: 'RateLimitError',
  // Make refreshes ahead of expiry (refresh.condition), so a 401 reaching a module is one refresh cannot fix.
  retry_after_refresh: 'InvalidAccessTokenError',
  reauthorize: 'InvalidAccessTokenError',
  fix_input: 'DataError',
  needs_human: 'RuntimeError',
  // Daily caps: an error for this run, but the scenario must stay active.
  route_to_another_account: 'RuntimeError',
  // The post may exist: an automatic re-run could post it twice.
  unknown_outcome: 'RuntimeError',
};

/** Codes fixed in the app's, connection's or account's configuration: Make deactivates the scenario
 * until someone fixes them (scope / audit / config in issue 7). */
const CONFIGURATION_CODES: ReadonlySet<string> = new Set([
  'scope_not_authorized',
  'scope_permission_missed',
  'url_ownership_unverified',
  'unaudited_client_can_only_post_to_private_accounts',
  // OAuth: the app's client key/secret or approved scopes (a refresh failing this way must stop the scenario).
  'invalid_client',
  'invalid_scope',
  'unauthorized_client',
]);

/** Where a FAILED publish is reported: a Post module re-running posts again (safe: the previous one is
 * definitely FAILED); Wait for Post re-running would only read the same FAILED again. */
export type AsyncContext = 'repost_on_rerun' | 'report_only';

export function makeErrorType(row: ClassificationRow, asyncContext: AsyncContext = 'report_only'): MakeErrorType {
  if (CONFIGURATION_CODES.has(row.code)) return 'InvalidConfigurationError';
  const type = BY_DISPOSITION[row.disposition];
  if (!AUTO_RETRIED.has(type)) return type;
  if (!row.retryable) return 'RuntimeError'; // e.g. reached_active_user_cap: a daily cap, not a per-minute window
  if (row.layer === 'async' && asyncContext === 'report_only') return 'RuntimeError';
  return type;
}

/** What the user reads after the TikTok code: core's action, or what Make does for retried types. */
const MAKE_HINTS: Partial<Record<MakeErrorType, string>> = {
  ConnectionError:
    'Temporary failure: Make retries this run automatically when "Allow storing of incomplete executions" is on.',
  RateLimitError:
    'Rate limited: Make retries this run automatically when "Allow storing of incomplete executions" is on.',
};

export function makeAction(row: ClassificationRow, type: MakeErrorType): string {
  if (row.disposition === 'retry_after_refresh')
    return 'Make refreshes the token before it expires, so TikTok no longer accepts this connection: reconnect the TikTok connection in Make.';
  if (row.layer === 'async' && row.disposition === 'retry' && type === 'RuntimeError')
    return `${row.meaning} Run the Post module again with the same media.`;
  const hint = MAKE_HINTS[type];
  if (hint) return `${row.meaning} ${hint}`;
  const deactivates =
    type === 'InvalidConfigurationError' || type === 'InvalidAccessTokenError'
      ? ' Make deactivates the scenario until this is fixed.'
      : '';
  return `${row.meaning} ${row.action}${deactivates}`;
}

export interface Outcome {
  type: MakeErrorType;
  action: string;
  /** IML or literal text for the code shown ("TikTok code: …"). */
  code: string;
}

export function outcomeOf(row: ClassificationRow, asyncContext?: AsyncContext, code?: string): Outcome {
  const type = makeErrorType(row, asyncContext);
  return { type, action: makeAction(row, type), code: code ?? row.code };
}

/** Application codes TikTok documents (rows with documented HTTP statuses). */
export function documentedApplicationCodes(): string[] {
  return classificationTable.filter((r) => r.layer === 'application' && r.documentedStatus).map((r) => r.code);
}

export function documentedFailReasons(): string[] {
  return classificationTable.filter((r) => r.layer === 'async' && r.code !== 'unknown_fail_reason').map((r) => r.code);
}

function must(row: ClassificationRow | undefined, what: string): ClassificationRow {
  if (!row) throw new Error(`core's classification table has no row for ${what}`);
  return row;
}

/** One branch of a decision: an IML condition and what it leads to. */
export type Branch = [condition: string, outcome: Outcome];

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Nested `if(…)` over the branches for one field of the outcome. Codes shown literally are quoted;
 * codes given as `{{expr}}`-free IML (prefixed with '=') are inlined. */
export function chooseIml(branches: Branch[], fallback: Outcome, field: keyof Outcome): string {
  const value = (o: Outcome) => (field === 'code' && o.code.startsWith('=') ? o.code.slice(1) : quote(o[field]));
  // Neighbouring branches with the same value share one if(…): same result, shorter and readable.
  const merged: Array<[string[], string]> = [];
  for (const [cond, outcome] of branches) {
    const last = merged.at(-1);
    if (last && last[1] === value(outcome)) last[0].push(cond);
    else merged.push([[cond], value(outcome)]);
  }
  const condition = (conds: string[]) => (conds.length === 1 ? conds[0]! : conds.map((c) => `(${c})`).join(' || '));
  return merged.reduceRight((acc, [conds, v]) => `if(${condition(conds)}, ${v}, ${acc})`, value(fallback));
}

/** Branches for a TikTok JSON error (error.code present and not "ok"), then for replies that are not
 * TikTok JSON, keyed by HTTP status, exactly as core's lookupRow would decide for this endpoint. */
export function applicationBranches(init: boolean): {
  documented: Branch[];
  undocumented: Branch[];
  undocumentedFallback: Outcome;
  notTikTok: Branch[];
  notTikTokFallback: Outcome;
} {
  // One branch per code; the conditions exclude each other, so grouping by Make type changes nothing but length.
  const documented: Branch[] = documentedApplicationCodes()
    .map(
      (code): Branch => [
        `body.error.code == ${quote(code)}`,
        outcomeOf(must(lookupRow('application', code, { init }), code)),
      ],
    )
    .sort((a, b) => a[1].type.localeCompare(b[1].type));
  const byStatus = (layer: 'application' | 'transport', code: string, status: number, shown?: string) =>
    outcomeOf(must(lookupRow(layer, code, { init, status }), `${layer} ${code} ${status}`), undefined, shown);
  const tiktokCode = '=body.error.code';
  const undocumented: Branch[] = [
    ['statusCode == 401', byStatus('application', 'unknown_error', 401, tiktokCode)],
    ['statusCode == 429', byStatus('application', 'unknown_error', 429, tiktokCode)],
    ['statusCode >= 500', byStatus('application', 'unknown_error', 500, tiktokCode)],
  ];
  const notTikTok: Branch[] = [
    ['statusCode == 429', byStatus('transport', 'rate_limited', 429)],
    ['statusCode >= 500', byStatus('transport', 'gateway_error', 502)],
    ['statusCode < 300', byStatus('transport', 'malformed_reply', 200)],
  ];
  return {
    documented,
    undocumented,
    undocumentedFallback: byStatus('application', 'unknown_error', 400, tiktokCode),
    notTikTok,
    notTikTokFallback: byStatus('transport', 'non_json', 404),
  };
}

export function asyncBranches(context: AsyncContext): { branches: Branch[]; fallback: Outcome } {
  const branches: Branch[] = documentedFailReasons()
    .map(
      (reason): Branch => [
        `body.data.fail_reason == ${quote(reason)}`,
        outcomeOf(must(lookupRow('async', reason), reason), context),
      ],
    )
    .sort((a, b) => a[1].type.localeCompare(b[1].type));
  return {
    branches,
    fallback: outcomeOf(
      must(lookupRow('async', 'unknown_fail_reason'), 'unknown_fail_reason'),
      context,
      '=body.data.fail_reason',
    ),
  };
}

// ---------------------------------------------------------------- the upload PUT (FILE_UPLOAD)

/** Branches on the PUT's HTTP status (the reply carries no TikTok error.code), from core's upload rows and
 * core's map of statuses to them. Every type is core's: Send Video File's re-run resumes the same upload
 * (it reads the progress first), so Make may retry what core calls retryable without posting twice. */
export function uploadBranches(): { branches: Branch[]; fallback: Outcome } {
  const outcome = (code: string) => outcomeOf(must(lookupRow('application', code), code));
  const branches: Branch[] = Object.entries(UPLOAD_CODE_BY_STATUS).map(
    ([status, code]): Branch => [`statusCode == ${status}`, outcome(code)],
  );
  branches.push(['statusCode >= 500', outcome(uploadCodeForStatus(500))]);
  return { branches, fallback: outcome(uploadCodeForStatus(0)) };
}
