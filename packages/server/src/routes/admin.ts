// Accounts (health, caps used today, token expiry), creator info, the DLQ and its replay, reconcile.
import { combinedDlq, errorView, creatorInfoView } from '@tokpipe/core';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../app';
import { requireAccount } from '../auth';
import { accountAllowed } from '../keys';
import { HttpProblem } from '../problem';
import { replayBodySchema } from '../schemas';
import { accountView, postView } from '../views';

export function registerAdminRoutes(app: FastifyInstance, context: ServerContext): void {
  const { pipeline } = context;
  // The pipeline's dead letters and the post backend's (the shared queue's dead jobs, on PostgreSQL).
  const dlq = combinedDlq(pipeline.dlq, context.posts.dlq);

  app.get('/v1/accounts', { config: { scope: 'read' } }, async (request) => {
    const health = new Map(pipeline.health().map((h) => [h.account, h]));
    const accounts = [];
    for (const record of pipeline.accounts.list()) {
      if (!accountAllowed(request.apiKey!, record.id)) continue;
      const token = await pipeline.accounts.getToken(record.id);
      accounts.push(accountView(record, health.get(record.id), token, context.clock.now()));
    }
    return { accounts };
  });

  app.get<{ Params: { id: string } }>(
    '/v1/accounts/:id/creator-info',
    { config: { scope: 'read' } },
    async (request) => {
      const record = pipeline.accounts.get(request.params.id);
      if (!record || !accountAllowed(request.apiKey!, record.id))
        throw new HttpProblem(404, 'account_not_found', `no account ${request.params.id}`);
      return creatorInfoView(record.id, await context.options.creatorInfo(record));
    },
  );

  app.get('/v1/dlq', { config: { scope: 'read' } }, async (request) => {
    const entries = (await dlq.list()).filter((e) => accountAllowed(request.apiKey!, e.account ?? e.spec.account));
    return {
      deadLetters: entries.map((e) => ({
        jobId: e.jobId,
        account: e.account ?? null,
        label: e.spec.label ?? null,
        at: new Date(e.at).toISOString(),
        attempts: e.attempts,
        publishId: e.publishId ?? null,
        error: errorView(e.error),
      })),
    };
  });

  app.post<{ Params: { id: string } }>('/v1/dlq/:id/replay', { config: { scope: 'post' } }, async (request) => {
    const body = replayBodySchema.parse(request.body ?? {});
    const id = request.params.id;
    const entry = await dlq.show(id);
    if (!entry) {
      // A post that is no longer dead (another replay took it first): a conflict, not a missing letter.
      const post = await context.jobs.get(id);
      if (post && accountAllowed(request.apiKey!, post.account ?? post.spec.account))
        throw new HttpProblem(409, 'not_dead_lettered', `post ${id} is not dead-lettered (it is ${post.state})`);
    }
    if (!entry || !accountAllowed(request.apiKey!, entry.account ?? entry.spec.account))
      throw new HttpProblem(404, 'dead_letter_not_found', `no dead letter ${id}`);
    if (body.account) requireAccount(request.apiKey!, body.account);
    return postView(await dlq.replay(id, body));
  });

  app.post('/v1/reconcile', { config: { scope: 'admin' } }, async () => {
    const result = await pipeline.reconcileOnce();
    const open = pipeline.listJobs().filter((j) => ['unconfirmed', 'unknown', 'accepted'].includes(j.state));
    // The shared queue's parked posts too (its sweep settles what TikTok answers; the rest stays parked).
    const queue = context.posts.reconcile ? await context.posts.reconcile() : undefined;
    const parked = queue
      ? [
          ...(await context.posts.list({ state: 'unconfirmed', limit: 100 })),
          ...(await context.posts.list({ state: 'unknown', limit: 100 })),
        ].filter((j) => !pipeline.getJob(j.id))
      : [];
    return {
      ...result,
      ...(queue ? { queue } : {}),
      stillOpen: [...open, ...parked].map((j) => postView(j)),
    };
  });
}
