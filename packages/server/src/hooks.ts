// Outgoing subscriptions (REST hooks). An outgoing event is recorded once (its stable id), one delivery
// per matching subscription is stored, and a background deliverer sends them: signed, retried with
// backoff on the injected clock for up to 72 h, each attempt logged. A subscription failing too often in
// a row is paused with an alert. Intake never waits for any of this (emit only stores and wakes).
import { randomBytes } from 'node:crypto';
import {
  TransportError,
  type Clock,
  type KeyValueStore,
  type Logger,
  type Pipeline,
  signDelivery,
  type Transport,
} from '@tokpipe/core';
import { DELIVERY_EVENT_ID_HEADER, DELIVERY_SIGNATURE_HEADER, outgoingFor, type OutgoingEvent } from './outgoing';
import type { SubscriptionEvent } from './schemas';
import { createOnce, KeyedQueue, PREFIXES, readJson } from './state';

export interface DeliveryPolicy {
  /** Waits before the 2nd, 3rd, ... attempt; then `thenEveryMs`. */
  delaysMs: number[];
  thenEveryMs: number;
  /** No attempt after this long since the first (72 h). */
  giveUpAfterMs: number;
  /** Real ms a subscriber has to answer. */
  timeoutMs: number;
  /** Failed attempts in a row (any delivery) after which the subscription is paused. */
  pauseAfterFailures: number;
  /** Deliveries in flight at once. */
  concurrency: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  delaysMs: [10_000, 60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000],
  thenEveryMs: 6 * 3_600_000,
  giveUpAfterMs: 72 * 3_600_000,
  timeoutMs: 10_000,
  pauseAfterFailures: 20,
  concurrency: 16,
};

/** How long the fan-out may use its copy of the subscription list (clock ms). */
const SUBSCRIPTION_CACHE_MS = 1_000;

export interface Subscription {
  id: string;
  targetUrl: string;
  events: SubscriptionEvent[];
  accounts?: string[];
  label?: string;
  secret: string;
  status: 'active' | 'paused';
  pausedReason?: string;
  consecutiveFailures: number;
  createdAt: number;
  /** The API key that made it. */
  keyId: string;
}

export interface DeliveryAttempt {
  at: number;
  status: number | null;
  error: string | null;
}

export interface Delivery {
  id: string;
  subscriptionId: string;
  eventId: string;
  event: SubscriptionEvent;
  account: string | null;
  body: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: DeliveryAttempt[];
  firstAt: number;
  nextAt: number | null;
}

export interface HooksOptions {
  store: KeyValueStore;
  clock: Clock;
  /** The signature's t= (wall time: subscribers check it against theirs). Default Date.now. */
  wallClock?: Pick<Clock, 'now'>;
  transport: Transport;
  log: Logger;
  policy?: Partial<DeliveryPolicy>;
}

export class Hooks {
  readonly policy: DeliveryPolicy;
  /** Pending deliveries due now, in order, and those due later (id → when). */
  private readonly ready: string[] = [];
  private readonly readySet = new Set<string>();
  private readonly later = new Map<string, number>();
  private laterChanged = false;
  private cached?: { at: number; list: Subscription[] };
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly perSubscription = new KeyedQueue();
  private running = false;
  private loop?: Promise<void>;
  private wake: () => void = () => undefined;

  constructor(private readonly options: HooksOptions) {
    this.policy = { ...DEFAULT_DELIVERY_POLICY, ...options.policy };
  }

  private get store(): KeyValueStore {
    return this.options.store;
  }

  async subscribe(input: {
    targetUrl: string;
    events: SubscriptionEvent[];
    accounts?: string[];
    label?: string;
    keyId: string;
  }): Promise<Subscription> {
    const sub: Subscription = {
      id: `sub_${randomBytes(8).toString('hex')}`,
      targetUrl: input.targetUrl,
      events: [...new Set(input.events)],
      ...(input.accounts?.length ? { accounts: input.accounts } : {}),
      ...(input.label ? { label: input.label } : {}),
      secret: `whsec_${randomBytes(32).toString('hex')}`,
      status: 'active',
      consecutiveFailures: 0,
      createdAt: this.options.clock.now(),
      keyId: input.keyId,
    };
    await this.store.set(PREFIXES.subscriptions + sub.id, JSON.stringify(sub));
    this.cached = undefined;
    return sub;
  }

  async unsubscribe(id: string): Promise<boolean> {
    if (!(await this.subscription(id))) return false;
    await this.store.delete(PREFIXES.subscriptions + id);
    this.cached = undefined;
    return true;
  }

  subscription(id: string): Promise<Subscription | undefined> {
    return readJson<Subscription>(this.store, PREFIXES.subscriptions + id);
  }

  async subscriptions(): Promise<Subscription[]> {
    return (await this.store.list(PREFIXES.subscriptions)).map(([, v]) => JSON.parse(v) as Subscription);
  }

