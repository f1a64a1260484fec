// The posting service every front end works on (MCP tools, the HTTP server, the console): one small
// interface over the state, today core's Pipeline (pipeline-service.ts) on whichever store it was
// opened with. Everything that comes back is already safe to show (no token, no secret).
import type { JobSpec } from '../pipeline/types';

/** A failure as an agent sees it: the class (category), TikTok's code, its log_id and what to do. */
export interface ErrorView {
  class: 'retryable' | 'not_retryable' | 'needs_human';
  code: string;
  layer: string;
  disposition: string;
  retryable: boolean;
  action: string;
  message: string;
  failReason?: string;
  logId?: string;
  field?: string;
  httpStatus?: number;
}

/** One post (a pipeline job, or a publish_id read straight from TikTok). */
export interface PostView {
  jobId: string | null;
  /** Given by the caller, or derived from account, media, caption and publish time. */
  idempotencyKey: string | null;
  /** True when this call found an earlier post with the same key instead of posting again. */
  reused: boolean;
  account: string | null;
  /** The pipeline's state (queued, posting, accepted, published, delivered, dead, ...). */
  state: string;
  /** TikTok's last status (PUBLISH_COMPLETE, SEND_TO_USER_INBOX, FAILED, PROCESSING_*...). */
  status: string | null;
  /** True when nothing more will happen without a person (published, delivered, dead) or a later check. */
  final: boolean;
  publishId: string | null;
  postIds: string[];
  attempts: number;
  label: string | null;
  error: ErrorView | null;
}

export interface AccountView {
  id: string;
  status: string;
  statusReason: string | null;
  region: string | null;
  scopes: string[];
  health: { breaker: string; score: number; queued: number };
  caps: { directPerDay: number; draftsPer24h: number; remainingDirect: number; remainingDraft: number };
  /** Expiry times (epoch ms), never the token itself. */
  auth: { connected: boolean; accessExpiresAt: number | null; refreshExpiresAt: number | null; accessExpired: boolean };
}

export interface CreatorInfoView {
  account: string;
  nickname: string | null;
  username: string | null;
  privacyLevelOptions: string[];
  commentDisabled: boolean;
  duetDisabled: boolean;
  stitchDisabled: boolean;
  maxVideoPostDurationSec: number | null;
}

export interface ValidationIssue {
  field: string;
  message: string;
  code: string;
}

export interface ValidationReport {
  valid: boolean;
  /** The account the post would go through (named, or the one that would be picked). */
  account: string | null;
  issues: ValidationIssue[];
  /** What was checked, in order (schema, account, scope, caps, creator_info...). */
  checks: Array<{ check: string; ok: boolean; detail?: string }>;
  /** Not errors, but the post would wait or be changed (daily cap used up, comments forced off...). */
  warnings: string[];
  creatorInfo: CreatorInfoView | null;
  /** The key this post would be recorded under (a repeat with it returns the first post). */
  idempotencyKey: string | null;
}

export interface DeadLetterView {
  jobId: string;
  account: string | null;
  label: string | null;
  at: number;
  attempts: number;
  publishId: string | null;
  error: ErrorView;
}

export interface StatusRef {
  jobId?: string;
  publishId?: string;
  /** For a publish_id tokpipe did not post: the account to ask TikTok with. */
  account?: string;
}

export interface WaitOptions {
  /** Longest wait, ms of the injected clock (default: core's polling budget). */
  budgetMs?: number;
  /** Called on each change or check while waiting. */
  onProgress?: (step: { progress: number; message: string }) => Promise<void> | void;
}

export interface PostingService {
  accounts: {
    list(): Promise<AccountView[]>;
    creatorInfo(account?: string): Promise<CreatorInfoView>;
  };
  /** Every check made before an init (schema, account, scope, caps, creator_info); nothing is posted. */
  validate(spec: JobSpec): Promise<ValidationReport>;
  /** Queues the post; the same key (given or derived) again returns the first post, `reused: true`. */
  post(spec: JobSpec): Promise<PostView>;
  /** A post's status; with `wait`, until it is final or parked, or the budget is used. */
  status(ref: StatusRef, wait?: WaitOptions): Promise<PostView>;
  list(filter?: { account?: string; state?: string; limit?: number }): Promise<PostView[]>;
  dlq: {
    list(): Promise<DeadLetterView[]>;
    replay(jobId: string, options?: { account?: string; force?: boolean }): Promise<PostView>;
  };
  reconcile(): Promise<{ checked: number; resolved: number; stillOpen: PostView[] }>;
  /** Explains the last error of a job (with its own action), for "why did this post fail". */
  jobError(jobId: string): Promise<ErrorView | null>;
  close(): Promise<void>;
}
