// What the console (packages/console, mounted at /console by `tokpipe serve`) reads from the server: its
// webhook events in (TikTok → here) and deliveries out (here → subscribers), with Redeliver; and who a key
// is. The row shape is core's (DeliveryRow), so the server does not depend on the console.
import type { DeliveryRow } from '@tokpipe/core';
import type { ServerContext } from './app';
import type { Delivery } from './hooks';
import type { StoredWebhookEvent } from './intake';
import { PREFIXES } from './state';

export type DeliveryRowView = DeliveryRow;

/** The subscriber's URL without credentials or query (which may carry a token). */
function shownTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

export function deliveriesSource(context: ServerContext) {
  const out = async (d: Delivery): Promise<DeliveryRowView> => {
    const sub = await context.hooks.subscription(d.subscriptionId);
    const last = d.attempts.at(-1);
    return {
      id: d.id,
      direction: 'out',
      at: last?.at ?? d.firstAt,
      event: d.event,
      ...(sub ? { target: shownTarget(sub.targetUrl) } : {}),
      state: d.state === 'delivered' ? 'ok' : d.state,
      attempts: d.attempts.length,
      ...(last?.status != null ? { httpStatus: last.status } : {}),
      ...(last?.error ? { error: last.error } : {}),
      ...(d.account ? { account: d.account } : {}),
    };
  };
  return {
    async list(options: { limit?: number } = {}): Promise<DeliveryRowView[]> {
      const rows: DeliveryRowView[] = [];
      for (const [key, value] of await context.store.list(PREFIXES.webhookEvents)) {
        const event = JSON.parse(value) as StoredWebhookEvent;
        const name = /"event"\s*:\s*"([^"]{1,80})"/.exec(event.raw)?.[1] ?? 'unknown';
        rows.push({
          id: key.slice(PREFIXES.webhookEvents.length),
          direction: 'in',
          at: event.receivedAt,
          event: name,
          target: 'TikTok',
          state: event.processedAt === undefined ? 'pending' : 'ok',
        });
      }
      for (const d of await context.hooks.deliveries()) rows.push(await out(d));
      return rows.sort((a, b) => b.at - a.at).slice(0, options.limit ?? 200);
    },
    async redeliver(id: string): Promise<DeliveryRowView> {
      const again = await context.hooks.redeliver(id);
      if (!again) throw new Error(`no delivery ${id}`);
      return out(again);
    },
  };
}

/** The console's KeyIdentity for a live key (scope and accounts), else undefined. */
export function keyIdentity(context: ServerContext) {
  return async (key: string): Promise<{ scope: string; accounts?: string[] } | undefined> => {
    const record = await context.keys.verify(key);
    return record ? { scope: record.scope, ...(record.accounts ? { accounts: record.accounts } : {}) } : undefined;
  };
}
