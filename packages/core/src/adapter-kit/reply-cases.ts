// How core reads a reply, as ordered cases for a platform that reads TikTok's replies itself (Make's
// IML): the first case that holds decides, as classifyResponse and lookupRow do for the poster.
import { requireRow } from '../errors/classify';
import { documentedCodes, UPLOAD_CODE_BY_STATUS, uploadCodeForStatus, type ClassificationRow } from '../errors/table';

/** An HTTP status test: exactly `is`, or `from` and above. */
export type StatusTest = { is: number } | { from: number };

export interface ReplyCase {
  /** TikTok's code in the reply (error.code, fail_reason or the OAuth error): that code, '*' for any
   * code, absent when the case does not look at one. */
  code?: string;
  status?: StatusTest;
  row: ClassificationRow;
  /** Show TikTok's own code (an undocumented one), not the row's. */
  showsTikTokCode?: boolean;
}

export interface ReplyDecision {
  cases: ReplyCase[];
  /** When no case holds. */
  otherwise: ReplyCase;
}

/** An API reply that is not "ok": TikTok's documented codes, an undocumented code by status, then a
 * reply that is not TikTok JSON by status; otherwise a 2xx without what it should carry. */
export function apiReplyCases(init: boolean): ReplyDecision {
  const undocumented = (status: number) => requireRow('application', 'unknown_error', { init, status });
  const notJson = (code: string, status: number) => requireRow('transport', code, { init, status });
  return {
    cases: [
      ...documentedCodes('application').map((code) => ({ code, row: requireRow('application', code, { init }) })),
      { code: '*', status: { is: 401 }, row: undocumented(401), showsTikTokCode: true },
      { code: '*', status: { is: 429 }, row: undocumented(429), showsTikTokCode: true },
      { code: '*', status: { from: 500 }, row: undocumented(500), showsTikTokCode: true },
      { code: '*', row: undocumented(400), showsTikTokCode: true },
      { status: { is: 429 }, row: notJson('rate_limited', 429) },
      { status: { from: 500 }, row: notJson('gateway_error', 502) },
      { status: { from: 400 }, row: notJson('non_json', 404) },
    ],
    otherwise: { row: notJson('malformed_reply', 200) },
  };
}

/** A FAILED post's fail_reason. */
export function failReasonCases(): ReplyDecision {
  return {
    cases: documentedCodes('async').map((code) => ({ code, row: requireRow('async', code) })),
    otherwise: { code: '*', row: requireRow('async', 'unknown_fail_reason'), showsTikTokCode: true },
  };
}

/** A chunk PUT's HTTP status (the upload host sends no TikTok error code). */
export function uploadReplyCases(): ReplyDecision {
  const row = (code: string) => requireRow('application', code);
  return {
    cases: [
      ...Object.entries(UPLOAD_CODE_BY_STATUS).map(([status, code]) => ({
        status: { is: Number(status) },
        row: row(code),
      })),
      { status: { from: 500 }, row: row(uploadCodeForStatus(500)) },
    ],
    otherwise: { row: row(uploadCodeForStatus(0)) },
  };
}

/** The OAuth token endpoint's flat error. */
export function oauthReplyCases(): ReplyDecision {
  return {
    cases: documentedCodes('oauth').map((code) => ({ code, row: requireRow('oauth', code) })),
    otherwise: { code: '*', row: requireRow('oauth', 'unknown_oauth_error'), showsTikTokCode: true },
  };
}
