// Core's classification table compiled into Make's error vocabulary. Make runs only the spec, so every
// row's disposition becomes a Make error type (which decides whether Make's engine retries, pauses or
// deactivates the scenario) and every row's action becomes text in the error message.
import {
  CONFIGURATION_CODES,
  platformReaction,
  type PlatformReaction,
  type ClassificationRow,
  type ReplyCase,
  type ReplyDecision,
  type StatusTest,
} from '@tokpipe/core';

/** The error types the app raises and what Make's engine does with each (make-custom-apps.md §5.2): re-runs
 * it on its own backoff (`retried`: what the message says first), or deactivates the scenario. */
interface MakeReaction {
  retried?: string;
  deactivates?: true;
}
const MAKE_REACTIONS = {
  RuntimeError: {},
  DataError: {},
  RateLimitError: { retried: 'Rate limited' },
  ConnectionError: { retried: 'Temporary failure' },
  InvalidConfigurationError: { deactivates: true },
  InvalidAccessTokenError: { deactivates: true },
  IncompleteDataError: { retried: 'Still processing' },
} satisfies Record<string, MakeReaction>;
export type MakeErrorType = keyof typeof MAKE_REACTIONS;
export const MAKE_ERROR_TYPES = Object.keys(MAKE_REACTIONS) as MakeErrorType[];
const reactionOf = (type: MakeErrorType): MakeReaction => MAKE_REACTIONS[type];
export const AUTO_RETRIED: ReadonlySet<MakeErrorType> = new Set(MAKE_ERROR_TYPES.filter((t) => reactionOf(t).retried));

/** Core's platform reaction → Make type (issue 7). */
const BY_REACTION: Readonly<Record<PlatformReaction, MakeErrorType>> = {
  retry_later: 'ConnectionError',
  // Make refreshes ahead of expiry (refresh.condition), so a 401 reaching a module is one refresh cannot fix.
  refresh_then_retry: 'InvalidAccessTokenError',
  reconnect: 'InvalidAccessTokenError',
  fix_input: 'DataError',
  needs_human: 'RuntimeError',
  // A daily cap, or a post that may exist: an error for this run, never re-run automatically.
  stop: 'RuntimeError',
};

export const makeTypeOfReaction = (reaction: PlatformReaction): MakeErrorType => BY_REACTION[reaction];

/** Where a FAILED publish is reported: a Post module re-running posts again (safe: the previous one is
 * definitely FAILED); Wait for Post re-running would only read the same FAILED again. */
export type AsyncContext = 'repost_on_rerun' | 'report_only';

/** Configuration codes stop the scenario until someone fixes them (Make deactivates it). */
export function makeErrorType(row: ClassificationRow, asyncContext: AsyncContext = 'report_only'): MakeErrorType {
  if (CONFIGURATION_CODES.has(row.code)) return 'InvalidConfigurationError';
  const reaction = platformReaction(row);
  if (reaction !== 'retry_later') return BY_REACTION[reaction];
  // Re-running Wait for Post would only read the same FAILED again.
  if (row.layer === 'async' && asyncContext === 'report_only') return 'RuntimeError';
  return row.disposition === 'wait_for_quota' ? 'RateLimitError' : 'ConnectionError';
}

/** What the user reads after the TikTok code: core's action, or what Make does for retried types. */
const MAKE_RETRIES = 'Make retries this run automatically when "Allow storing of incomplete executions" is on.';

export function makeAction(row: ClassificationRow, type: MakeErrorType): string {
  if (row.disposition === 'retry_after_refresh')
    return 'Make refreshes the token before it expires, so TikTok no longer accepts this connection: reconnect the TikTok connection in Make.';
  if (row.layer === 'async' && row.disposition === 'retry' && type === 'RuntimeError')
    return `${row.meaning} Run the Post module again with the same media.`;
  const { retried, deactivates } = reactionOf(type);
  if (retried) return `${row.meaning} ${retried}: ${MAKE_RETRIES}`;
  return `${row.meaning} ${row.action}${deactivates ? ' Make deactivates the scenario until this is fixed.' : ''}`;
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

const statusIml = (t: StatusTest) => ('is' in t ? `statusCode == ${t.is}` : `statusCode >= ${t.from}`);

/** Core's reply cases as branches. `codeAt`: where TikTok's code sits in this reply; `anyCode`: IML
 * for "the reply carries a code". Cases for one named code come first, grouped by Make type (they
 * exclude each other, so grouping changes nothing but the IML's length). */
export function branchesOf(
  decision: ReplyDecision,
  codeAt: string,
  anyCode = 'true',
  context?: AsyncContext,
): { branches: Branch[]; fallback: Outcome } {
  const outcome = (c: ReplyCase) => outcomeOf(c.row, context, c.showsTikTokCode ? `=${codeAt}` : undefined);
  const condition = (c: ReplyCase) =>
    [c.code === '*' ? anyCode : c.code && `${codeAt} == ${quote(c.code)}`, c.status && statusIml(c.status)]
      .filter(Boolean)
      .join(' && ');
  const named = (c: ReplyCase) => c.code !== undefined && c.code !== '*' && !c.status;
  const branch = (c: ReplyCase): Branch => [condition(c), outcome(c)];
  return {
    branches: [
      ...decision.cases
        .filter(named)
        .map(branch)
        .sort((a, b) => a[1].type.localeCompare(b[1].type)),
      ...decision.cases.filter((c) => !named(c)).map(branch),
    ],
    fallback: outcome(decision.otherwise),
  };
}
