// A local stand-in for Make's engine, for the subset of the Apps SDK our app uses (make-custom-apps.md
// §7): modules, RPCs, polling triggers and shared webhooks over the request runner (requests.ts) and
// the OAuth lifecycle (oauth.ts), with the app's custom functions and the module time limit. It proves
// the spec is consistent under OUR reading of Make's semantics; the README lists what to re-check in
// Make's DevTool.
import type { Clock } from '@tokpipe/core';
import { randomUUID } from 'node:crypto';
import { component, type Component, type LoadedApp } from './load-app';
import { text, truthy, type Scope } from './iml/evaluate';
import { compileFunction } from './custom-functions';
import { imlNamespace, makeEnv, type ImlEnv } from './iml/functions';
import { validateBundle } from './bundle';
import { ENGINE_OUTCOMES, MakeError } from './engine-errors';
import type { LogEntry } from './http';
import { OAuthFlow, type Connection } from './oauth';
import { RequestRunner, type Json, type RequestResult } from './requests';

export * from './engine-errors';
export type { Connection } from './oauth';

export interface HarnessOptions {
  app: LoadedApp;
  /** Spec origin → local origin (e.g. https://open.tiktokapis.com → sandbox URL). */
  hosts: Record<string, string>;
  clock: Clock;
  common: Json;
  uuid?: () => string;
  redirectUri?: string;
  /** True drops the reply to this request after the peer handled it (a lost reply). */
  dropReply?: (req: { method: string; url: string }) => boolean;
}

/** A dedicated webhook once attached: Make's URL for it and what attach stored (`webhook.*`). */
export interface AttachedHook {
  url: string;
  data: Json;
}

/** Make's module time limit (about 40 s, make-custom-apps.md §2). */
export const MODULE_TIMEOUT_MS = 40_000;

export class MakeHarness {
  readonly app: LoadedApp;
  private readonly env: ImlEnv;
  private readonly opts: HarnessOptions;
  private readonly runner: RequestRunner;
  private readonly oauth: OAuthFlow;

  constructor(opts: HarnessOptions) {
    this.opts = opts;
    this.app = opts.app;
    this.env = makeEnv({ now: () => opts.clock.now(), uuid: opts.uuid ?? randomUUID });
    this.runner = new RequestRunner(opts.app, this.env, opts.hosts, opts.clock, opts.dropReply);
    this.oauth = new OAuthFlow(opts.app, this.runner, {
      hosts: opts.hosts,
      clock: opts.clock,
      redirectUri: opts.redirectUri,
      baseScope: (extra) => this.baseScope(extra),
    });
    this.installCustomFunctions();
  }

  /** Every exchange as Make's log would show it (log.sanitize applied). */
  get logs(): LogEntry[] {
    return this.runner.logs;
  }

  /** The same exchanges unsanitized: what the sanitize check compares against. */
  get rawLogs(): LogEntry[] {
    return this.runner.rawLogs;
  }

  /** The app's custom functions, from its own code files, as Make runs them. */
  private installCustomFunctions(): void {
    const iml = imlNamespace(this.env);
    for (const c of this.app.components.filter((x) => x.type === 'function')) {
      const fn = compileFunction(c.id, String(c.code.code ?? ''), iml);
      this.env.functions[c.id] = (_env, ...args) => {
        try {
          return fn(...args);
        } catch (error) {
          // A custom function that throws fails the module where it is evaluated (a request's temp,
          // body…), before that request is sent. Our reading: the error keeps the Make type its name
          // gives, else RuntimeError (UNCONFIRMED, README).
          const e = error as { name?: unknown; message?: unknown };
          const type =
            typeof e?.name === 'string' && Object.hasOwn(ENGINE_OUTCOMES, e.name) && e.name !== 'UnexpectedError'
              ? e.name
              : 'RuntimeError';
          throw new MakeError(type, `${c.id}: ${String(e?.message ?? error)}`);
        }
      };
    }
  }

  private eval<T = unknown>(value: unknown, scope: Scope): T {
    return this.runner.eval<T>(value, scope);
  }

  private baseScope(extra: Scope): Scope {
    return { common: this.opts.common, temp: {}, parameters: {}, data: {}, ...extra };
  }

  private runRequest(name: string, spec: Json, scope: Scope, opts: { base: boolean }): Promise<RequestResult> {
    return this.runner.runRequest(name, spec, scope, opts);
  }

