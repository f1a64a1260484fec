// One webhook delivery to an adapter's endpoint, decided: what to answer TikTok and whether a
// workflow runs. The adapter only reads the request and writes the answer.
import type { Clock, KeyValueStore } from '../ports';
import { WebhookDeduper } from '../webhooks/dedupe';
import { parseWebhookEvent, type WebhookEvent } from '../webhooks/events';
import { verifyTikTokSignature, type VerifySignatureInput } from '../webhooks/signature';
import { webhookEventRecord } from './records';

export interface WebhookDeliveryInput {
  headers: VerifySignatureInput['header'];
  rawBody: Uint8Array;
  /** The app's client secret (TikTok signs with it). */
  secret: string;
  clock: Clock;
  toleranceSec?: number;
  /** Where redeliveries are remembered (TikTok redelivers for up to 72 h). */
  store: KeyValueStore;
  /** Canonical event names the user picked; empty: every event. */
  wanted: readonly string[];
}

export interface WebhookDelivery {
  /** The HTTP answer: 401 for a bad signature, else 200 (anything else makes TikTok redeliver). */
  status: 200 | 401;
  body: Record<string, unknown>;
  /** The event as the workflow receives it: absent when nothing should run. */
  record?: Record<string, unknown>;
  event?: WebhookEvent;
}

export async function receiveWebhook(input: WebhookDeliveryInput): Promise<WebhookDelivery> {
  const check = verifyTikTokSignature({
    header: input.headers,
    rawBody: input.rawBody,
    secret: input.secret,
    now: input.clock.now(),
    toleranceSec: input.toleranceSec,
  });
  if (!check.ok) return { status: 401, body: { error: 'invalid TikTok-Signature', reason: check.reason } };
  let event: WebhookEvent;
  try {
    event = parseWebhookEvent(input.rawBody);
  } catch (error) {
    // Signed but unreadable: answered 200 so TikTok stops redelivering what can never be processed.
    return { status: 200, body: { ok: false, ignored: (error as Error).message } };
  }
  const deduper = new WebhookDeduper({ clock: input.clock, store: input.store });
  const selected = input.wanted.length === 0 || input.wanted.includes(event.event);
  if (!selected || !(await deduper.firstSighting(event.dedupeKey))) {
    return { status: 200, body: { ok: true, skipped: selected ? 'duplicate' : 'event not selected' } };
  }
  await deduper.prune();
  return { status: 200, body: { ok: true, event: event.event }, record: webhookEventRecord(event), event };
}
