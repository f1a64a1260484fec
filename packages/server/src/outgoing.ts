// What subscribers receive: pipeline events → outgoing events with a stable id (the same happening is
// the same id, however often it is seen), and the signature on each delivery. Pure.
import { createHash } from 'node:crypto';
import { SERVER_HEADERS, type Job, type PipelineEvent, type ServerEvent } from '@tokpipe/core';
import { postView } from './views';

export interface OutgoingEvent {
  id: string;
  type: ServerEvent;
  account: string | null;
  createdAt: string;
  data: Record<string, unknown>;
}

export const DELIVERY_SIGNATURE_HEADER = SERVER_HEADERS.signature;
export const DELIVERY_EVENT_ID_HEADER = SERVER_HEADERS.eventId;

const eventId = (basis: string): string => `evt_${createHash('sha256').update(basis).digest('hex').slice(0, 32)}`;

/** Pipeline event → the outgoing events it means (none for most). */
export function outgoingFor(event: PipelineEvent, job: (id: string) => Job | undefined): OutgoingEvent[] {
  const at = new Date(event.at).toISOString();
  const forJob = (type: ServerEvent, jobId: string, discriminator: string): OutgoingEvent[] => {
    const found = job(jobId);
    if (!found) return [];
    return [
      {
        id: eventId(`${type}:${jobId}:${discriminator}`),
        type,
        account: found.account ?? null,
        createdAt: at,
        data: { post: postView(found) },
      },
    ];
  };
  switch (event.type) {
    case 'job_published':
      return forJob('published', event.jobId, job(event.jobId)?.publishId ?? '');
    case 'job_delivered':
      return forJob('inbox', event.jobId, job(event.jobId)?.publishId ?? '');
    case 'job_unconfirmed':
    case 'job_unknown_outcome':
      return forJob('unconfirmed', event.jobId, String(job(event.jobId)?.attempts ?? 0));
    case 'job_dead_lettered': {
      const attempts = String(job(event.jobId)?.attempts ?? 0);
      const failed = event.error.disposition === 'unknown_outcome' ? [] : forJob('failed', event.jobId, attempts);
      return [...failed, ...forJob('dlq', event.jobId, attempts)];
    }
    case 'account_status':
      if (event.status !== 'needs_reauth') return [];
      return [
        {
          id: eventId(`token_expiring:${event.account}:${event.at}`),
          type: 'token_expiring',
          account: event.account,
          createdAt: at,
          data: {
            account: event.account,
            status: event.status,
            reason: event.reason ?? null,
            action: 'connect the account again (GET /connect)',
          },
        },
      ];
    default:
      return [];
  }
}

/** Refresh tokens that expire within `horizonMs` (or have): one event per account and expiry date, so a
 * repeated check, or a restart, tells subscribers once. Pure. */
export function expiringTokens(
  tokens: Array<{ account: string; refreshExpiresAt: number | undefined }>,
  now: number,
  horizonMs: number,
): OutgoingEvent[] {
  return tokens
    .filter((t) => t.refreshExpiresAt !== undefined && t.refreshExpiresAt - now <= horizonMs)
    .map((t) => ({
      id: eventId(`token_expiring:${t.account}:refresh:${t.refreshExpiresAt}`),
      type: 'token_expiring' as const,
      account: t.account,
      createdAt: new Date(now).toISOString(),
      data: {
        account: t.account,
        refreshExpiresAt: new Date(t.refreshExpiresAt!).toISOString(),
        action: 'connect the account again before then (POST /v1/connect), or posts will stop',
      },
    }));
}
