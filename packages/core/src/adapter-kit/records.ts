// What adapters output besides a post's outcome (catalog/outcome-fields.ts): a TikTok reply read
// through core's reply fields, a webhook event as a flat record, a watched post's status as of now.
import type { ReplyField } from '../catalog/adapter-vocabulary';
import { isFinalStatus } from '../catalog/statuses';
import { classifyFailReason } from '../errors/classify';
import { defaultPollSchedule } from '../polling';
import type { WebhookEvent } from '../webhooks/events';

/** core's camelCase name in a platform's snake_case. */
export const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export const snakeCaseKeys = (record: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [snakeCase(k), v]));

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** One TikTok reply (a video of the list) as core's reply fields say, read tolerantly: ids are exact
 * strings, epoch seconds become ISO times, a missing number is null. */
export function replyRecord(fields: readonly ReplyField[], reply: Record<string, unknown>): Record<string, unknown> {
  const value = (f: ReplyField): unknown => {
    const raw = reply[f.source];
    if (f.type === 'datetime') return typeof raw === 'number' ? new Date(raw * 1000).toISOString() : null;
    if (f.type === 'number') return typeof raw === 'number' ? raw : null;
    return text(raw);
  };
  return Object.fromEntries(fields.map((f) => [f.name, value(f)]));
}

/** The webhook events a user can pick, by core's canonical name, with what each means. */
export const WEBHOOK_EVENT_OPTIONS: ReadonlyArray<{ value: string; label: string; description: string }> =
  Object.freeze([
    {
      value: 'post.publish.complete',
      label: 'Publish Complete',
      description: 'The post is published (or the user posted the draft)',
    },
    {
      value: 'post.publish.failed',
      label: 'Publish Failed',
      description: 'TikTok gave up on the post; carries the reason and its classification',
    },
    {
      value: 'post.publish.inbox_delivered',
      label: 'Inbox Delivered',
      description: "A draft reached the creator's TikTok inbox",
    },
    {
      value: 'post.publish.publicly_available',
      label: 'Publicly Available',
      description: 'The post became publicly viewable',
    },
    {
      value: 'post.publish.no_longer_publicly_available',
      label: 'No Longer Public',
      description: 'The post stopped being public (both TikTok spellings)',
    },
    {
      value: 'authorization.removed',
      label: 'Authorization Removed',
      description: 'The user disconnected the app; the token is already revoked',
    },
  ]);

/** authorization.removed's reason number, in words (TikTok's webhook reference). */
export const AUTHORIZATION_REMOVED_REASONS: Readonly<Record<number, string>> = Object.freeze({
  0: 'unknown',
  1: 'user_disconnected',
  2: 'account_deleted',
  3: 'age_changed',
  4: 'account_banned',
  5: 'developer_revoked',
});

/** One event as a flat record: its content's keys, and for a failed post the classification of its
 * reason (what to do next). `eventKey` is the same for every redelivery: what to deduplicate on. */
export function webhookEventRecord(event: WebhookEvent): Record<string, unknown> {
  const record: Record<string, unknown> = {
    event: event.event,
    rawEvent: event.rawEvent,
    eventKey: event.dedupeKey,
    openId: event.openId,
    createTime: event.createTime,
    ...event.content,
  };
  if (event.event === 'post.publish.failed') {
    const { layer, code, disposition, category, retryable, action } = classifyFailReason(event.content.reason);
    Object.assign(record, { failReason: event.content.reason, layer, code, disposition, category, retryable, action });
  }
  if (event.event === 'authorization.removed') {
    record.reasonName = AUTHORIZATION_REMOVED_REASONS[event.content.reason] ?? 'unknown';
  }
  return record;
}

/** A watched post's last known status as of `now`: not final past core's polling budget, it is
 * UNCONFIRMED, as the poster reports it (check later; never assume it failed). */
export function statusAsOf(status: string, createdAt: number, now: number): string {
  return !isFinalStatus(status) && now - createdAt > defaultPollSchedule.budgetMs ? 'UNCONFIRMED' : status;
}

/** A polling trigger's new items by id: those not seen before, oldest first, and the ids to remember
 * (newest first, at most `keep`). The first poll (nothing remembered yet) only records what is there. */
export function newSincePoll<T extends { id: string }>(
  seenBefore: readonly string[] | undefined,
  newestFirst: T[],
  keep = 500,
) {
  const seen = new Set(seenBefore ?? []);
  const fresh = newestFirst.filter((item) => !seen.has(item.id));
  return {
    fresh: seenBefore === undefined ? [] : [...fresh].reverse(),
    remember: [...fresh.map((item) => item.id), ...seen].slice(0, keep),
  };
}
