// The shape of every failure tokpipe reports. The classification itself is data (errors/table.ts);
// this file only names the vocabulary every package shares.

/** Where the failure happened. */
export type ErrorLayer =
  | 'input' //       our own validation: nothing was sent
  | 'structural' //  something the official API cannot do (sound by URL, location tags...): nothing was sent
  | 'transport' //   DNS, refused, reset, timeout, HTML gateway pages, empty bodies
  | 'application' // TikTok's error.code (including the ones that come with HTTP 200)
  | 'async' //       a publish that was accepted and FAILED later (fail_reason)
  | 'oauth'; //      the flat {error, error_description} replies of /v2/oauth/*

/** What to do about it. Adapters map these to their platform's error types. */
export type Disposition =
  | 'retry' //                    transient: back off and try again
  | 'retry_after_refresh' //      refresh the access token, then try again
  | 'wait_for_quota' //           rate limit or daily cap: wait for the window
  | 'route_to_another_account' // this account cannot post now; another may
  | 'fix_input' //                the request is wrong; retrying will not help
  | 'needs_human' //              a person must act (ban, audit, app config, content policy)
  | 'reauthorize' //              the user must connect the account again
  | 'unknown_outcome'; //         may or may not have happened: reconcile, never repeat blindly

/** The coarse three-way split users see. */
export type ErrorCategory = 'retryable' | 'not_retryable' | 'needs_human';

export interface ErrorClassification {
  layer: ErrorLayer;
  /** TikTok's error.code, the OAuth `error`, the transport kind (e.g. 'timeout'), or our own code. */
  code: string;
  /** For layer 'async': TikTok's fail_reason. */
  failReason?: string;
  disposition: Disposition;
  category: ErrorCategory;
  retryable: boolean;
  /** One line telling the user what to do. */
  action: string;
}

/** A classified failure with its evidence. Everything here is safe to show: `raw` is redacted. */
export interface ErrorDetails extends ErrorClassification {
  /** The whole story: the problem, TikTok's words, [code, HTTP status] and the action. */
  message: string;
  /** The problem alone, without code or action: TikTok's own message when it sent one, else what went
   * wrong (for input errors "field: what is wrong"). Adapters show it where the message is too long. */
  problem?: string;
  httpStatus?: number;
  logId?: string;
  /** How many attempts were made before giving up (1 = no retry). */
  attempts: number;
  /** The reply (parsed JSON or text), with tokens and secrets removed. */
  raw?: unknown;
  /** How long the server (or the rate-limit window) says to wait, when known. */
  retryAfterMs?: number;
  /** For input errors: the field path that is wrong (e.g. 'post_info.title'). */
  field?: string;
}
