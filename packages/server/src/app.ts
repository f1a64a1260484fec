// buildServer: the Fastify app. JSON bodies parsed losslessly (19-digit ids survive), every refusal as
// problem+json, limits on size and time, keys checked before a body is read, and the parts (posts,
// accounts, DLQ, webhook intake, subscriptions) mounted from routes/.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  isTokpipeError,
  parseJsonLossless,
  redactText,
  type Clock,
  type CreatorInfo,
  type KeyValueStore,
  type Logger,
  type Pipeline,
  type AccountRecord,
  type Transport,
  type JobSource,
} from '@tokpipe/core';
import { ZodError } from 'zod';
import { DEFAULT_RATE_LIMIT, Gate, type RateLimit } from './auth';
import { cleanUpPulled, type PullOptions } from './pull';
import { pipelinePosts, recordedPosts, type PostBackend } from './post-backend';
import { registerConnectRoutes, registerConnectUnavailable, type ConnectOptions } from './connect';
import { Hooks, type DeliveryPolicy } from './hooks';
import { Intake } from './intake';
import { ApiKeys, type ApiKeyRecord, type ApiKeyScope } from './keys';
import { openApiDocument } from './openapi';
import { expiringTokens } from './outgoing';
import { HttpProblem, problemFromDetails, problemOf, type Problem } from './problem';
import { registerAdminRoutes } from './routes/admin';
import { registerKeyRoutes } from './routes/keys';
import { registerPostRoutes } from './routes/posts';
import { registerHookRoutes } from './routes/subscriptions';
import { registerWebhookRoute } from './routes/webhooks';
import { STATE_PREFIX } from './state';
import { Timelines } from './timeline';

export interface ServerLimits {
  /** Largest request body (413 beyond). */
  bodyBytes: number;
  /** Headers must arrive within this (real ms: socket time is never scaled). */
  headersTimeoutMs: number;
  /** The whole request, body included, within this (a slow body is answered 408 and dropped). */
  requestTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  bodyBytes: 1_000_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

export interface ServerOptions {
  pipeline: Pipeline;
  /** Where POST /v1/posts goes and GET /v1/posts reads (default: the pipeline; on PostgreSQL the CLI
   * gives queuePosts, the engine's shared queue). */
  posts?: PostBackend;
  /** The server's own records (keys, idempotency, timelines, webhook events, subscriptions, deliveries). */
  store: KeyValueStore;
  /** Every wait (delivery backoff, rate-limit windows) goes through it. */
  clock: Clock;
  /** Wall time for the webhook replay window: never the scaled clock. Default Date.now. */
  wallClock?: Pick<Clock, 'now'>;
  /** creator_info for an account (its own poster, tokens from the pipeline's registry). */
  creatorInfo(account: AccountRecord): Promise<CreatorInfo>;
  /** The TikTok app's client secret, to verify TikTok-Signature. Without it the webhook route refuses all. */
  clientSecret?: string;
  /** Replay window for TikTok-Signature, wall seconds (default core's 300). */
  webhookToleranceSec?: number;
  /** Outgoing deliveries to subscribers. */
  transport: Transport;
  deliveryPolicy?: Partial<DeliveryPolicy>;
  limits?: Partial<ServerLimits>;
  rateLimit?: RateLimit;
  log?: Logger;
  /** How often refresh tokens are checked for expiry (`token_expiring` events); 0 = only at start. Default 1 h. */
  tokenCheckEveryMs?: number;
  /** How far ahead a refresh token's expiry is announced. Default 7 days. */
  tokenExpiryHorizonMs?: number;
  /** Where and how `serverUpload` posts download their video (absent: such posts are refused). */
  pull?: PullOptions;
  /** TikTok's OAuth, for the connect page (GET /connect, /oauth/callback). */
  connect?: ConnectOptions;
  /** Extra routes (the OAuth connect page), registered with the same error handling. */
  extend?: (app: FastifyInstance, context: ServerContext) => void;
}

export interface ServerContext {
  options: ServerOptions;
  pipeline: Pipeline;
  posts: PostBackend;
  /** `posts` as front ends submit through it (a queue post's first step recorded): REST, and MCP and the
   * console (core's pipelineService `jobs`) on `tokpipe serve`. */
  jobs: JobSource;
  store: KeyValueStore;
  clock: Clock;
  keys: ApiKeys;
  timelines: Timelines;
  intake: Intake;
  hooks: Hooks;
  /** Admits the caller (bearer key, scope, rate limit) or throws the refusal. */
  admit(request: FastifyRequest, scope: ApiKeyScope): Promise<ApiKeyRecord>;
}

export interface TokpipeServer {
  app: FastifyInstance;
  context: ServerContext;
  /** Announces refresh tokens expiring within the horizon (once per account and expiry). */
  checkTokens(): Promise<number>;
  /** Processes webhook events stored but not applied (a crash after the 200), starts the deliverer. */
  start(): Promise<void>;
  listen(options: { host?: string; port?: number }): Promise<string>;
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
    apiKey?: ApiKeyRecord;
  }
  interface FastifyContextConfig {
    scope?: ApiKeyScope;
  }
}