  private requests(c: Component): Json[] {
    const comm = c.code.communication;
    if (!comm) return [];
    return (Array.isArray(comm) ? comm : [comm]) as Json[];
  }

  // ------------------------------------------------------------ OAuth

  /** First connection: authorize, token, info. */
  connect(
    connectionId: string,
    opts: { scopes: string[]; authorizeExtras?: Record<string, string> },
  ): Promise<Connection> {
    return this.oauth.connect(connectionId, opts);
  }

  /** Before every module/RPC call: a dead connection fails, refresh.condition decides a refresh. */
  ensureFresh(conn: Connection): Promise<void> {
    return this.oauth.ensureFresh(conn);
  }

  invalidate(conn: Connection): Promise<void> {
    return this.oauth.invalidate(conn);
  }

  /** A basic connection: the form is checked, its communication validates the values, and Make keeps the
   * parameters (as connection.*) with response.data. */
  async connectBasic(connectionId: string, parameters: Json): Promise<Connection> {
    const c = component(this.app, 'connection', connectionId);
    validateBundle(c.code.params, parameters);
    let data: Json = { ...parameters };
    let metadata: Json | undefined;
    for (const req of this.requests(c)) {
      const r = await this.runRequest(`connection ${connectionId}`, req, this.baseScope({ parameters }), {
        base: false,
      });
      const d = r.directives!;
      if (d.data !== undefined) data = { ...data, ...this.eval<Json>(d.data, d.scope as Scope) };
      if (d.metadata !== undefined) metadata = this.eval<Json>(d.metadata, d.scope as Scope);
    }
    return { id: connectionId, data, ...(metadata ? { metadata } : {}) };
  }

  /** A dedicated webhook's attach (when a scenario with its instant trigger is switched on): Make gives the
   * hook its URL, attach registers it, and its response.data is kept as `webhook.*`. */
  async attachWebhook(webhookId: string, conn: Connection, parameters: Json, url: string): Promise<AttachedHook> {
    const hook = component(this.app, 'webhook', webhookId);
    validateBundle(hook.code.params, parameters);
    const scope = this.baseScope({ parameters, connection: conn.data, webhook: { url } });
    const r = await this.runRequest(`webhook ${webhookId} attach`, hook.code.attach as Json, scope, { base: true });
    const d = r.directives!;
    const data = d.data === undefined ? {} : this.eval<Json>(d.data, d.scope as Scope);
    return { url, data: JSON.parse(JSON.stringify(data)) as Json };
  }

  /** Detach (the scenario is switched off or deleted), with what attach stored. */
  async detachWebhook(webhookId: string, conn: Connection, hook: AttachedHook): Promise<void> {
    const spec = component(this.app, 'webhook', webhookId).code.detach as Json;
    const scope = this.baseScope({ connection: conn.data, webhook: { ...hook.data, url: hook.url } });
    await this.runRequest(`webhook ${webhookId} detach`, spec, scope, { base: true });
  }

  // ------------------------------------------------------------ modules, RPCs, triggers

  private async communicate(c: Component, conn: Connection, parameters: Json): Promise<RequestResult> {
    const started = this.opts.clock.now();
    // Make stops a module after about 40 s, whatever it would have returned; repeat delays count (our reading, see README).
    const timedOut = () => this.opts.clock.now() - started > MODULE_TIMEOUT_MS;
    const timeout = () =>
      new MakeError('ModuleTimeoutError', `${c.type} ${c.id} ran longer than Make's module time limit`);
    let result: RequestResult;
    try {
      result = await this.communicateOnce(c, conn, parameters);
    } catch (error) {
      throw timedOut() ? timeout() : error;
    }
    if (timedOut()) throw timeout();
    return result;
  }

  private async communicateOnce(c: Component, conn: Connection, parameters: Json): Promise<RequestResult> {
    await this.ensureFresh(conn);
    let scope = this.baseScope({ parameters, connection: conn.data });
    let result: RequestResult = { temp: {} };
    let output: unknown;
    // Arrays run in order with merged temp; the last output wins.
    for (const req of this.requests(c)) {
      result = await this.runRequest(`${c.type} ${c.id}`, req, scope, { base: true });
      scope = { ...scope, temp: result.temp };
      if (result.output !== undefined || result.items) output = result.output;
    }
    return { ...result, output };
  }