  /** The subscriptions the fan-out matches against: read from the store at most once per
   * `SUBSCRIPTION_CACHE_MS` of the clock (another process's new subscription shows within that), and
   * at once after a change made here. */
  private async activeList(): Promise<Subscription[]> {
    const now = this.options.clock.now();
    if (!this.cached || now - this.cached.at >= SUBSCRIPTION_CACHE_MS || now < this.cached.at)
      this.cached = { at: now, list: await this.subscriptions() };
    return this.cached.list;
  }

  async resume(id: string): Promise<Subscription | undefined> {
    const sub = await this.updateSubscription(id, (s) => ({
      ...s,
      status: 'active',
      consecutiveFailures: 0,
      pausedReason: undefined,
    }));
    if (sub)
      for (const d of await this.deliveries(id))
        if (d.state === 'pending') this.schedule(d.id, d.nextAt ?? this.options.clock.now());
    return sub;
  }

  async deliveries(subscriptionId?: string): Promise<Delivery[]> {
    const all = (await this.store.list(PREFIXES.deliveries)).map(([, v]) => JSON.parse(v) as Delivery);
    return subscriptionId ? all.filter((d) => d.subscriptionId === subscriptionId) : all;
  }

  delivery(id: string): Promise<Delivery | undefined> {
    return readJson<Delivery>(this.store, PREFIXES.deliveries + id);
  }

  /** Sends a delivery again now (by hand), whatever its state. */
  async redeliver(id: string): Promise<Delivery | undefined> {
    const d = await this.delivery(id);
    if (!d) return undefined;
    const again: Delivery = {
      ...d,
      state: 'pending',
      nextAt: this.options.clock.now(),
      firstAt: this.options.clock.now(),
    };
    await this.store.set(PREFIXES.deliveries + id, JSON.stringify(again));
    this.schedule(id, again.nextAt!);
    return again;
  }

  /** The latest outgoing events, newest first (samples for a platform's trigger set-up, or a catch-up). */
  async recentEvents(filter: {
    type?: SubscriptionEvent;
    accounts?: string[];
    limit: number;
  }): Promise<OutgoingEvent[]> {
    return (await this.store.list(PREFIXES.outbox))
      .map(([, v]) => JSON.parse(v) as OutgoingEvent)
      .filter(
        (e) =>
          (!filter.type || e.type === filter.type) &&
          (!filter.accounts || (e.account !== null && filter.accounts.includes(e.account))),
      )
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
      .slice(0, filter.limit);
  }

  /** Subscribes to the pipeline's events; returns the unsubscribe function. */
  follow(pipeline: Pipeline): () => void {
    return pipeline.on((event) => {
      for (const out of outgoingFor(event, (id) => pipeline.getJob(id)))
        void this.emit(out).catch((error: unknown) =>
          this.options.log('error', `event ${out.type} not recorded: ${(error as Error).message}`),
        );
    });
  }

  /** Records an event once (by id) and one delivery per matching subscription; wakes the deliverer. */
  async emit(event: OutgoingEvent): Promise<number> {
    if (!(await createOnce(this.store, PREFIXES.outbox + event.id, event))) return 0;
    const body = JSON.stringify(event);
    const now = this.options.clock.now();
    let count = 0;
    for (const sub of await this.activeList()) {
      if (!sub.events.includes(event.type)) continue;
      if (sub.accounts && (event.account === null || !sub.accounts.includes(event.account))) continue;
      const delivery: Delivery = {
        id: `dlv_${event.id.slice(4, 20)}${sub.id.slice(4)}`,
        subscriptionId: sub.id,
        eventId: event.id,
        event: event.type,
        account: event.account,
        body,
        state: 'pending',
        attempts: [],
        firstAt: now,
        nextAt: now,
      };
      if (!(await createOnce(this.store, PREFIXES.deliveries + delivery.id, delivery))) continue;
      count++;
      if (sub.status === 'active') this.schedule(delivery.id, now);
    }
    return count;
  }

  /** Loads pending deliveries and starts the background deliverer. */
  async start(): Promise<void> {
    const paused = new Set((await this.subscriptions()).filter((s) => s.status === 'paused').map((s) => s.id));
    for (const d of await this.deliveries())
      if (d.state === 'pending' && !paused.has(d.subscriptionId))
        this.schedule(d.id, d.nextAt ?? this.options.clock.now());
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.all(this.inFlight.values());
  }

  /** Resolves when nothing is due now and nothing is in flight (tests, benches). */
  async settled(): Promise<void> {
    for (;;) {
      await Promise.all(this.inFlight.values());
      const now = this.options.clock.now();
      if (this.inFlight.size === 0 && this.ready.length === 0 && ![...this.later.values()].some((at) => at <= now))
        return;
      await new Promise((r) => setImmediate(r));
    }
  }

  private schedule(id: string, at: number): void {
    if (at <= this.options.clock.now()) {
      this.later.delete(id);
      if (!this.readySet.has(id)) {
        this.readySet.add(id);
        this.ready.push(id);
      }
    } else {
      this.later.set(id, at);
      this.laterChanged = true;
    }
    this.wake();
  }

