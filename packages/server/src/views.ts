// Core's records → what the API returns (the shapes in schemas.ts): core's service views where they exist
// (posts, errors, creator info), so every front end shows the same words. Pure; times ISO 8601.
import {
  accountView as serviceAccountView,
  jobView,
  type AccountHealth,
  type AccountRecord,
  type Job,
} from '@tokpipe/core';
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
  // Core's view, with what was used today and ISO 8601 times for the API.
  const view = serviceAccountView(record, health, token, now);
  const { caps, auth } = view;
  return {
    ...view,
    caps: {
      ...caps,
      usedDirectToday: Math.max(0, caps.directPerDay - caps.remainingDirect),
      usedDraftToday: Math.max(0, caps.draftsPer24h - caps.remainingDraft),
    },
    auth: {
      ...auth,
      accessExpiresAt: auth.accessExpiresAt !== null ? iso(auth.accessExpiresAt) : null,
      refreshExpiresAt: auth.refreshExpiresAt ? iso(auth.refreshExpiresAt) : null,
    },
  };
}
