// Core's records → what the tools return. Pure; every string passes through core's redaction.
import type { CreatorInfo } from '../client/types';
import type { ErrorDetails } from '../errors/types';
import { parkedJobStates, terminalJobStates, type Job } from '../pipeline/types';
import { redact, redactText } from '../redact';
import type { AccountHealth } from '../pipeline/report';
import type { AccountRecord } from '../pipeline/types';
import type { AccountView, CreatorInfoView, ErrorView, PostView } from './service';

export function errorView(details: ErrorDetails): ErrorView {
  const view: ErrorView = {
    class: details.category,
    code: details.code,
    layer: details.layer,
    disposition: details.disposition,
    retryable: details.retryable,
    action: details.action,
    // Core appends " [code] action" to messages; the view carries both as fields already.
    message: redactText(details.message.replace(` [${details.code}] ${details.action}`, '')),
  };
  if (details.failReason) view.failReason = details.failReason;
  if (details.logId) view.logId = details.logId;
  if (details.field) view.field = details.field;
  if (details.httpStatus !== undefined) view.httpStatus = details.httpStatus;
  return redact(view);
}

/** Job states after which waiting longer changes nothing now (terminal, or parked for later). */
export function isSettledState(state: string): boolean {
  return terminalJobStates.has(state as Job['state']) || parkedJobStates.has(state as Job['state']);
}

export function jobView(job: Job, reused = false): PostView {
  return {
    jobId: job.id,
    idempotencyKey: job.spec.idempotencyKey ?? job.id,
    reused,
    account: job.account ?? null,
    state: job.state,
    status: job.status ?? null,
    final: terminalJobStates.has(job.state),
    publishId: job.publishId ?? null,
    postIds: [...job.postIds],
    attempts: job.attempts,
    label: job.spec.label ?? null,
    error: job.lastError && job.state !== 'published' && job.state !== 'delivered' ? errorView(job.lastError) : null,
  };
}

export function creatorInfoView(account: string, info: CreatorInfo): CreatorInfoView {
  return {
    account,
    nickname: info.nickname ?? null,
    username: info.username ?? null,
    privacyLevelOptions: [...info.privacyLevelOptions],
    commentDisabled: info.commentDisabled,
    duetDisabled: info.duetDisabled,
    stitchDisabled: info.stitchDisabled,
    maxVideoPostDurationSec: info.maxVideoPostDurationSec ?? null,
  };
}

/** A post that ended in the dead-letter queue (refused or failed by TikTok, or given up on). */
export function isFailedPost(value: object): value is PostView & { error: ErrorView } {
  const post = value as Partial<PostView>;
  return post.state === 'dead' && post.error !== null && post.error !== undefined;
}

/** An account as the service shows it: health, caps left and token expiry times (never the token). */
export function accountView(
  record: AccountRecord,
  health: AccountHealth | undefined,
  token: { expires_at: number; refresh_expires_at?: number } | undefined,
  now: number,
): AccountView {
  return {
    id: record.id,
    status: record.status,
    statusReason: record.statusReason ?? null,
    region: record.region ?? null,
    scopes: [...record.scopes],
    health: { breaker: health?.breaker ?? 'closed', score: health?.score ?? 0, queued: health?.queued ?? 0 },
    caps: {
      directPerDay: record.caps.directPerDay,
      draftsPer24h: record.caps.draftsPer24h,
      remainingDirect: health?.remaining.direct ?? 0,
      remainingDraft: health?.remaining.draft ?? 0,
    },
    auth: {
      connected: token !== undefined,
      accessExpiresAt: token?.expires_at ?? null,
      refreshExpiresAt: token?.refresh_expires_at ?? null,
      accessExpired: token !== undefined && token.expires_at <= now,
    },
  };
}
