// Webhook deliveries: signed TikTok-Signature POSTs to the configured callback, redelivered with
// exponential backoff until the receiver answers 200 (given up after webhookGiveUpMs), with
// drop / duplicate / reorder faults. Post events are derived from the lazy post timelines.
import type { Engine } from './engine';
import { hmacHex, toJson } from './util';
import { postView } from './world';

export interface DeliveryAttempt {
  at: number;
  status: number | null;
  error: string | null;
}

export interface Delivery {
  id: number;
  event: string;
  openId: string;
  clientKey: string;
  publishId: string | null;
  /** The exact raw body sent (content is a JSON string inside it). */
  body: string;
  /** When the event happened (virtual ms). */
  createdAt: number;
  dueAt: number;
  attempts: DeliveryAttempt[];
  state: 'pending' | 'delivered' | 'dropped' | 'expired';
  fault: string | null;
  /** Set on the extra copy a "duplicate" fault makes. */
  copyOf: number | null;
}

const RECEIVER_TIMEOUT_MS = 5_000;

export class Webhooks {
  deliveries: Delivery[] = [];
  private nextId = 0;
  private chain: Promise<void> = Promise.resolve();
  busy = false;

  /** `signNow`: the time TikTok-Signature's t= carries. TikTok signs with wall time, so a sandbox on its
   * own (scaled) clock does too; one on an injected clock signs with that clock (tests move it). */
  constructor(
    private readonly engine: Engine,
    private readonly signNow: () => number = () => engine.now(),
  ) {}

  reset(): void {
    this.deliveries = [];
    this.nextId = 0;
  }

  /** Queues one event for delivery, applying the next webhook fault. */
  enqueue(event: string, openId: string, clientKey: string, content: Record<string, unknown>, at: number): void {
    const body = JSON.stringify({
      client_key: clientKey,
      event,
      create_time: Math.floor(at / 1000),
      user_openid: openId,
      content: toJson(content),
    });
    const fault = this.engine.faults.next('webhook');
    const make = (copyOf: number | null): Delivery => ({
      id: ++this.nextId,
      event,
      openId,
      clientKey,
      publishId: typeof content.publish_id === 'string' ? content.publish_id : null,
      body,
      createdAt: at,
      dueAt: at,
      attempts: [],
      state: 'pending',
      fault: fault.kind === 'none' ? null : fault.kind,
      copyOf,
    });
    const d = make(null);
    this.deliveries.push(d);
    if (fault.kind === 'drop') d.state = 'dropped';
    if (fault.kind === 'reorder') d.dueAt += this.engine.config.webhookReorderDelayMs;
    if (fault.kind === 'duplicate') this.deliveries.push(make(d.id));
  }

  /** Post events that have happened by now and were not queued yet. */
  private collectPostEvents(): void {
    const now = this.engine.now();
    for (const post of this.engine.world.posts.values()) {
      for (const ev of postView(post, now, this.engine.config).events) {
        if (post.emitted.has(ev.key)) continue;
        post.emitted.add(ev.key);
        this.enqueue(ev.event, post.openId, post.clientKey, ev.content, ev.at);
      }
    }
  }

  /** Collects new events and sends every due delivery, oldest first. Serialized; a failed pass
   * rejects its caller but does not block later passes. */
  runDue(): Promise<void> {
    const pass = this.chain.then(() => this.runOnce());
    this.chain = pass.catch(() => undefined);
    return pass;
  }

  private async runOnce(): Promise<void> {
    this.busy = true;
    try {
      this.collectPostEvents();
      const url = this.engine.config.webhookUrl;
      if (!url) return;
      const now = this.engine.now();
      const due = this.deliveries
        .filter((d) => d.state === 'pending' && d.dueAt <= now)
        .sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
      for (const d of due) await this.attempt(d, url);
    } finally {
      this.busy = false;
    }
  }

  private async attempt(d: Delivery, url: string): Promise<void> {
    const cfg = this.engine.config;
    const now = this.engine.now();
    if (now - d.createdAt > cfg.webhookGiveUpMs) {
      d.state = 'expired';
      return;
    }
    const app = this.engine.world.apps.get(d.clientKey);
    const t = Math.floor(this.signNow() / 1000);
    const signature = `t=${t},s=${hmacHex(app ? app.clientSecret : '', `${t}.${d.body}`)}`;
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'TikTok-Signature': signature },
        body: d.body,
        signal: AbortSignal.timeout(RECEIVER_TIMEOUT_MS),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? 'timeout' : 'connection_failed';
    }
    d.attempts.push({ at: now, status, error });
    if (status === 200) {
      d.state = 'delivered';
      return;
    }
    const backoff = Math.min(cfg.webhookBackoffCapMs, cfg.webhookBackoffBaseMs * 2 ** (d.attempts.length - 1));
    d.dueAt = now + backoff;
  }
}
