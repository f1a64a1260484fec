// Typed webhook events. The envelope's `content` is a JSON string that must be parsed a second
// time. TikTok spells the "no longer public" event two ways; both become one canonical name.
import { createHash } from 'node:crypto';
import type { PublishStatus } from '../catalog/statuses';
import { postIdProblem } from '../ids';
import { parseJsonLossless } from '../json';

export interface WebhookEnvelope {
  client_key: string;
  event: string;
  create_time: number;
  user_openid: string;
  content: string;
}

interface Base<E extends string, C> {
  event: E;
  /** The event name exactly as received. */
  rawEvent: string;
  clientKey: string;
  createTime: number;
  openId: string;
  content: C;
  /** Stable id for deduplicating redeliveries. */
  dedupeKey: string;
}

export interface PublishContent {
  publish_id: string;
  publish_type?: string;
}

export type WebhookEvent =
  | Base<'authorization.removed', { reason: number }>
  | Base<'post.publish.failed', PublishContent & { reason: string }>
  | Base<'post.publish.complete', PublishContent>
  | Base<'post.publish.inbox_delivered', PublishContent>
  | Base<'post.publish.publicly_available', PublishContent & { post_id: string }>
  | Base<'post.publish.no_longer_publicly_available', PublishContent & { post_id: string }>
  | Base<'unknown', Record<string, unknown>>;

export type WebhookEventName = WebhookEvent['event'];

/** Received spelling → canonical name. */
export const webhookEventNames: Readonly<Record<string, Exclude<WebhookEventName, 'unknown'>>> = Object.freeze({
  'authorization.removed': 'authorization.removed',
  'post.publish.failed': 'post.publish.failed',
  'post.publish.complete': 'post.publish.complete',
  'post.publish.inbox_delivered': 'post.publish.inbox_delivered',
  'post.publish.publicly_available': 'post.publish.publicly_available',
  'post.publish.no_longer_publicly_available': 'post.publish.no_longer_publicly_available',
  'post.publish.no_longer_publicaly_available': 'post.publish.no_longer_publicly_available', // sic, v2 doc table
});

/** The post status each publish event stands for (TikTok's webhooks, reference §5): what a status fetch
 * would answer at that moment. no_longer_publicly_available is not a status of the publish. */
export const statusByWebhookEvent: Readonly<Partial<Record<WebhookEventName, PublishStatus>>> = Object.freeze({
  'post.publish.complete': 'PUBLISH_COMPLETE',
  'post.publish.publicly_available': 'PUBLISH_COMPLETE',
  'post.publish.inbox_delivered': 'SEND_TO_USER_INBOX',
  'post.publish.failed': 'FAILED',
});

/** Fields each content must carry. */
const requiredContent: Record<string, string[]> = {
  'authorization.removed': ['reason'],
  'post.publish.failed': ['publish_id', 'reason'],
  'post.publish.complete': ['publish_id'],
  'post.publish.inbox_delivered': ['publish_id'],
  'post.publish.publicly_available': ['publish_id', 'post_id'],
  'post.publish.no_longer_publicly_available': ['publish_id', 'post_id'],
};

export class WebhookPayloadError extends Error {
  override readonly name = 'WebhookPayloadError';
}

/** Keeps 19-digit post ids exact (big integers become decimal strings). */
function parseExact(text: string): unknown {
  const result = parseJsonLossless(text);
  if (!result.ok) throw new WebhookPayloadError(result.error);
  return result.value;
}

function asText(raw: string | Uint8Array): string {
  return typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
}

export function parseWebhookEvent(raw: string | Uint8Array | Record<string, unknown>): WebhookEvent {
  let envelope: Record<string, unknown>;
  if (typeof raw === 'string' || raw instanceof Uint8Array) {
    try {
      envelope = parseExact(asText(raw)) as Record<string, unknown>;
    } catch {
      throw new WebhookPayloadError('webhook body is not valid JSON');
    }
  } else {
    envelope = raw;
  }
  if (!envelope || typeof envelope !== 'object' || Array.isArray(envelope))
    throw new WebhookPayloadError('webhook body must be a JSON object');
  const { event, content } = envelope;
  if (typeof event !== 'string' || !event) throw new WebhookPayloadError('webhook field "event" is missing');

  let details: Record<string, unknown> = {};
  if (typeof content === 'string' && content.trim() !== '') {
    try {
      details = parseExact(content) as Record<string, unknown>;
    } catch {
      throw new WebhookPayloadError('webhook field "content" is not a JSON string');
    }
  } else if (content && typeof content === 'object') {
    details = content as Record<string, unknown>; // tolerate an already-parsed object
  }
  if (!details || typeof details !== 'object' || Array.isArray(details))
    throw new WebhookPayloadError('webhook field "content" must hold a JSON object');

  const canonical = webhookEventNames[event];
  for (const field of canonical ? (requiredContent[canonical] ?? []) : []) {
    if (details[field] === undefined || details[field] === null || details[field] === '') {
      throw new WebhookPayloadError(`webhook ${event}: content field "${field}" is missing`);
    }
  }
  if (details.post_id !== undefined) {
    details.post_id = String(details.post_id);
    const problem = postIdProblem(details.post_id);
    if (problem) throw new WebhookPayloadError(`webhook ${event}: content field "post_id" ${problem}`);
  }
  if (details.publish_id !== undefined) details.publish_id = String(details.publish_id);

  const createTime = Number(envelope.create_time ?? 0);
  const openId = String(envelope.user_openid ?? '');
  const dedupeKey = createHash('sha256')
    .update(
      JSON.stringify([event, openId, createTime, typeof content === 'string' ? content : JSON.stringify(details)]),
    )
    .digest('hex');
  return {
    event: canonical ?? 'unknown',
    rawEvent: event,
    clientKey: String(envelope.client_key ?? ''),
    createTime,
    openId,
    content: details,
    dedupeKey,
  } as WebhookEvent;
}
