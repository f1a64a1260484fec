// POST /webhooks/tiktok: TikTok's one webhook URL. Verified and stored before the 200; applied after.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../app';

/** TikTok's events are a few hundred bytes. */
const WEBHOOK_BODY_LIMIT = 64 * 1024;

export function registerWebhookRoute(app: FastifyInstance, context: ServerContext): void {
  app.post('/webhooks/tiktok', { bodyLimit: WEBHOOK_BODY_LIMIT }, async (request, reply) => {
    const { stored, event } = await context.intake.receive(request.headers, request.rawBody);
    reply.code(200).send({ ok: true, duplicate: !stored });
    if (stored) void context.intake.apply(event);
    return reply;
  });
}
