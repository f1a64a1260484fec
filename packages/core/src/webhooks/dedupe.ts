// TikTok delivers webhooks at least once (redelivered for up to 72 h): process each event once.
// Bounded memory by default; store-backed (survives restarts) when a KeyValueStore is given.
import type { Clock, KeyValueStore } from '../ports';

export interface WebhookDedupeOptions {
  clock: Clock;
  store?: KeyValueStore;
  /** How long a delivery is remembered. Default 72 h (TikTok's redelivery horizon). */
  ttlMs?: number;
  /** In-memory mode: most keys remembered (oldest forgotten first). Default 10 000. */
  maxEntries?: number;
  prefix?: string;
}

export class WebhookDeduper {
  private readonly memory = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly prefix: string;

  constructor(private readonly options: WebhookDedupeOptions) {
    this.ttlMs = options.ttlMs ?? 72 * 3_600_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.prefix = options.prefix ?? 'tokpipe/webhook-seen/';
  }

  /** True the first time a key is seen (process it); false for a redelivery (skip it). */
  async firstSighting(dedupeKey: string): Promise<boolean> {
    const now = this.options.clock.now();
    const { store } = this.options;
    if (store) {
      const seen = await store.get(this.prefix + dedupeKey);
      if (seen !== undefined && now - Number(seen) < this.ttlMs) return false;
      // A shared store: only the writer that replaces what it read wins, so two copies at once fire once.
      if (store.compareAndSet) return store.compareAndSet(this.prefix + dedupeKey, seen, String(now));
      await store.set(this.prefix + dedupeKey, String(now));
      return true;
    }
    const seenAt = this.memory.get(dedupeKey);
    if (seenAt !== undefined && now - seenAt < this.ttlMs) return false;
    this.memory.delete(dedupeKey);
    this.memory.set(dedupeKey, now);
    while (this.memory.size > this.maxEntries) this.memory.delete(this.memory.keys().next().value as string);
    return true;
  }

  /** Drops expired keys from the store (in-memory mode expires by itself). */
  async prune(): Promise<number> {
    const { store } = this.options;
    if (!store) return 0;
    const now = this.options.clock.now();
    let removed = 0;
    for (const [key, value] of await store.list(this.prefix)) {
      if (now - Number(value) >= this.ttlMs) {
        await store.delete(key);
        removed++;
      }
    }
    return removed;
  }
}
