// The posting service every front end works on (MCP tools, the HTTP server, the console): one small
// interface over the state, today core's Pipeline (pipeline-service.ts) on whichever store it was
// opened with. Everything that comes back is already safe to show (no token, no secret).
import type { JobSpec } from '../pipeline/types';
import type { TimelineStep } from './timeline';

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

/** A post as a list shows it (a console): the view plus when and under which campaign row. */
export interface PostRow extends PostView {
  mode: JobSpec['mode'];
  submittedAt: number;
  completedAt: number | null;
  /** The campaign row's label (e.g. "campaign.csv:3"), when it came from a campaign. */
  campaign: string | null;
}

export interface PostSearch {
  account?: string;
  state?: string;
  /** Part of the label or idempotency key (a campaign's rows share their file name or key prefix). */
  campaign?: string;
  /** Submitted at or after / before (epoch ms). */
  since?: number;
  until?: number;
  limit?: number;
}

/** One post in full: what was asked for (redacted), where it waits, and every step so far. */
export interface PostDetail {
  post: PostRow;
  /** The post as submitted (media, caption, privacy, options), secrets removed. */
  sent: Record<string, unknown>;
  dueAt: number | null;
  deferredFor: string | null;
  reconcileNote: string | null;
  /** null when no timeline is recorded for this post (submitted before recording started). */
  timeline: TimelineStep[] | null;
}

/** What a console shows about an account beyond AccountView. */
export interface AccountInsight {
  id: string;
  /** While the breaker is open: when it lets a probe through (epoch ms). */
  breakerOpenUntil: number | null;
  directUsed24h: number;
  /** Drafts sent to the inbox in the last 24 h (TikTok caps pending drafts). */
  draftsUsed24h: number;
  lastError: (ErrorView & { jobId: string; at: number }) | null;
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
  /** What a console shows beyond the agent's views (optional: a backend without it shows less). */
  insight?: {
    accounts(): Promise<AccountInsight[]>;
    posts(search?: PostSearch): Promise<PostRow[]>;
    post(jobId: string): Promise<PostDetail | null>;
  };
  close(): Promise<void>;
}

/** One webhook event in (TikTok → tokpipe) or delivery out (tokpipe → a subscriber), as a console lists it. */
export interface DeliveryRow {
  id: string;
  direction: 'in' | 'out';
  at: number;
  event: string;
  /** out: the subscriber's URL (shown without credentials); in: where it came from. */
  target?: string;
  state: 'ok' | 'failed' | 'pending';
  attempts?: number;
  httpStatus?: number;
  error?: string;
  account?: string;
}
