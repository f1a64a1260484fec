// A row of the engine's tokpipe.jobs as core's job: what GET /v1/posts(/:id) shows for a queue post and
// what its outgoing events carry (queue-posts.ts, queue-events.ts). Pure.
import type { ErrorDetails, Job, JobState, PublishStatus, TimelineStep } from '@tokpipe/core';
import { generationOf, type JobRow, type JobState as RowState } from '@tokpipe/engine';

/** A queue row's state in core's words (a draft that reached the inbox is 'delivered'). */
export const stateByRow: Readonly<Record<RowState, JobState>> = {
  queued: 'queued',
  posting: 'posting',
  retry: 'retry_wait',
  published: 'published',
  unconfirmed: 'unconfirmed',
  unknown: 'unknown',
  dead: 'dead',
};
export const rowStatesOf = (state: string): RowState[] =>
  state === 'delivered'
    ? ['published']
    : (Object.keys(stateByRow) as RowState[]).filter((s) => stateByRow[s] === state);

/** The step a settled row stands for (what the worker's last transition said). */
export const finalStep: Partial<Record<JobState, TimelineStep['step']>> = {
  published: 'job_published',
  delivered: 'job_delivered',
  dead: 'job_dead_lettered',
  unknown: 'job_unknown_outcome',
  unconfirmed: 'job_unconfirmed',
};

/** The status TikTok answered for a row the worker settled as a success. */
const finalStatus = { published: 'PUBLISH_COMPLETE', delivered: 'SEND_TO_USER_INBOX' } as const satisfies Record<
  'published' | 'delivered',
  PublishStatus
>;

export type Row = JobRow & { updated_at: number };
export const COLUMNS = 'id, account, spec, state, publish_id, attempts, error, updated_at';

/** A queue row as core's job (what GET /v1/posts/:id and the outgoing events show). */
export function jobOf(row: Row): Job {
  const spec = row.spec.spec ?? {
    account: row.account,
    mode: row.spec.request.mode,
    media: { type: 'video_url', url: '' },
  };
  const base = stateByRow[row.state];
  const state = base === 'published' && spec.mode === 'draft' ? 'delivered' : base;
  const settled = finalStep[state] !== undefined;
  return {
    id: row.id,
    seq: 0,
    spec,
    account: row.account,
    state,
    attempts: row.attempts,
    generation: generationOf(row), // replays from the dead-letter queue
    ...(row.publish_id ? { publishId: row.publish_id } : {}),
    // TikTok's final word for a settled success (the row keeps no status of its own).
    ...(state === 'published' || state === 'delivered' ? { status: finalStatus[state] } : {}),
    postIds: [],
    submittedAt: row.spec.submittedAt ?? row.updated_at,
    ...(settled ? { completedAt: row.updated_at } : {}),
    retries: Math.max(0, row.attempts - 1),
    rateLimitWaits: 0,
    refusedBy: [],
    ...(row.error ? { lastError: row.error as ErrorDetails } : {}),
  };
}
