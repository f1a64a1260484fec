// The pipeline's vocabulary: accounts, jobs (persisted, so every field is plain JSON), the poster
// port each account posts through, and the events the CLI draws its live display from.
import type { ErrorDetails } from '../errors/types';
import type { PrivacyLevel } from '../types';
import type { PostRequest } from '../types';

/** Media as a campaign row names it: serialisable, so a job survives a restart. */
export type JobMedia =
  | { type: 'video_url'; url: string }
  | { type: 'video_file'; path: string }
  | { type: 'photo_urls'; urls: string[]; coverIndex?: number };

/** What the user asks for. `account` pins the job to one account; without it the router picks. */
export interface JobSpec {
  account?: string;
  /** Only accounts with this region tag may take the job (router). */
  region?: string;
  mode: 'direct' | 'draft';
  media: JobMedia;
  title?: string;
  description?: string;
  privacyLevel?: PrivacyLevel;
  publishAt?: string;
  /** Given by the user (campaign column): the same key is one post, however often it is submitted. */
  idempotencyKey?: string;
  /** Any other PostRequest options (disableComment, isAigc, brand toggles...). */
  options?: Partial<
    Omit<PostRequest, 'mode' | 'media' | 'title' | 'description' | 'privacyLevel' | 'publishAt' | 'idempotencyKey'>
  >;
  /** Free-form label shown in reports (e.g. "row 3"). */
  label?: string;
}

export type JobState =
  | 'queued' //      waiting for its shard (or, without an account, for the router)
  | 'retry_wait' //  a retryable failure; waits in the retry queue until dueAt
  | 'deferred' //    a daily cap is used up, or publishAt is in the future; waits until dueAt
  | 'posting' //     intent persisted, init in flight: a crash here is an unknown outcome
  | 'accepted' //    TikTok gave a publish_id; status is being tracked
  | 'unconfirmed' // polling budget used up without a terminal status: reconciliation's job
  | 'unknown' //     init may or may not have created a post: reconciliation, never re-posted automatically
  | 'published' //   PUBLISH_COMPLETE
  | 'delivered' //   a draft reached the creator's inbox (SEND_TO_USER_INBOX)
  | 'dead'; //       in the dead-letter queue

export const terminalJobStates: ReadonlySet<JobState> = new Set(['published', 'delivered', 'dead']);
/** Waiting on time or on reconciliation: a campaign run can end with these and resume later. */
export const parkedJobStates: ReadonlySet<JobState> = new Set(['deferred', 'unconfirmed', 'unknown']);

export interface Job {
  id: string;
  /** Submission order (stable across restarts). */
  seq: number;
  spec: JobSpec;
  /** The account the job is on now (pinned or routed). */
  account?: string;
  state: JobState;
  /** Init attempts made, across accounts and re-posts. */
  attempts: number;
  /** Bumped on each re-post after an async FAILED; part of the ledger key (a new post). */
  generation: number;
  /** The idempotency key of the current attempt (what the poster's ledger records). */
  attemptKey?: string;
  publishId?: string;
  postIds: string[];
  /** TikTok's last status string. */
  status?: string;
  submittedAt: number;
  /** When the current attempt's intent was recorded (unknown-outcome reconciliation looks after it). */
  intentAt?: number;
  acceptedAt?: number;
  completedAt?: number;
  /** retry_wait / deferred: when the job may run again. */
  dueAt?: number;
  /** deferred: what it waits for. A daily cap (nothing was sent; dueAt is when its slot should free)
   * or its publishAt. */
  deferredFor?: 'daily_cap' | 'publish_at';
  retries: number;
  rateLimitWaits: number;
  /** Accounts that refused the job for account reasons (cap, ban, auth): the router skips them. */
  refusedBy: string[];
  lastError?: ErrorDetails;
  stuckAlerted?: boolean;
  /** Why the last reconciliation could not settle the job (shown by `reconcile`, the report and its dead letter). */
  reconcileNote?: string;
  /** Settled by a person (`tokpipe resolve`), not by TikTok's answer. */
  resolvedByHand?: boolean;
  /** Submitted outside the pipeline and adopted for reconciliation (a single `tokpipe post`). */
  adopted?: boolean;
}

/** Per-account posting caps (TikTok §3.2), tracked before TikTok refuses. */
export interface AccountCaps {
  /** Direct Post posts per rolling 24 h (TikTok: "typically around 15", shared across apps). */
  directPerDay: number;
  /** Pending inbox drafts per rolling 24 h (TikTok: 5). */
  draftsPer24h: number;
}

export type AccountStatus = 'active' | 'needs_reauth' | 'needs_human' | 'disabled';

