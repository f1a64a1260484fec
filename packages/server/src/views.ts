// Core's records → what the API returns (the shapes in schemas.ts): core's service views where they exist
// (posts, errors, creator info), so every front end shows the same words. Pure; times ISO 8601.
import { jobView, type AccountHealth, type AccountRecord, type Job } from '@tokpipe/core';
import type { z } from 'zod';
import type { accountSchema, postSchema } from './schemas';
import type { TimelineStep } from './timeline';

const iso = (ms: number): string => new Date(ms).toISOString();

/** Core's post view (the one MCP and the console show) with when it was submitted and, for one post,
 * its timeline. */
export function postView(
  job: Job,
  options: { reused?: boolean; timeline?: TimelineStep[] } = {},
): z.infer<typeof postSchema> {
  return {
    ...jobView(job, options.reused ?? false),
    submittedAt: iso(job.submittedAt),
    ...(options.timeline ? { timeline: options.timeline.map((s) => ({ ...s, at: iso(s.at) })) } : {}),
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
