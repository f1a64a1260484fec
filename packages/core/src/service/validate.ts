// validate_post: every check the pipeline and the poster make before an init, in the same order,
// reporting all problems at once. TikTok is asked (creator_info, a read) only when every local check
// passed, so a bad post sends nothing at all.
import { checkAgainstCreatorInfo } from '../client/bodies';
import type { CreatorInfo } from '../client/types';
import { isTokpipeError } from '../errors/classify';
import { jobIdFor } from '../pipeline/job-spec';
import type { AccountHealth } from '../pipeline/report';
import type { AccountRecord, JobSpec } from '../pipeline/types';
import { postRequestSchema } from '../schemas/post';
import { checkPostScopes, requiredScopeByMode } from '../tokens/scopes';
import type { ByteSource, MediaSource, PostRequest } from '../types';
import type { ZodIssue } from 'zod';
import type { CreatorInfoView, ValidationIssue, ValidationReport } from './service';
import { creatorInfoView, errorView } from './views';

export interface ValidateDeps {
  accounts: AccountRecord[];
  health: AccountHealth[];
  openFile?: (path: string) => ByteSource | Promise<ByteSource>;
  creatorInfo(account: AccountRecord): Promise<CreatorInfo>;
}

/** Core's request paths → the tool's field names (what the agent typed). */
const FIELD_BY_PATH: ReadonlyArray<[string, string]> = [
  ['media.url', 'videoUrl'],
  ['media.file', 'videoFile'],
  ['media.urls', 'photoUrls'],
  ['media.coverIndex', 'coverIndex'],
];

