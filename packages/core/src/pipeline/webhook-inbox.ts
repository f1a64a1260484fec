// Webhooks about a publish_id no job holds. An init whose reply was lost ('unknown') has no
// publish_id, yet TikTok still sends post.publish.* events for it, to the account's open_id: kept
// here (persisted, so a later `reconcile` sees what a campaign run received), reconciliation can
// tie such a publish_id to the one unknown job that can own it, then ask its status.
import type { KeyValueStore } from '../ports';
import type { WebhookEvent } from '../webhooks/events';

export const UNMATCHED_WEBHOOK_PREFIX = 'tokpipe/pipeline/webhook-unmatched/';

export interface UnmatchedPublish {
  publishId: string;
  openId: string;
  event: string;
  postId?: string;
  /** When TikTok sent it (epoch ms). */
  at: number;
}

export class WebhookInbox {
  private readonly byPublishId = new Map<string, UnmatchedPublish>();

  constructor(private readonly store: KeyValueStore) {}

  async load(notBefore: number): Promise<void> {
    for (const [key, raw] of await this.store.list(UNMATCHED_WEBHOOK_PREFIX)) {
      const entry = JSON.parse(raw) as UnmatchedPublish;
      if (entry.at < notBefore) await this.store.delete(key);
      else this.byPublishId.set(entry.publishId, entry);
    }
  }

  async record(event: WebhookEvent, now: number): Promise<void> {
    const content = event.content as { publish_id?: unknown; post_id?: unknown };
    if (!event.event.startsWith('post.publish.') || typeof content.publish_id !== 'string') return;
    const at = Number.isFinite(event.createTime) && event.createTime > 0 ? event.createTime * 1000 : now;
    const earlier = this.byPublishId.get(content.publish_id);
    const postId = content.post_id !== undefined ? String(content.post_id) : earlier?.postId;
    const entry: UnmatchedPublish = {
      publishId: content.publish_id,
      openId: event.openId,
      event: event.event,
      ...(postId ? { postId } : {}),
      at: Math.min(at, earlier?.at ?? at),
    };
    this.byPublishId.set(entry.publishId, entry);
    await this.store.set(UNMATCHED_WEBHOOK_PREFIX + entry.publishId, JSON.stringify(entry));
  }

  /** Publish ids TikTok reported for this open_id at or after `notBefore`. */
  forAccount(openId: string, notBefore: number): UnmatchedPublish[] {
    return [...this.byPublishId.values()].filter((e) => e.openId === openId && e.at >= notBefore);
  }

  async claimed(publishId: string): Promise<void> {
    if (!this.byPublishId.delete(publishId)) return;
    await this.store.delete(UNMATCHED_WEBHOOK_PREFIX + publishId);
  }
}