function sendProblem(reply: FastifyReply, problem: Problem, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(problem.status).headers(headers).type('application/problem+json').send(problem);
}

/** Zod's issues → problem+json naming each field (unknown fields by their own name). */
export function zodProblem(error: ZodError): Problem {
  const issues = error.issues.map((issue) => {
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys.join(', ')] : issue.path;
    const field = path.join('.') || '(body)';
    const message =
      issue.code === 'unrecognized_keys'
        ? 'unknown field'
        : issue.code === 'invalid_type' && issue.received === 'undefined'
          ? 'is required'
          : issue.message;
    return { field, message };
  });
  const detail = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  return problemOf(400, 'invalid_input', detail, { class: 'not_retryable', field: issues[0]?.field, issues });
}

export function buildServer(options: ServerOptions): TokpipeServer {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const log: Logger = options.log ?? (() => undefined);
  const secrets = [options.clientSecret];
  const app = Fastify({
    bodyLimit: limits.bodyBytes,
    requestTimeout: limits.requestTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks those deadlines on this interval (default 30 s): keep it below them.
      connectionsCheckingInterval: Math.max(
        5,
        Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4),
      ),
    },
    logger: false,
    return503OnClosing: true,
    forceCloseConnections: true,
  });
  const keys = new ApiKeys(options.store, options.clock);
  const gate = new Gate(keys, options.clock, options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const timelines = new Timelines(options.store);
  const hooks = new Hooks({
    store: options.store,
    clock: options.clock,
    transport: options.transport,
    log,
    policy: options.deliveryPolicy,
  });
  const intake = new Intake({
    store: options.store,
    pipeline: options.pipeline,
    wallClock: options.wallClock ?? { now: () => Date.now() },
    clock: options.clock,
    clientSecret: options.clientSecret,
    toleranceSec: options.webhookToleranceSec,
    log,
  });
  const posts = options.posts ?? pipelinePosts(options.pipeline);
  const context: ServerContext = {
    options,
    pipeline: options.pipeline,
    posts,
    jobs: recordedPosts(posts, timelines, options.pipeline),
    store: options.store,
    clock: options.clock,
    keys,
    timelines,
    intake,
    hooks,
    admit: async (request, scope) => {
      request.apiKey = await gate.admit(request.headers.authorization, scope);
      return request.apiKey;
    },
  };

  // JSON bodies: lossless numbers, the raw text kept (the webhook signature is over the exact bytes).
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', 'application/*+json'], { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    request.rawBody = text;
    if (text.trim() === '') return done(null, undefined);
    const parsed = parseJsonLossless(text);
    if (!parsed.ok)
      return done(new HttpProblem(400, 'invalid_json', `the body is not valid JSON (${parsed.error})`), undefined);
    done(null, parsed.value);
  });

  // Any other type: fine when empty (a POST with no body), else 415 naming what we take.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    if ((body as string).length === 0) return done(null, undefined);
    done(new HttpProblem(415, 'unsupported_media_type', 'send JSON (Content-Type: application/json)'), undefined);
  });

  // Keys are checked before the body is read: an unauthorised upload costs us nothing.
  app.addHook('onRequest', async (request) => {
    const scope = request.routeOptions.config?.scope;
    if (scope) await context.admit(request, scope);
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    if (error instanceof HttpProblem) {
      const { headers, ...extra } = error.extra;
      return sendProblem(reply, problemOf(error.status, error.code, error.message, extra), headers);
    }
    if (error instanceof ZodError) return sendProblem(reply, zodProblem(error));
    if (isTokpipeError(error)) return sendProblem(reply, problemFromDetails(error.details));
    const fastifyError = error as { statusCode?: number; code?: string; message?: string };
    if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return sendProblem(reply, problemOf(413, 'body_too_large', `the body is larger than ${limits.bodyBytes} bytes`));
    if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500)
      return sendProblem(
        reply,
        problemOf(
          fastifyError.statusCode,
          (fastifyError.code ?? 'bad_request').toLowerCase(),
          fastifyError.message ?? 'bad request',
        ),
      );
    log(
      'error',
      redactText(
        `server: ${request.method} ${request.url} failed: ${(error as Error)?.message ?? String(error)}`,
        secrets,
      ),
    );
    return sendProblem(
      reply,
      problemOf(500, 'internal_error', 'the server could not complete the request (see its log)'),
    );
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problemOf(404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await options.store.get(`${STATE_PREFIX}readyz`);
      return { ready: true };
    } catch {
      return sendProblem(reply, problemOf(503, 'not_ready', 'the state store does not answer'));
    }
  });
  app.get('/openapi.json', async () => openApiDocument());

  registerPostRoutes(app, context);
  registerAdminRoutes(app, context);
  registerKeyRoutes(app, context);
  registerHookRoutes(app, context);
  registerWebhookRoute(app, context);
  if (options.connect) registerConnectRoutes(app, context, options.connect);
  else registerConnectUnavailable(app);
  options.extend?.(app, context);

  let stopTimeline: (() => void) | undefined;
  let stopFanOut: (() => void) | undefined;
  let stopQueueEvents: (() => Promise<void>) | undefined;
  let stopPulled: (() => void) | undefined;
  let stopped = false;
  const checkTokens = async (): Promise<number> => {
    const tokens = [];
    for (const record of options.pipeline.accounts.list()) {
      const token = await options.pipeline.accounts.getToken(record.id);
      tokens.push({ account: record.id, refreshExpiresAt: token?.refresh_expires_at });
    }
    const events = expiringTokens(tokens, options.clock.now(), options.tokenExpiryHorizonMs ?? 7 * 86_400_000);
    for (const event of events) await hooks.emit(event); // recorded once per account and expiry date
    return events.length;
  };
  const tokenLoop = async (every: number): Promise<void> => {
    for (;;) {
      await options.clock.sleep(every);
      if (stopped) return;
      await checkTokens().catch((error: unknown) =>
        log('error', `token expiry check failed: ${(error as Error).message}`),
      );
    }
  };
  return {
    app,
    context,
    checkTokens,
    async start() {
      stopTimeline = timelines.record(options.pipeline);
      stopFanOut = hooks.follow(options.pipeline);
      // Queue posts (PostgreSQL): their outcomes come from the shared job rows, not from the pipeline.
      stopQueueEvents = context.posts.follow?.((event) => hooks.emit(event), { cursorStore: options.store, log });
      if (options.pull) stopPulled = cleanUpPulled(options.pipeline, options.pull.dir);
      await hooks.start();
      await intake.processPending();
      await checkTokens();
      const every = options.tokenCheckEveryMs ?? 3_600_000;
      if (every > 0) void tokenLoop(every);
    },
    async listen({ host = '127.0.0.1', port = 0 }) {
      return app.listen({ host, port });
    },
    async close() {
      stopped = true;
      stopTimeline?.();
      stopFanOut?.();
      await stopQueueEvents?.();
      stopPulled?.();
      await hooks.stop();
      await app.close();
    },
  };
}