export interface AccountRecord {
  id: string;
  openId?: string;
  /** Country/region tag the router matches against JobSpec.region. */
  region?: string;
  scopes: string[];
  caps: AccountCaps;
  status: AccountStatus;
  /** Why the account is not active (shown by `tokpipe accounts health`). */
  statusReason?: string;
  /** Set when TikTok itself refused a cap before our count said so: no posts of that mode until then. */
  capBlockedUntil?: { direct?: number; draft?: number };
  addedAt: number;
  /** Where posterFor finds the tokens when they are not in the pipeline's store (the CLI: the token
   * file a single `tokpipe post` used, so reconciliation can ask TikTok about that post). */
  tokenLocation?: string;
}

/** The outcome shape of `createPoster(...).post/status` (core's PostOutcome), structurally. */
export interface PosterOutcome {
  publishId?: string | null;
  status: string;
  postIds: string[];
  attempts?: number;
  idempotencyKey?: string;
  reused?: boolean;
  error: ErrorDetails | null;
}

/** One video as the Display API's video list returns it (fields the reconciliation needs). */
export interface ListedVideo {
  id: string;
  title?: string;
  createTime?: number;
}

/** The part of core's poster the pipeline uses, one per account. */
export interface PipelinePoster {
  post(request: PostRequest, options?: { wait?: boolean }): Promise<PosterOutcome>;
  status(publishId: string): Promise<PosterOutcome>;
  /** Display API video list (needs video.list); the reply is read tolerantly. */
  listVideos?(options: { cursor?: number | string; maxCount?: number }): Promise<unknown>;
}

export type PipelineEvent =
  | { type: 'job_queued'; at: number; job: Job }
  | { type: 'job_routed'; at: number; jobId: string; account: string }
  | { type: 'attempt_started'; at: number; jobId: string; account: string; attempt: number }
  | { type: 'job_accepted'; at: number; jobId: string; account: string; publishId: string }
  | { type: 'job_status'; at: number; jobId: string; account?: string; status: string }
  | { type: 'job_published'; at: number; jobId: string; account?: string; postIds: string[]; timeToPublishMs: number }
  | { type: 'job_delivered'; at: number; jobId: string; account?: string; timeToPublishMs: number }
  | {
      type: 'retry_scheduled';
      at: number;
      jobId: string;
      account?: string;
      delayMs: number;
      code: string;
      reason: 'retry' | 'repost';
    }
  /** The job waited: the limiter held its init (code `limiter:<endpoint>`) or TikTok said rate_limit_exceeded. */
  | { type: 'rate_limit_wait'; at: number; jobId: string; account?: string; delayMs: number; code: string }
  /** The limiter held a call that belongs to no job (status polls, video list). */
  | { type: 'account_rate_limit_wait'; at: number; account: string; endpoint: string; delayMs: number }
  | { type: 'job_deferred'; at: number; jobId: string; account: string; until: number; reason: 'daily_cap' }
  /** publishAt is in the future: the job waits (state 'deferred') until then. */
  | { type: 'job_scheduled'; at: number; jobId: string; account?: string; until: number }
  /** error: why no status could be read, when TikTok's last replies were unreadable (not "still processing"). */
  | { type: 'job_unconfirmed'; at: number; jobId: string; account?: string; publishId?: string; error?: ErrorDetails }
  | { type: 'job_unknown_outcome'; at: number; jobId: string; account?: string }
  | { type: 'job_requeued'; at: number; jobId: string; reason: string }
  | { type: 'job_dead_lettered'; at: number; jobId: string; account?: string; error: ErrorDetails }
  /** A person settled the job (`tokpipe resolve`): posted (then also job_published) or not posted (the job is forgotten). */
  | { type: 'job_resolved'; at: number; jobId: string; account?: string; posted: boolean; postId?: string }
  | { type: 'breaker'; at: number; account: string; state: BreakerState }
  | { type: 'account_status'; at: number; account: string; status: AccountStatus; reason?: string }
  | { type: 'alert'; at: number; alert: Alert };

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface Alert {
  kind: 'error_rate_high' | 'error_rate_recovered' | 'error_code_spike' | 'stuck_processing';
  account?: string;
  code?: string;
  jobId?: string;
  message: string;
  /** For error-rate alerts: failures / attempts in the window. */
  rate?: number;
  count?: number;
  windowMs?: number;
}

export interface AccountReport {
  account: string;
  published: number;
  delivered: number;
  /** Failed for good (in the DLQ, not counting unknown outcomes). */
  failed: number;
  inDlq: number;
  /** Still moving or parked (queued, retrying, deferred, accepted, unconfirmed, unknown). */
  pending: number;
  retries: number;
  rateLimitWaits: number;
  /** From submission to PUBLISH_COMPLETE / SEND_TO_USER_INBOX. */
  timeToPublishMs: { count: number; avg?: number; p50?: number; max?: number };
}
