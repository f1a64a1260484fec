// `tokpipe serve`: the self-hosted service (packages/server): REST API, TikTok's webhook, REST hooks out,
// the browser connect page, and the pipeline working in-process. `tokpipe keys create|list|revoke`: the
// API keys it accepts (shown once, stored hashed). State: the CLI's (DATABASE_URL/--database: PostgreSQL,
// shared; else the embedded database the other commands use, whose owner serves them as clients).
import * as path from 'node:path';
import { pipelineService, redactText, type PostingService } from '@tokpipe/core';
import { axiosTransport, videoFileSource } from '@tokpipe/core/node';
import {
  API_KEY_SCOPES,
  ApiKeys,
  buildServer,
  createConnectLink,
  deliveriesSource,
  keyIdentity,
  queuePosts,
  type ApiKeyScope,
  type ServerContext,
  type TokpipeServer,
} from '@tokpipe/server';
import { consolePlugin, pipelineResolve } from '@tokpipe/console';
import { createMcpHttpHandler } from '@tokpipe/mcp';
import { startWorker, type RunningWorker } from '@tokpipe/engine';
import { UsageError } from '../args';
import { oauthClient, runtime } from '../context';
import { accountPosters, openPipeline } from '../pipeline-session';
import { openState, STORE_HELP, type StateStore } from '../state';
import { readEnv } from '../env';
import { EXIT } from '../outcome';
import type { CliIO } from '../io';
import type { Command } from '../main';
import { authorizeEndpoint } from './auth';

const stateFlags = {
  database: {
    kind: 'string' as const,
    description: 'PostgreSQL URL (default: DATABASE_URL; without either: the embedded database)',
  },
  store: { kind: 'string' as const, description: STORE_HELP },
};

/** The CLI's state (the engine: embedded by default, PostgreSQL with --database/DATABASE_URL), so the server
 * shares tokens (refreshed under their row lock) and rate windows with every other process. While
 * `tokpipe serve` owns the embedded database, `tokpipe keys ...` run as its clients. */
async function openServeState(args: { flags: Record<string, unknown> }, io: CliIO): Promise<ServeState> {
  return openState(runtime(readEnv(io.env)), args.flags, io);
}

type ServeState = StateStore;

/** MCP (Streamable HTTP) at /mcp, for AI agents, on the server's keys. The MCP tools post, replay and
 * reconcile for any account, so a key needs scope post or admin and no account limit. The request is handed
 * to the MCP SDK before Fastify reads its body. */
function mountMcp(
  app: TokpipeServer['app'],
  service: PostingService,
  context: ServerContext,
  log: (line: string) => void,
  secrets: Array<string | undefined>,
): void {
  const handler = createMcpHttpHandler({
    backend: service,
    verifyApiKey: async (presented) => {
      const key = await context.keys.verify(presented);
      return key !== undefined && key.scope !== 'read' && !key.accounts;
    },
    log,
    secrets,
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.split('?')[0] !== '/mcp') return;
    reply.hijack();
    await handler(request.raw, reply.raw);
  });
}

