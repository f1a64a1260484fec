// Received webhook events, once each across every process: the event's dedupe key is the primary
// key, so of two processes receiving the same (re)delivery exactly one is told to handle it.
import type { WebhookEvent } from '@tokpipe/core';
import type { Db } from '../db/db';

/** True the first time this event is seen by any process on the database (handle it); false for a
 * redelivery (skip it). */
export async function recordWebhookEvent(db: Db, event: WebhookEvent, now: number): Promise<boolean> {
  const content = event.content as { publish_id?: unknown };
  const publishId = typeof content.publish_id === 'string' ? content.publish_id : null;
  const inserted = await db.query(
    `INSERT INTO tokpipe.webhook_events (event_key, event, publish_id, body, received_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (event_key) DO NOTHING`,
    [event.dedupeKey, event.event, publishId, JSON.stringify(event), now],
  );
  return inserted.rowCount === 1;
}
