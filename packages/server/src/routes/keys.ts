// /v1/keys (admin): the same keys `tokpipe keys` manages, for when the server holds the store file
// (a file store has one owner: the CLI cannot open it while the server runs).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../app';
import { API_KEY_SCOPES } from '../keys';
import { HttpProblem } from '../problem';

const keyBody = z
  .object({
    scope: z.enum(API_KEY_SCOPES),
    accounts: z.array(z.string().min(1)).min(1).optional(),
    label: z.string().max(200).optional(),
  })
  .strict();

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export function registerKeyRoutes(app: FastifyInstance, context: ServerContext): void {
  app.post('/v1/keys', { config: { scope: 'admin' } }, async (request, reply) => {
    const body = keyBody.parse(request.body ?? {});
    const { key, record } = await context.keys.create(body);
    return reply.code(201).send({ ...record, createdAt: iso(record.createdAt), key });
  });

  app.get('/v1/keys', { config: { scope: 'admin' } }, async () => ({
    keys: (await context.keys.list()).map((k) => ({ ...k, createdAt: iso(k.createdAt), revokedAt: iso(k.revokedAt) })),
  }));

  app.delete<{ Params: { id: string } }>('/v1/keys/:id', { config: { scope: 'admin' } }, async (request, reply) => {
    if (request.apiKey!.id === request.params.id)
      throw new HttpProblem(409, 'own_key', 'a key cannot revoke itself: use another admin key');
    if (!(await context.keys.revoke(request.params.id)))
      throw new HttpProblem(404, 'key_not_found', `no API key ${request.params.id}`);
    return reply.code(204).send();
  });
}
