// /openapi.json (OpenAPI 3.1), generated from the same zod schemas the routes validate with.
import { zodToJsonSchema } from 'zod-to-json-schema';
import type { ZodTypeAny } from 'zod';
import {
  accountSchema,
  deliverySchema,
  listPostsQuerySchema,
  postBodySchema,
  postSchema,
  problemSchema,
  replayBodySchema,
  subscriptionBodySchema,
  subscriptionSchema,
} from './schemas';

const json = (schema: ZodTypeAny): Record<string, unknown> => {
  const { $schema: _drop, ...rest } = zodToJsonSchema(schema, {
    target: 'jsonSchema7',
    $refStrategy: 'none',
  }) as Record<string, unknown>;
  return rest;
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const body = (name: string) => ({ required: true, content: { 'application/json': { schema: ref(name) } } });
const ok = (schema: Record<string, unknown>, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
});
const problems = {
  default: { description: 'A problem (RFC 9457)', content: { 'application/problem+json': { schema: ref('Problem') } } },
};
const secured = (scope: string) => ({ security: [{ apiKey: [] }], 'x-tokpipe-scope': scope });
const list = (key: string, item: string) => ({
  type: 'object',
  properties: { [key]: { type: 'array', items: ref(item) } },
});

let cached: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'tokpipe server',
      version: '1',
      description: 'TikTok posting with shared guarantees, webhooks in, REST hooks out.',
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'tokpipe keys create --scope read|post|admin' },
      },
      schemas: {
        PostBody: json(postBodySchema),
        Post: json(postSchema),
        Account: json(accountSchema),
        Problem: json(problemSchema),
        ReplayBody: json(replayBodySchema),
        SubscriptionBody: json(subscriptionBodySchema),
        Subscription: json(subscriptionSchema),
        Delivery: json(deliverySchema),
      },
    },
    paths: {
      '/v1/posts': {
        post: {
          summary: 'Create a post',
          ...secured('post'),
          parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 } }],
          requestBody: body('PostBody'),
          responses: {
            201: ok(ref('Post'), 'Queued'),
            200: ok(ref('Post'), 'The same key and body: the first post'),
            ...problems,
          },
        },
        get: {
          summary: 'List posts',
          ...secured('read'),
          parameters: Object.keys((json(listPostsQuerySchema).properties as object) ?? {}).map((name) => ({
            name,
            in: 'query',
            schema: { type: 'string' },
          })),
          responses: { 200: ok(list('posts', 'Post')), ...problems },
        },
      },
      '/v1/posts/{id}': {
        get: {
          summary: 'A post with its timeline',
          ...secured('read'),
          responses: { 200: ok(ref('Post')), ...problems },
        },
      },
      '/v1/accounts': {
        get: {
          summary: 'Accounts with health, caps used today, token expiry',
          ...secured('read'),
          responses: { 200: ok(list('accounts', 'Account')), ...problems },
        },
      },
      '/v1/accounts/{id}/creator-info': {
        get: {
          summary: "TikTok's creator_info",
          ...secured('read'),
          responses: { 200: ok({ type: 'object' }), ...problems },
        },
      },
      '/v1/dlq': {
        get: { summary: 'Dead letters', ...secured('read'), responses: { 200: ok({ type: 'object' }), ...problems } },
      },
      '/v1/dlq/{id}/replay': {
        post: {
          summary: 'Replay a dead letter',
          ...secured('post'),
          requestBody: body('ReplayBody'),
          responses: { 200: ok(ref('Post')), ...problems },
        },
      },
      '/v1/reconcile': {
        post: {
          summary: 'Reconcile open posts now',
          ...secured('admin'),
          responses: { 200: ok({ type: 'object' }), ...problems },
        },
      },
      '/v1/subscriptions': {
        post: {
          summary: 'Subscribe a URL (REST hook)',
          ...secured('read'),
          requestBody: body('SubscriptionBody'),
          responses: { 201: ok(ref('Subscription')), ...problems },
        },
        get: {
          summary: 'List subscriptions',
          ...secured('read'),
          responses: { 200: ok(list('subscriptions', 'Subscription')), ...problems },
        },
      },
      '/v1/events': {
        get: {
          summary: 'Latest outgoing events (trigger samples)',
          ...secured('read'),
          parameters: ['type', 'limit'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
          responses: { 200: ok({ type: 'object' }), ...problems },
        },
      },
      '/v1/subscriptions/{id}': {
        get: {
          summary: 'One subscription (a trigger checks it still exists)',
          ...secured('read'),
          responses: { 200: ok(ref('Subscription')), ...problems },
        },
        delete: {
          summary: 'Unsubscribe',
          ...secured('read'),
          responses: { 204: { description: 'Gone' }, ...problems },
        },
      },
      '/v1/subscriptions/{id}/resume': {
        post: {
          summary: 'Resume a paused subscription',
          ...secured('read'),
          responses: { 200: ok(ref('Subscription')), ...problems },
        },
      },
      '/v1/deliveries': {
        get: {
          summary: 'Deliveries and their attempts',
          ...secured('read'),
          responses: { 200: ok(list('deliveries', 'Delivery')), ...problems },
        },
      },
      '/v1/deliveries/{id}/redeliver': {
        post: {
          summary: 'Send a delivery again',
          ...secured('read'),
          responses: { 202: ok(ref('Delivery')), ...problems },
        },
      },
      '/v1/keys': {
        post: {
          summary: 'Create an API key (shown once)',
          ...secured('admin'),
          responses: { 201: ok({ type: 'object' }), ...problems },
        },
        get: {
          summary: 'List API keys (never their secrets)',
          ...secured('admin'),
          responses: { 200: ok({ type: 'object' }), ...problems },
        },
      },
      '/v1/keys/{id}': {
        delete: {
          summary: 'Revoke an API key',
          ...secured('admin'),
          responses: { 204: { description: 'Revoked' }, ...problems },
        },
      },
      '/v1/connect': {
        post: {
          summary: 'A one-time link to connect a TikTok account',
          ...secured('admin'),
          responses: { 201: ok({ type: 'object' }), ...problems },
        },
      },
      '/webhooks/tiktok': {
        post: {
          summary: "TikTok's webhook (TikTok-Signature checked)",
          responses: { 200: { description: 'Stored' }, ...problems },
        },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { 200: { description: 'Up' } } } },
      '/readyz': {
        get: { summary: 'Readiness (state store answers)', responses: { 200: { description: 'Ready' }, ...problems } },
      },
    },
  };
  return cached;
}