  /** An action: one bundle. */
  async runModule(moduleId: string, conn: Connection, parameters: Json = {}): Promise<Json> {
    const c = component(this.app, 'module', moduleId);
    validateBundle(c.code.staticParams, parameters);
    validateBundle(c.code.mappableParams, parameters);
    const result = await this.communicate(c, conn, parameters);
    if (result.items) throw new MakeError('RuntimeError', 'Invalid module output. Expected Object, but found Array');
    return result.output as Json;
  }

  async runRpc(rpcId: string, conn: Connection, parameters: Json = {}): Promise<unknown[]> {
    const result = await this.communicate(component(this.app, 'rpc', rpcId), conn, parameters);
    return result.items ?? [];
  }

  /** A polling trigger run: items newer than the stored lastDate (type date) or up to lastId (type id). */
  async pollTrigger(
    moduleId: string,
    conn: Connection,
    parameters: Json,
    state: { lastDate?: string; lastId?: string },
  ): Promise<{ bundles: unknown[]; state: { lastDate?: string; lastId?: string } }> {
    const c = component(this.app, 'module', moduleId);
    const trigger = (this.requests(c)[0]?.response as Json | undefined)?.trigger as Json | undefined;
    if (!trigger) throw new Error(`${moduleId} is not a polling trigger`);
    const result = await this.communicate(c, conn, parameters);
    const keyed = (result.items ?? []).map((bundle, i) => ({ bundle, ...result.triggerKeys![i]! }));
    const time = (d: unknown) => (d instanceof Date ? d.getTime() : Date.parse(text(d)));
    const fresh =
      trigger.type === 'date'
        ? keyed.filter((k) => state.lastDate === undefined || time(k.date) > Date.parse(state.lastDate))
        : keyed.slice(
            0,
            Math.max(
              0,
              keyed.findIndex((k) => text(k.id) === state.lastId),
            ) || keyed.length,
          );
    const newest = fresh.reduce<number | undefined>(
      (m, k) => (m === undefined || time(k.date) > m ? time(k.date) : m),
      undefined,
    );
    return {
      bundles: fresh.map((k) => k.bundle),
      state: {
        lastDate: newest !== undefined ? new Date(newest).toISOString() : state.lastDate,
        lastId: fresh.length ? text(fresh[0]!.id) : state.lastId,
      },
    };
  }

  // ------------------------------------------------------------ webhooks

  /** TikTok posts one event to the app's shared URL: respond, filter, route by uid to the connections'
   * instant triggers. Never throws for the sender (answers 200 even when nothing matches). */
  async deliverWebhook(
    webhookId: string,
    payload: { body: Json; headers?: Record<string, string> },
    connections: Connection[],
    attached?: AttachedHook,
  ): Promise<{ respond: Json; routed: Array<{ connection: string; module: string; bundle: Json }> }> {
    const hook = component(this.app, 'webhook', webhookId);
    const comm = (hook.code.communication ?? {}) as Json;
    // A dedicated hook belongs to one scenario: no uid routing, and `webhook.*` is what attach stored.
    const dedicated = hook.meta.webhookType === 'web';
    const scope = this.baseScope({
      body: payload.body,
      headers: payload.headers ?? {},
      query: {},
      ...(dedicated ? { webhook: { ...attached?.data, url: attached?.url } } : {}),
    });
    const respond = this.eval<Json>(comm.respond ?? { status: 200 }, scope);
    const routed: Array<{ connection: string; module: string; bundle: Json }> = [];
    try {
      if (comm.condition !== undefined && !truthy(this.eval(comm.condition, scope))) return { respond, routed };
      const uid = dedicated ? undefined : text(this.eval(comm.uid, scope));
      const items = comm.iterate
        ? (this.eval(
            typeof comm.iterate === 'object' ? (comm.iterate as Json).container : comm.iterate,
            scope,
          ) as unknown[])
        : [payload.body];
      const modules = this.app.components.filter((m) => m.type === 'module' && m.meta.webhook === webhookId);
      for (const item of items) {
        const bundle = this.eval<Json>(comm.output ?? item, { ...scope, item });
        for (const conn of connections.filter((x) => dedicated || x.uid === uid))
          for (const m of modules) routed.push({ connection: conn.uid ?? conn.id, module: m.id, bundle });
      }
    } catch {
      // A malformed event must not fail the sender's delivery (nor deactivate scenarios).
    }
    return { respond, routed };
  }
}
