// Core's records → what the API returns (the shapes in schemas.ts). Pure; strings pass through core's
// redaction, times are ISO 8601, post ids stay exact strings.
import { redact, redactText, terminalJobStates, type AccountHealth, type AccountRecord, type ErrorDetails, type Job } from '@tokpipe/core';
import type { z } from 'zod';
import type { accountSchema, errorSchema, postSchema } from './schemas';
import type { TimelineStep } from './timeline';

const iso = (ms: number): string => new Date(ms).toISOString();

export function errorView(details: ErrorDetails): z.infer<typeof errorSchema> {
  return redact({
    class: details.category,
    code: details.code,
    layer: details.layer,
    action: details.action,
    message: redactText(details.problem ?? details.message),
    ...(details.logId ? { logId: details.logId } : {}),
    ...(details.field ? { field: details.field } : {}),
  });
}

export function postView(job: Job, timeline?: TimelineStep[]): z.infer<typeof postSchema> {
  return {
    id: job.id,
    idempotencyKey: job.spec.idempotencyKey ?? job.id,
    account: job.account ?? null,
    state: job.state,
    status: job.status ?? null,
    final: terminalJobStates.has(job.state),
    publishId: job.publishId ?? null,
    postIds: [...job.postIds],
    attempts: job.attempts,
    label: job.spec.label ?? null,
    submittedAt: iso(job.submittedAt),
    error: job.lastError && job.state !== 'published' && job.state !== 'delivered' ? errorView(job.lastError) : null,
    ...(timeline ? { timeline: timeline.map((s) => ({ ...s, at: iso(s.at) })) } : {}),
  };
}

export interface TokenTimes {
  expires_at: number;
  refresh_expires_at?: number;
}

export function accountView(
  record: AccountRecord,
  health: AccountHealth | undefined,
  token: TokenTimes | undefined,
  now: number,
): z.infer<typeof accountSchema> {
  const remainingDirect = health?.remaining.direct ?? 0;
  const remainingDraft = health?.remaining.draft ?? 0;
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
      usedDirectToday: Math.max(0, record.caps.directPerDay - remainingDirect),
      usedDraftToday: Math.max(0, record.caps.draftsPer24h - remainingDraft),
      remainingDirect,
      remainingDraft,
    },
    auth: {
      connected: token !== undefined,
      accessExpiresAt: token ? iso(token.expires_at) : null,
      refreshExpiresAt: token?.refresh_expires_at ? iso(token.refresh_expires_at) : null,
      accessExpired: token !== undefined && token.expires_at <= now,
    },
  };
}
