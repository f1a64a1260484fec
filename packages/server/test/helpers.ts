// Test rig: core's pipeline harness (a real sandbox sharing one VirtualClock with the pipeline), the
// server on a real 127.0.0.1 socket, HTTP calls through a clock-tracked transport (time never jumps
// while a request is in flight), and a loopback subscriber that records what it receives.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createPoster,
  TokenManager,
  VirtualClock,
  type HttpResponse,
  type KeyValueStore,
  type Logger,
} from '@tokpipe/core';
import { axiosTransport, videoFileSource } from '@tokpipe/core/node';
import { setup, type AccountSetup, type Harness } from '../../core/test/pipeline/harness';
import type { SandboxConfig } from '@tokpipe/sandbox';
import { buildServer, type ApiKeyScope, type ServerOptions, type TokpipeServer } from '../src';

/** A reply body as tests read it: any path, checked by the assertions themselves. */
export type Json = any;

export interface Rig {
  h: Harness;
  server: TokpipeServer;
  url: string;
  logs: string[];
  /** Every reply body seen, for the secrets scan. */
  seen: string[];
  key(scope: ApiKeyScope, accounts?: string[]): Promise<string>;
  call(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    options?: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<HttpResponse & { json: Json }>;
  close(): Promise<void>;
}

export async function startRig(
  options: {
    accounts?: AccountSetup[];
    sandbox?: Partial<SandboxConfig>;
    webhooks?: boolean;
    /** Server options, or a function of the harness (the sandbox) and the server's URL once listening. */
    server?: Partial<ServerOptions> | ((h: Harness, url: () => string) => Partial<ServerOptions>);
    store?: KeyValueStore;
  } = {},
): Promise<Rig> {
  const clock = new VirtualClock({ start: Math.floor(Date.now() / 1000) * 1000, autoAdvance: true });
  const h = await setup({
    clock,
    accounts: options.accounts ?? [{ id: 'brand' }],
    sandbox: options.sandbox,
    ...(options.store ? { store: options.store } : {}),
    // Files the server pulled (serverUpload) are opened like the CLI opens them.
    pipeline: { openFile: (file) => videoFileSource(file), ...(options.webhooks ? { webhooks: true } : {}) },
  });
  const transport = clock.trackTransport(axiosTransport({ defaultTimeoutMs: 5_000 }));
  const demo = h.sb.admin.demo();
  const logs: string[] = [];
  let listening = '';
  const extra = typeof options.server === 'function' ? options.server(h, () => listening) : options.server;
  const log: Logger = (level, message) => logs.push(`${level} ${message}`);
  const server = buildServer({
    pipeline: h.pipeline,
    store: h.store,
    clock,
    // The sandbox signs with the shared virtual clock; the replay window must read the same time here.
    wallClock: clock,
    clientSecret: demo.clientSecret,
    transport,
    // Tests call checkTokens() themselves: an hourly sleeper would let auto-advance jump an hour when idle.
    tokenCheckEveryMs: 0,
    log,
    creatorInfo: (account) =>
      createPoster({
        baseUrl: h.sb.url,
        transport,
        clock,
        auth: new TokenManager({
          store: h.pipeline.accounts.tokenStore(account.id),
          clock,
          refresh: () => Promise.reject(new Error('no refresh here')),
        }),
      }).creatorInfo(),
    ...extra,
  });
  await server.start();
  const url = await server.listen({ port: 0 });
  const seen: string[] = [];
  listening = url;
  return {
    h,
    server,
    url,
    logs,
    seen,
    key: async (scope, accounts) => (await server.context.keys.create({ scope, accounts })).key,
    call: async (method, path, o = {}) => {
      const headers: Record<string, string> = { ...o.headers };
      if (o.key) headers.authorization = `Bearer ${o.key}`;
      // Raw bodies as bytes: axios would re-encode a string that is not valid JSON.
      let body: string | Uint8Array | undefined = o.raw === undefined ? undefined : Buffer.from(o.raw);
      if (o.body !== undefined) body = JSON.stringify(o.body);
      if (body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
        headers['content-type'] = 'application/json';
      const reply = await transport({ method, url: url + path, headers, ...(body !== undefined ? { body } : {}) });
      seen.push(reply.body);
      let json: unknown;
      try {
        json = reply.body ? JSON.parse(reply.body) : undefined;
      } catch {
        json = undefined;
      }
      return { ...reply, json };
    },
    close: async () => {
      await server.close();
      await h.close();
    },
  };
}

export interface Subscriber {
  url: string;
  received: Array<{ headers: http.IncomingHttpHeaders; body: string }>;
  /** Status to answer with (default 200). */
  status: number;
  /** When set: the status for the n-th request received (0-based), decided before it is answered. */
  answer?: (n: number) => number;
  close(): Promise<void>;
}

export async function startSubscriber(): Promise<Subscriber> {
  const state: Subscriber = { url: '', received: [], status: 200, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = state.answer ? state.answer(state.received.length - 1) : state.status;
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}

/** The sandbox's own sample video: a valid direct post body. */
export function postBody(sbUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    videoUrl: `${sbUrl}/media/sample.mp4`,
    title: `hello ${Math.random().toString(36).slice(2, 8)} #tokpipe`,
    privacyLevel: 'SELF_ONLY',
    ...extra,
  };
}

/** Waits (short real I/O turns, never clock time) until the async `cond` holds. */
export async function eventually(cond: () => Promise<boolean>, what: string): Promise<void> {
  const giveUpAt = Date.now() + 15_000;
  while (Date.now() < giveUpAt) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}