  /** Moves deliveries whose time has come from `later` to `ready`; returns the next wake time. */
  private promote(now: number): number {
    let next = Infinity;
    for (const [id, at] of this.later) {
      if (at <= now) {
        this.later.delete(id);
        this.schedule(id, at);
      } else if (at < next) next = at;
    }
    return next;
  }

  private async run(): Promise<void> {
    let nextLater = -Infinity;
    while (this.running) {
      const now = this.options.clock.now();
      if (nextLater <= now || this.laterChanged) {
        this.laterChanged = false;
        nextLater = this.promote(now);
      }
      while (this.ready.length > 0 && this.inFlight.size < this.policy.concurrency) {
        const id = this.ready.shift()!;
        this.readySet.delete(id);
        if (this.inFlight.has(id)) continue;
        const attempt = this.attempt(id)
          .catch((error: unknown) => this.options.log('error', `delivery ${id} failed: ${(error as Error).message}`))
          .finally(() => {
            this.inFlight.delete(id);
            this.wake();
          });
        this.inFlight.set(id, attempt);
      }
      const woken = new Promise<void>((resolve) => (this.wake = resolve));
      if (this.ready.length > 0 && this.inFlight.size < this.policy.concurrency) continue;
      if (Number.isFinite(nextLater)) await Promise.race([woken, this.options.clock.sleep(nextLater - now)]);
      else await woken;
    }
  }

  private async attempt(id: string): Promise<void> {
    const d = await this.delivery(id);
    if (!d || d.state !== 'pending') return;
    const sub = await this.subscription(d.subscriptionId);
    if (!sub)
      return this.save({
        ...d,
        state: 'failed',
        nextAt: null,
        attempts: [...d.attempts, { at: this.options.clock.now(), status: null, error: 'unsubscribed' }],
      });
    if (sub.status === 'paused') return; // resumed by hand
    const t = Math.floor((this.options.wallClock ?? { now: () => Date.now() }).now() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const reply = await this.options.transport({
        method: 'POST',
        url: sub.targetUrl,
        headers: {
          'content-type': 'application/json',
          [DELIVERY_SIGNATURE_HEADER]: signDelivery(sub.secret, t, d.eventId, d.body),
          [DELIVERY_EVENT_ID_HEADER]: d.eventId,
          'tokpipe-delivery-id': d.id,
          'tokpipe-event': d.event,
        },
        body: d.body,
        timeoutMs: this.policy.timeoutMs,
      });
      status = reply.status;
    } catch (err) {
      error = err instanceof TransportError ? err.kind : 'other';
    }
    const now = this.options.clock.now();
    const ok = status !== null && status >= 200 && status < 300;
    const attempts = [...d.attempts, { at: now, status, error }];
    // Ids, event name, status: nothing secret (the target URL is not logged).
    this.options.log(ok ? 'info' : 'warn', `delivery ${d.id} (${d.event}) to ${sub.id}: ${status ?? error}`);
    if (ok) {
      await this.save({ ...d, state: 'delivered', attempts, nextAt: null });
      await this.updateSubscription(sub.id, (s) =>
        s.consecutiveFailures === 0 ? s : { ...s, consecutiveFailures: 0 },
      );
      return;
    }
    if (status === 410) {
      // Gone: the subscriber says it will never take deliveries again (REST-hook convention).
      await this.save({ ...d, state: 'failed', attempts, nextAt: null });
      await this.unsubscribe(sub.id);
      return;
    }
    const delay = this.policy.delaysMs[d.attempts.length] ?? this.policy.thenEveryMs;
    const giveUp = now + delay - d.firstAt > this.policy.giveUpAfterMs;
    await this.save({ ...d, state: giveUp ? 'failed' : 'pending', attempts, nextAt: giveUp ? null : now + delay });
    const updated = await this.updateSubscription(sub.id, (s) => {
      const failures = s.consecutiveFailures + 1;
      if (failures < this.policy.pauseAfterFailures || s.status === 'paused')
        return { ...s, consecutiveFailures: failures };
      return {
        ...s,
        consecutiveFailures: failures,
        status: 'paused',
        pausedReason: `${failures} failed deliveries in a row (last: ${status ?? error})`,
      };
    });
    if (updated?.status === 'paused' && sub.status === 'active')
      this.options.log(
        'error',
        `alert: subscription ${sub.id} paused after ${updated.consecutiveFailures} failed deliveries in a row; ` +
          `resume it with POST /v1/subscriptions/${sub.id}/resume`,
      );
    else if (!giveUp && updated?.status === 'active') this.schedule(d.id, now + delay);
  }

  private save(d: Delivery): Promise<void> {
    return this.store.set(PREFIXES.deliveries + d.id, JSON.stringify(d));
  }

  private updateSubscription(id: string, change: (s: Subscription) => Subscription): Promise<Subscription | undefined> {
    return this.perSubscription.run(id, async () => {
      const sub = await this.subscription(id);
      if (!sub) return undefined;
      const next = change(sub);
      if (next === sub) return sub; // unchanged: no write
      await this.store.set(PREFIXES.subscriptions + id, JSON.stringify(next));
      this.cached = undefined;
      return next;
    });
  }
}
