// Decide, never do: where a job stands, in plain words, for `reconcile`, reports and adapters' DLQ
// views. Says what is known and what happens next; the caller adds how to settle it by hand.
import type { Job, JobState } from './types';

export interface ExplainContext {
  now: number;
  /** Reconciliation gives up (DLQ) this long after the init. */
  reconcileWindowMs: number;
}

const at = (ms: number | undefined): string =>
  ms === undefined || !Number.isFinite(ms) ? 'an unknown time' : new Date(ms).toISOString();

const onAccount = (job: Job): string => (job.account ? ` on ${job.account}` : '');

function deadline(job: Job, context: ExplainContext): string {
  const until = (job.intentAt ?? job.submittedAt) + context.reconcileWindowMs;
  return until > context.now
    ? ` Reconciliation keeps checking until ${at(until)}, then moves it to the dead-letter queue.`
    : '';
}

const byState: Readonly<Record<JobState, (job: Job, context: ExplainContext) => string>> = {
  queued: (job) =>
    job.account
      ? `Queued${onAccount(job)}: nothing sent yet.`
      : 'Waiting for an account that can take it: nothing sent yet.',
  retry_wait: (job) =>
    `Nothing posted yet: retrying at ${at(job.dueAt)} after ${job.lastError?.code ?? 'a temporary failure'}.`,
  deferred: (job) =>
    job.deferredFor === 'publish_at'
      ? `Scheduled: waits for its publish time ${at(job.dueAt)}; nothing sent yet.`
      : `The daily cap${onAccount(job)} is used up, so nothing was sent; it can post from ${at(job.dueAt)}.`,
  posting: (job) => `An init${onAccount(job)} is being sent (started ${at(job.intentAt)}).`,
  accepted: (job) =>
    `TikTok accepted the init${onAccount(job)} (publish_id ${job.publishId}); ` +
    `waiting for its final status (last: ${job.status ?? 'none yet'}).`,
  unconfirmed: (job, context) =>
    `TikTok accepted the init${onAccount(job)} (publish_id ${job.publishId}) but reported no final status in time ` +
    `(last: ${job.status ?? 'none'}).${job.reconcileNote ? ` Last check: ${job.reconcileNote}.` : ''}${deadline(job, context)}`,
  unknown: (job, context) =>
    `The init${onAccount(job)} was sent at ${at(job.intentAt)} but its reply was lost` +
    `${job.lastError ? ` (${job.lastError.code})` : ''}: TikTok may or may not have made the post, so it is never sent again ` +
    `automatically.${job.reconcileNote ? ` Last check: ${job.reconcileNote}.` : ' Not checked yet.'}${deadline(job, context)}`,
  published: (job) =>
    `Published${onAccount(job)}${job.postIds.length ? ` (post ${job.postIds.join(', ')})` : ''}` +
    `${job.resolvedByHand ? ', as confirmed by hand' : ''}.`,
  delivered: (job) =>
    `Delivered to the creator's inbox${onAccount(job)}${job.resolvedByHand ? ', as confirmed by hand' : ''}.`,
  dead: (job) =>
    `In the dead-letter queue: ${job.lastError?.code ?? 'failed'}${job.lastError ? `: ${job.lastError.message}` : ''}` +
    `${job.reconcileNote ? ` Last check: ${job.reconcileNote}.` : ''}`,
};

export function explainJob(job: Job, context: ExplainContext): string {
  return byState[job.state](job, context);
}

/** Jobs whose outcome a person may have to settle (TikTok may have them; no final answer yet). */
export function outcomeOpen(job: Job): boolean {
  if (job.state === 'unknown' || job.state === 'unconfirmed') return true;
  return (
    job.state === 'dead' &&
    (job.lastError?.disposition === 'unknown_outcome' || job.lastError?.code === 'unconfirmed_expired')
  );
}