function isLoopbackBase(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

export const serve: Command = {
  path: ['serve'],
  spec: {
    usage: 'tokpipe serve [--host ADDR] [--port N] [--public-url URL] [--webhooks] [--database URL | --store PATH]',
    flags: {
      host: { kind: 'string', description: 'address to bind (default 127.0.0.1)' },
      port: { kind: 'integer', min: 0, max: 65535, description: 'port (default 8788; 0 = any free port)' },
      'public-url': {
        kind: 'string',
        description: 'how browsers and TikTok reach this server (tunnel / reverse proxy URL)',
      },
      webhooks: {
        kind: 'boolean',
        description: "TikTok's webhook is pointed here: track posts by webhook instead of polling their status",
      },
      ...stateFlags,
    },
  },
  async run(args, io) {
    const env = readEnv(io.env);
    const rt = runtime(env);
    const host = typeof args.flags.host === 'string' ? args.flags.host : '127.0.0.1';
    const publicFlag = typeof args.flags['public-url'] === 'string' ? args.flags['public-url'] : undefined;
    if (publicFlag && !/^https?:\/\/[^/]+/.test(publicFlag))
      throw new UsageError('--public-url must be an http(s) URL', '--public-url');
    const secrets = [env.clientSecret];
    const log = (level: string, message: string): void =>
      void io.stderr.write(`${level}: ${redactText(message, secrets)}\n`);
    const state = await openServeState(args, io);
    let listening = '';
    try {
      // webhooks: TikTok's webhook finishes posts (no status polling, one check at the end of the budget).
      const session = await openPipeline(
        rt,
        { ...state, close: async () => undefined },
        { webhooks: args.flags.webhooks === true },
      );
      const { pipeline } = session;
      const posterFor = accountPosters(rt, state, pipeline);
      // On PostgreSQL, posts go to the engine's shared queue: this server runs a worker, and every
      // `tokpipe serve` / `tokpipe worker` on the same database takes from the same queue.
      let worker: RunningWorker | undefined;
      const db = state.engine?.db;
      if (db?.kind === 'postgres')
        worker = await startWorker({
          db,
          clock: rt.clock,
          transport: rt.transport,
          baseUrl: env.baseUrl,
          clientKey: env.clientKey ?? '',
          clientSecret: env.clientSecret ?? '',
          requestTimeoutMs: env.requestTimeoutMs,
          timeScale: rt.clock.scale,
          logger: (level, message) => log(level, message),
        });
      const server = buildServer({
        pipeline,
        ...(worker && db
          ? { posts: queuePosts({ db, boss: worker.boss, clock: rt.clock, pipeline, reconcile: worker.reconcile }) }
          : {}),
        store: state.store,
        clock: rt.clock,
        clientSecret: env.clientSecret,
        transport: axiosTransport(),
        creatorInfo: (account) => posterFor(account).creatorInfo(),
        log,
        // serverUpload posts: the video is downloaded here, then uploaded (plain http only to a local sandbox).
        pull: { dir: path.resolve(io.cwd, '.tokpipe', 'pulled'), allowLoopbackHttp: isLoopbackBase(env.baseUrl) },
        ...(env.clientKey && env.clientSecret
          ? {
              connect: {
                oauth: oauthClient(rt, 'to connect accounts'),
                clientKey: env.clientKey,
                authorizeUrl: authorizeEndpoint(env, io.env),
                publicUrl: () => publicFlag ?? listening,
              },
            }
          : {}),
        // The console at /console and MCP at /mcp, on the same keys, timelines, deliveries and posts as the
        // REST API (context.jobs: on PostgreSQL the shared queue, so they show every server's posts).
        extend: (app, context) => {
          const service = pipelineService({
            pipeline,
            clock: rt.clock,
            posterFor,
            jobs: context.jobs,
            timelines: context.timelines,
            openFile: (file) => videoFileSource(file),
          });
          void app.register(consolePlugin, {
            service,
            verifyApiKey: keyIdentity(context),
            deliveries: deliveriesSource(context),
            resolve: pipelineResolve(pipeline),
            clock: rt.clock,
          });
          mountMcp(app, service, context, (line) => log('warn', line), secrets);
        },
      });
      try {
        await pipeline.start();
        pipeline.startReconciliation();
        await server.start();
        listening = await server.listen({ host, port: (args.flags.port as number | undefined) ?? 8788 });
        const base = publicFlag ?? listening;
        io.stderr.write(
          `tokpipe serve: listening on ${listening} (state: ${state.describe}${worker ? '; posts on the shared queue' : ''})\n`,
        );
        io.stderr.write(
          `  TikTok webhook URL: ${base}/webhooks/tiktok${env.clientSecret ? '' : ' (set TIKTOK_CLIENT_SECRET to accept them)'}\n`,
        );
        io.stderr.write(`  console: ${base}/console/ (log in with an API key); MCP for agents: ${base}/mcp\n`);
        io.stderr.write(
          `  API: ${base}/v1 (Authorization: Bearer <key from tokpipe keys create>), OpenAPI: ${base}/openapi.json\n`,
        );
        if (env.clientKey && env.clientSecret) {
          const link = await createConnectLink(server.context, server.context.options.connect!);
          io.stderr.write(`  connect a TikTok account (link valid 15 min): ${link.url}\n`);
        }
        await io.interrupted;
        io.stderr.write('tokpipe serve: stopping (finishing posts in flight)\n');
        return EXIT.ok;
      } finally {
        await server.close();
        await worker?.stop();
        await pipeline.shutdown();
        await session.close(); // the pipeline's job table lock (the state closes below)
      }
    } finally {
      await state.close();
    }
  },
};

export const keysCreate: Command = {
  path: ['keys', 'create'],
  spec: {
    usage: 'tokpipe keys create --scope read|post|admin [--account A,B] [--label TEXT] [--database URL | --store PATH]',
    flags: {
      scope: { kind: 'string', description: 'read (look), post (and post), admin (and reconcile, connect, keys)' },
      account: { kind: 'string', description: 'comma-separated accounts the key may act on (default: all)' },
      label: { kind: 'string', description: 'a note shown by keys list' },
      ...stateFlags,
    },
  },
  async run(args, io) {
    const scope = args.flags.scope;
    if (typeof scope !== 'string' || !API_KEY_SCOPES.includes(scope as ApiKeyScope))
      throw new UsageError(`--scope must be one of ${API_KEY_SCOPES.join(', ')}`, '--scope');
    const accounts =
      typeof args.flags.account === 'string'
        ? args.flags.account
            .split(',')
            .map((a) => a.trim())
            .filter(Boolean)
        : undefined;
    const state = await openServeState(args, io);
    try {
      const rt = runtime(readEnv(io.env));
      const label = typeof args.flags.label === 'string' ? args.flags.label : undefined;
      const { key, record } = await new ApiKeys(state.store, rt.clock).create({
        scope: scope as ApiKeyScope,
        accounts,
        label,
      });
      io.stdout.write(key + '\n');
      io.stderr.write(
        `key ${record.id} (${record.scope}${accounts ? `, accounts ${accounts.join(', ')}` : ''}): shown once, stored hashed\n`,
      );
      return EXIT.ok;
    } finally {
      await state.close();
    }
  },
};

export const keysList: Command = {
  path: ['keys', 'list'],
  spec: {
    usage: 'tokpipe keys list [--json] [--database URL | --store PATH]',
    flags: { json: { kind: 'boolean', description: 'print JSON' }, ...stateFlags },
  },
  async run(args, io) {
    const state = await openServeState(args, io);
    try {
      const keys = await new ApiKeys(state.store, runtime(readEnv(io.env)).clock).list();
      if (args.flags.json === true) io.stdout.write(JSON.stringify(keys) + '\n');
      else if (keys.length === 0) io.stdout.write('no API keys (tokpipe keys create --scope post)\n');
      else
        for (const k of keys)
          io.stdout.write(
            `${k.id}  ${k.scope.padEnd(5)}  ${k.accounts?.join(',') ?? 'all accounts'}  ` +
              `${k.revokedAt ? 'revoked' : 'active'}  ${k.label ?? ''}\n`,
          );
      return EXIT.ok;
    } finally {
      await state.close();
    }
  },
};

export const keysRevoke: Command = {
  path: ['keys', 'revoke'],
  spec: {
    usage: 'tokpipe keys revoke KEY_ID [--database URL | --store PATH]',
    flags: { ...stateFlags },
    positionals: [{ name: 'KEY_ID', required: true }],
  },
  async run(args, io) {
    const state = await openServeState(args, io);
    try {
      const id = args.positionals.KEY_ID!;
      if (!(await new ApiKeys(state.store, runtime(readEnv(io.env)).clock).revoke(id)))
        throw new UsageError(`no API key ${id} (tokpipe keys list)`, 'KEY_ID');
      io.stderr.write(`key ${id} revoked\n`);
      return EXIT.ok;
    } finally {
      await state.close();
    }
  },
};