function toolField(path: ReadonlyArray<string | number>): string {
  const joined = path
    .map((p) => (typeof p === 'number' ? `[${p}]` : p))
    .join('.')
    .replace(/\.\[/g, '[');
  const hit = FIELD_BY_PATH.find(
    ([core]) => joined === core || joined.startsWith(`${core}[`) || joined.startsWith(`${core}.`),
  );
  return hit ? hit[1] + joined.slice(hit[0].length) : joined || '(input)';
}

function issueOf(issue: ZodIssue): ValidationIssue {
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
  const message = issue.code === 'invalid_type' && issue.received === 'undefined' ? 'is required' : issue.message;
  return { field: toolField(path), message, code: 'invalid_input' };
}

function issueFromError(error: unknown, fallbackField: string): ValidationIssue {
  if (!isTokpipeError(error)) throw error;
  const view = errorView(error.details);
  const field = view.field ?? fallbackField;
  return { field, message: view.message.replace(`${field}: `, ''), code: view.code };
}

/** The account the pipeline's router would pick (active, scope, region, capacity, health). */
function pickAccount(spec: JobSpec, deps: ValidateDeps): AccountRecord | undefined {
  const scope = requiredScopeByMode[spec.mode];
  const health = new Map(deps.health.map((h) => [h.account, h]));
  const remaining = (a: AccountRecord) => health.get(a.id)?.remaining[spec.mode] ?? 0;
  return deps.accounts
    .filter(
      (a) =>
        a.status === 'active' &&
        (a.scopes.length === 0 || a.scopes.includes(scope)) &&
        (!spec.region || a.region === spec.region),
    )
    .sort((a, b) => (health.get(b.id)?.score ?? 0) - (health.get(a.id)?.score ?? 0) || remaining(b) - remaining(a))[0];
}

const inRegion = (region: string | undefined): string => (region ? ` in region ${region}` : '');

export async function validateSpec(spec: JobSpec, deps: ValidateDeps): Promise<ValidationReport> {
  const issues: ValidationIssue[] = [];
  const checks: ValidationReport['checks'] = [];
  const warnings: string[] = [];
  const check = (name: string, found: ValidationIssue[], detail?: string): boolean => {
    issues.push(...found);
    checks.push({ check: name, ok: found.length === 0, ...(detail ? { detail } : {}) });
    return found.length === 0;
  };

  // 1. The file, when there is one (its size is part of the schema check).
  let media: MediaSource | undefined;
  if (spec.media.type === 'video_file') {
    const path = spec.media.path;
    try {
      if (!deps.openFile) throw new Error('files cannot be posted from here');
      media = { type: 'video_file', file: await deps.openFile(path) };
      check('file', [], `${media.file.size} bytes`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const issue = isTokpipeError(error)
        ? issueFromError(error, 'videoFile')
        : { field: 'videoFile', message: `cannot be read (${reason})`, code: 'invalid_input' };
      check('file', [issue]);
    }
  } else {
    media =
      spec.media.type === 'video_url'
        ? { type: 'video_url', url: spec.media.url }
        : { type: 'photo_urls', urls: spec.media.urls, coverIndex: spec.media.coverIndex };
  }

  // 2. Core's post schema: every field error at once.
  const request = {
    ...spec.options,
    mode: spec.mode,
    media: media ?? { type: 'video_url', url: 'https://media.invalid/unread.mp4' },
    title: spec.title,
    description: spec.description,
    privacyLevel: spec.privacyLevel,
    publishAt: spec.publishAt,
  } as PostRequest;
  for (const key of Object.keys(request) as Array<keyof PostRequest>)
    if (request[key] === undefined) delete request[key];
  const parsed = postRequestSchema().safeParse(request);
  check('fields', parsed.success ? [] : parsed.error.issues.map(issueOf));

  // 3. The account: named, or the one the router would pick; active; with the mode's scope.
  let account: AccountRecord | undefined;
  if (spec.account !== undefined) {
    account = deps.accounts.find((a) => a.id === spec.account);
    check(
      'account',
      account
        ? []
        : [
            {
              field: 'account',
              message: `no account named ${JSON.stringify(spec.account)} (list_accounts shows them)`,
              code: 'invalid_input',
            },
          ],
    );
  } else {
    account = pickAccount(spec, deps);
    check(
      'account',
      account
        ? []
        : [
            {
              field: 'account',
              message: `no active account with the ${requiredScopeByMode[spec.mode]} scope${inRegion(spec.region)}`,
              code: 'no_eligible_account',
            },
          ],
      account ? `would use ${account.id}` : undefined,
    );
  }
  if (account) {
    check(
      'account status',
      account.status === 'active'
        ? []
        : [
            {
              field: 'account',
              message: `is ${account.status}${account.statusReason ? `: ${account.statusReason}` : ''}`,
              code: `account_${account.status}`,
            },
          ],
    );
    let scopeIssues: ValidationIssue[] = [];
    try {
      checkPostScopes(spec.mode, account.scopes);
    } catch (error) {
      scopeIssues = [issueFromError(error, 'scope')];
    }
    check('scope', scopeIssues);
    const left = deps.health.find((h) => h.account === account!.id)?.remaining[spec.mode];
    checks.push({
      check: 'daily cap',
      ok: left === undefined || left > 0,
      detail: `${left ?? '?'} ${spec.mode} post(s) left in the rolling 24 h`,
    });
    if (left === 0)
      warnings.push(
        `${account.id} has no ${spec.mode} posts left today: the post would wait for the cap (or go to another account when none is named)`,
      );
  }

  // 4. creator_info (direct posts, as the poster does), only when everything local passed.
  let creatorInfo: CreatorInfoView | null = null;
  if (account && issues.length === 0 && spec.mode === 'direct') {
    try {
      const info = await deps.creatorInfo(account);
      creatorInfo = creatorInfoView(account.id, info);
      let fit: ValidationIssue[] = [];
      try {
        checkAgainstCreatorInfo(request, info);
      } catch (error) {
        fit = [issueFromError(error, 'privacyLevel')];
      }
      check('creator_info', fit, `privacy options: ${info.privacyLevelOptions.join(', ')}`);
      if (info.commentDisabled && request.disableComment !== true)
        warnings.push('the creator disabled comments: TikTok turns them off for this post');
    } catch (error) {
      check('creator_info', [issueFromError(error, 'account')]);
    }
  } else if (spec.mode === 'direct') {
    checks.push({
      check: 'creator_info',
      ok: false,
      detail: 'not asked: fix the problems above first (nothing was sent to TikTok)',
    });
  }

  return {
    valid: issues.length === 0,
    account: account?.id ?? null,
    issues,
    checks,
    warnings,
    creatorInfo,
    idempotencyKey: spec.idempotencyKey ?? jobIdFor(spec),
  };
}
