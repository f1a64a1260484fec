// /v1/subscriptions (REST hooks) and /v1/deliveries: subscribe a URL to event types and accounts, list,
// unsubscribe, resume a paused one; see each delivery's attempts and send one again by hand.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../app';
import { requireAccount } from '../auth';
import type { Delivery, Subscription } from '../hooks';
import type { ApiKeyRecord } from '../keys';
import { HttpProblem } from '../problem';
import { eventsQuerySchema, subscriptionBodySchema } from '../schemas';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function subscriptionView(sub: Subscription, withSecret = false) {
  return {
    id: sub.id,
    targetUrl: sub.targetUrl,
    events: sub.events,
    accounts: sub.accounts ?? null,
    label: sub.label ?? null,
    status: sub.status,
    pausedReason: sub.pausedReason ?? null,
    consecutiveFailures: sub.consecutiveFailures,
    createdAt: iso(sub.createdAt)!,
    ...(withSecret ? { secret: sub.secret } : {}),
  };
}

function deliveryView(d: Delivery) {
  return {
    id: d.id,
    subscriptionId: d.subscriptionId,
    eventId: d.eventId,
    event: d.event,
    state: d.state,
    attempts: d.attempts.map((a) => ({ ...a, at: iso(a.at)! })),
    nextAttemptAt: iso(d.nextAt),
  };
}

/** A key sees the subscriptions it made (admin keys: all). */
const owns = (key: ApiKeyRecord, sub: Subscription): boolean => key.scope === 'admin' || sub.keyId === key.id;

export function registerHookRoutes(app: FastifyInstance, context: ServerContext): void {
  const { hooks } = context;
  const mine = async (key: ApiKeyRecord, id: string): Promise<Subscription> => {
    const sub = await hooks.subscription(id);
    if (!sub || !owns(key, sub)) throw new HttpProblem(404, 'subscription_not_found', `no subscription ${id}`);
    return sub;
  };

  app.post('/v1/subscriptions', { config: { scope: 'read' } }, async (request, reply) => {
    const key = request.apiKey!;
    const body = subscriptionBodySchema.parse(request.body ?? {});
    const url = new URL(body.targetUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new HttpProblem(400, 'invalid_input', 'must be an http(s) URL', { field: 'targetUrl' });
    for (const account of body.accounts ?? []) requireAccount(key, account, 'accounts');
    const accounts = body.accounts ?? key.accounts;
    const sub = await hooks.subscribe({ ...body, ...(accounts ? { accounts } : {}), keyId: key.id });
    return reply.code(201).send(subscriptionView(sub, true));
  });

  app.get('/v1/subscriptions', { config: { scope: 'read' } }, async (request) => ({
    subscriptions: (await hooks.subscriptions())
      .filter((s) => owns(request.apiKey!, s))
      .map((s) => subscriptionView(s)),
  }));

  app.get<{ Params: { id: string } }>('/v1/subscriptions/:id', { config: { scope: 'read' } }, async (request) =>
    subscriptionView(await mine(request.apiKey!, request.params.id)),
  );

  // What a subscription would receive, newest first: samples for a trigger's set-up (Zapier's performList,
  // n8n's test event), or a catch-up after downtime.
  app.get('/v1/events', { config: { scope: 'read' } }, async (request) => {
    const query = eventsQuerySchema.parse(request.query);
    const accounts = request.apiKey!.accounts;
    return { events: await hooks.recentEvents({ ...query, ...(accounts ? { accounts } : {}) }) };
  });

  app.delete<{ Params: { id: string } }>(
    '/v1/subscriptions/:id',
    { config: { scope: 'read' } },
    async (request, reply) => {
      await mine(request.apiKey!, request.params.id);
      await hooks.unsubscribe(request.params.id);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/subscriptions/:id/resume',
    { config: { scope: 'read' } },
    async (request) => {
      await mine(request.apiKey!, request.params.id);
      return subscriptionView((await hooks.resume(request.params.id))!);
    },
  );

  app.get<{ Querystring: { subscription?: string } }>(
    '/v1/deliveries',
    { config: { scope: 'read' } },
    async (request) => {
      const id = request.query.subscription;
      if (id) await mine(request.apiKey!, id);
      const visible = new Set((await hooks.subscriptions()).filter((s) => owns(request.apiKey!, s)).map((s) => s.id));
      return {
        deliveries: (await hooks.deliveries(id)).filter((d) => visible.has(d.subscriptionId)).map(deliveryView),
      };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/deliveries/:id/redeliver',
    { config: { scope: 'read' } },
    async (request, reply) => {
      const d = await hooks.delivery(request.params.id);
      if (!d) throw new HttpProblem(404, 'delivery_not_found', `no delivery ${request.params.id}`);
      await mine(request.apiKey!, d.subscriptionId);
      return reply.code(202).send(deliveryView((await hooks.redeliver(d.id))!));
    },
  );
}
