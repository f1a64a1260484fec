// A local stand-in for Make's engine, for the subset of the Apps SDK our app uses (make-custom-apps.md
// §7): base merge, request building, condition/temp, repeat, pagination, response temp/valid/error/
// iterate/output/limit/trigger, arrays of requests, OAuth 2 (authorize → token → info, refresh.condition
// before every call, invalidate), shared webhooks routed by uid, and the engine's reaction to each error
// type. It proves the spec is consistent under OUR reading of Make's semantics; the README lists what to
// re-check in Make's DevTool.
import type { Clock } from '@tokpipe/core';
import { randomUUID } from 'node:crypto';
import { component, type Component, type LoadedApp } from '../app/load';
import { evaluate, text, truthy, type Scope } from '../iml/evaluate';
import { compileFunction } from '../functions';
import { imlNamespace, makeEnv, type ImlEnv } from '../iml/functions';
import { validateBundle } from './bundle';
import { HarnessTransportError, rewriteHost, sanitizeLog, send, type LogEntry, type WireResponse } from './http';

type Json = Record<string, unknown>;

/** An error a module raised, typed as Make would see it. */
export class MakeError extends Error {
  override readonly name = 'MakeError';
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

/** What Make's engine does with each error type when no error handler is attached (§5.2). */
export type EngineOutcome = 'retried' | 'paused_then_rerun' | 'deactivated' | 'stopped' | 'locked';
export const ENGINE_OUTCOMES: Readonly<Record<string, EngineOutcome>> = {
  ConnectionError: 'retried',
  RateLimitError: 'retried',
  ModuleTimeoutError: 'retried',
  IncompleteDataError: 'paused_then_rerun',
  InvalidConfigurationError: 'deactivated',
  InvalidAccessTokenError: 'deactivated',
  DataError: 'stopped',
  RuntimeError: 'stopped',
  DuplicateDataError: 'stopped',
  UnexpectedError: 'locked',
  MaxResultsExceededError: 'deactivated',
};

export function engineOutcome(error: unknown): EngineOutcome {
  if (error instanceof MakeError) return ENGINE_OUTCOMES[error.type] ?? 'stopped';
  return 'stopped';
}

export interface Connection {
  id: string;
  /** response.data of token/refresh, as Make stores it (JSON: dates become ISO strings). */
  data: Json;
  uid?: string;
  metadata?: Json;
  /** When the connection dies (refresh token expiry), ISO. */
  expires?: string;
}

export interface HarnessOptions {
  app: LoadedApp;
  /** Spec origin → local origin (e.g. https://open.tiktokapis.com → sandbox URL). */
  hosts: Record<string, string>;
  clock: Clock;
  common: Json;
  uuid?: () => string;
  redirectUri?: string;
}

interface RequestResult {
  temp: Json;
  output?: unknown;
  items?: unknown[];
  response?: WireResponse;
  directives?: Json;
  triggerKeys?: Array<{ id: unknown; date: unknown }>;
}

const MAKE_REDIRECT = 'https://www.make.com/oauth/cb/app';
/** Make's module time limit (about 40 s, make-custom-apps.md §2). */
export const MODULE_TIMEOUT_MS = 40_000;

export class MakeHarness {
  readonly app: LoadedApp;
  /** Every exchange as Make's log would show it (log.sanitize applied). */
  readonly logs: LogEntry[] = [];
  /** The same exchanges unsanitized: what the sanitize check compares against. */
  readonly rawLogs: LogEntry[] = [];
  private readonly env: ImlEnv;
  private readonly opts: HarnessOptions;

  constructor(opts: HarnessOptions) {
    this.opts = opts;
    this.app = opts.app;
    this.env = makeEnv({ now: () => opts.clock.now(), uuid: opts.uuid ?? randomUUID });
    // The app's custom functions, from its own code files, as Make runs them.
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
          const type = typeof e?.name === 'string' && Object.hasOwn(ENGINE_OUTCOMES, e.name) && e.name !== 'UnexpectedError' ? e.name : 'RuntimeError';
          throw new MakeError(type, `${c.id}: ${String(e?.message ?? error)}`);
        }
      };
    }
  }

  private eval<T = unknown>(value: unknown, scope: Scope): T {
    return evaluate(value, scope, this.env) as T;
  }

  private baseScope(extra: Scope): Scope {
    return { common: this.opts.common, temp: {}, parameters: {}, data: {}, ...extra };
  }

  // ------------------------------------------------------------ requests

  /** Base merge (§2): headers and qs merge, the component wins; response directives merge per key. */
  private withBase(spec: Json): Json {
    const base = this.app.base;
    return {
      ...base,
      ...spec,
      headers: { ...(base.headers as Json), ...(spec.headers as Json) },
      qs: { ...(base.qs as Json), ...(spec.qs as Json) },
      response: { ...(base.response as Json), ...(spec.response as Json) },
      log: { sanitize: [...(((base.log as Json)?.sanitize as string[]) ?? []), ...(((spec.log as Json)?.sanitize as string[]) ?? [])] },
    };
  }

  private async exchange(componentName: string, spec: Json, scope: Scope): Promise<WireResponse> {
    const baseUrl = spec.baseUrl ? text(this.eval(spec.baseUrl, scope)) : '';
    const rawUrl = text(this.eval(spec.url, scope));
    const url = new URL(rawUrl.startsWith('/') ? baseUrl + rawUrl : rawUrl);
    const qs = (this.eval(spec.qs ?? {}, scope) ?? {}) as Json;
    for (const [k, v] of Object.entries(qs)) if (v !== undefined && v !== null) url.searchParams.set(k, text(v));
    const method = text(this.eval(spec.method ?? 'GET', scope)).toUpperCase();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries((this.eval(spec.headers ?? {}, scope) ?? {}) as Json)) if (v !== undefined) headers[k] = text(v);
    const bodyValue = spec.body === undefined ? undefined : this.eval(spec.body, scope);
    const type = text(this.eval(spec.type ?? 'json', scope));
    let body: string | Uint8Array | undefined;
    if (bodyValue !== undefined && method !== 'GET') {
      if (type === 'binary') {
        // Raw bytes, no automatic Content-Type (§4.1: only json, urlencoded and multipart get one).
        if (!(bodyValue instanceof Uint8Array)) throw new MakeError('RuntimeError', `${componentName}: a binary body must be a buffer, got ${typeof bodyValue}`);
        body = bodyValue;
      } else if (type === 'urlencoded') {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(Object.entries(bodyValue as Json).filter(([, v]) => v !== undefined && v !== null).map(([k, v]): [string, string] => [k, text(v)])).toString();
      } else {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(bodyValue, (_k, v) => (v === '' ? undefined : v));
      }
    }
    const wireUrl = rewriteHost(url.toString(), this.opts.hosts);
    const logged = bodyValue instanceof Uint8Array ? `[binary: ${bodyValue.byteLength} bytes]` : bodyValue;
    const entry: LogEntry = { component: componentName, request: { method, url: url.toString(), headers, body: logged } };
    let response: WireResponse;
    try {
      response = await send({ method, url: wireUrl, headers, body });
    } catch (error) {
      // No reply (reset, timeout): the engine raises its own error; no response directive runs.
      // Our reading: Make reports a failed connection as ConnectionError (UNCONFIRMED, README).
      if (error instanceof HarnessTransportError && error.kind === 'network') {
        entry.response = undefined;
        this.rawLogs.push(entry);
        this.logs.push(sanitizeLog(entry, ((spec.log as Json | undefined)?.sanitize as string[]) ?? []));
        throw new MakeError('ConnectionError', `${method} request failed without a reply: ${error.message}`);
      }
      throw error;
    }
    entry.response = { status: response.statusCode, headers: response.headers, body: response.body };
    this.rawLogs.push(entry);
    this.logs.push(sanitizeLog(entry, ((spec.log as Json | undefined)?.sanitize as string[]) ?? []));
    return response;
  }

  /** Raises the typed error a failed response maps to (status block > error > valid's own type). */
  private fail(directives: Json, scope: Scope, statusCode: number, fromValid: Json | undefined): never {
    const error = directives.error as Json | string | undefined;
    const block = typeof error === 'object' && error ? ((error[String(statusCode)] as Json | undefined) ?? error) : undefined;
    const chosen = fromValid && statusCode < 400 ? { ...(block ?? {}), ...fromValid } : block;
    const type = chosen?.type !== undefined ? text(this.eval(chosen.type, scope)) : 'RuntimeError';
    const message =
      chosen?.message !== undefined ? text(this.eval(chosen.message, scope)) : typeof error === 'string' ? text(this.eval(error, scope)) : `[${statusCode}] request failed`;
    throw new MakeError(type || 'RuntimeError', message, statusCode);
  }

  /** One request of a communication, with condition, temp, repeat, pagination and the response pipeline. */
  async runRequest(componentName: string, rawSpec: Json, scope: Scope, opts: { base: boolean; trigger?: boolean }): Promise<RequestResult> {
    const spec = opts.base ? this.withBase(rawSpec) : rawSpec;
    if (spec.condition !== undefined) {
      const cond = spec.condition && typeof spec.condition === 'object' ? (spec.condition as Json).condition : spec.condition;
      if (!truthy(this.eval(cond, scope))) {
        const dflt = spec.condition && typeof spec.condition === 'object' ? (spec.condition as Json).default : undefined;
        return { temp: scope.temp as Json, output: dflt === undefined ? undefined : this.eval(dflt, scope) };
      }
    }
    let temp = { ...(scope.temp as Json) };
    if (spec.temp) temp = { ...temp, ...this.eval<Json>(spec.temp, { ...scope, temp }) };
    const directives = (spec.response ?? {}) as Json;
    const limit = directives.limit !== undefined ? Number(this.eval(directives.limit, { ...scope, temp })) : Number.POSITIVE_INFINITY;
    const items: unknown[] = [];
    const triggerKeys: Array<{ id: unknown; date: unknown }> = [];
    let page: Json = spec;
    let last: RequestResult = { temp };

    for (;;) {
      let response = await this.exchange(componentName, page, { ...scope, temp });
      // repeat: re-issue while the condition holds; an HTTP error aborts and propagates.
      const repeat = spec.repeat as Json | undefined;
      for (let n = 1; repeat && response.statusCode < 400 && n < Number(repeat.limit ?? 1); n++) {
        const rs = { ...scope, temp, body: response.body, headers: response.headers, statusCode: response.statusCode };
        if (!truthy(this.eval(repeat.condition, rs))) break;
        await this.opts.clock.sleep(Number(repeat.delay ?? 0));
        response = await this.exchange(componentName, page, { ...scope, temp });
      }

      let rs: Scope = { ...scope, temp, body: response.body, headers: response.headers, statusCode: response.statusCode };
      if (directives.temp) {
        temp = { ...temp, ...this.eval<Json>(directives.temp, rs) };
        rs = { ...rs, temp };
      }
      const valid = directives.valid as Json | string | boolean | undefined;
      if (response.statusCode >= 400) this.fail(directives, rs, response.statusCode, undefined);
      if (valid !== undefined) {
        const cond = typeof valid === 'object' ? valid.condition : valid;
        if (!truthy(this.eval(cond, rs))) this.fail(directives, rs, response.statusCode, typeof valid === 'object' ? valid : {});
      }

      if (directives.iterate !== undefined) {
        const it = directives.iterate as Json | string;
        const container = this.eval(typeof it === 'object' ? it.container : it, rs);
        for (const item of Array.isArray(container) ? container : []) {
          if (items.length >= limit) break;
          const is = { ...rs, item };
          if (typeof it === 'object' && it.condition !== undefined && !truthy(this.eval(it.condition, is))) continue;
          items.push(directives.output === undefined ? item : this.eval(directives.output, is));
          const trig = directives.trigger as Json | undefined;
          if (trig) triggerKeys.push({ id: this.eval(trig.id, is), date: trig.date === undefined ? undefined : this.eval(trig.date, is) });
        }
      }
      last = {
        temp,
        response,
        directives: { data: directives.data, metadata: directives.metadata, uid: directives.uid, expires: directives.expires, scope: rs } as Json,
        output: directives.iterate === undefined ? (directives.output === undefined ? response.body : this.eval(directives.output, rs)) : undefined,
      };

      const pagination = spec.pagination as Json | undefined;
      if (!pagination || items.length >= limit || !truthy(this.eval(pagination.condition ?? true, rs))) break;
      // Next page: pagination merges with the parent request (headers, qs, body), pagination wins.
      const evaluated = this.eval<Json>(omit(pagination, 'condition', 'mergeWithParent'), rs);
      const merge = pagination.mergeWithParent !== false;
      page = {
        ...page,
        url: evaluated.url ?? page.url,
        method: evaluated.method ?? page.method,
        headers: merge ? { ...(this.eval(page.headers ?? {}, { ...scope, temp }) as Json), ...(evaluated.headers as Json) } : evaluated.headers,
        qs: merge ? { ...(this.eval(page.qs ?? {}, { ...scope, temp }) as Json), ...(evaluated.qs as Json) } : evaluated.qs,
        body: merge ? { ...(this.eval(page.body ?? {}, { ...scope, temp }) as Json), ...(evaluated.body as Json) } : evaluated.body,
      };
    }
    return directives.iterate !== undefined ? { ...last, items, triggerKeys } : last;
  }

  private requests(c: Component): Json[] {
    const comm = c.code.communication;
    if (!comm) return [];
    return (Array.isArray(comm) ? comm : [comm]) as Json[];
  }

  // ------------------------------------------------------------ OAuth

  private oauth(connectionId: string): Json {
    return component(this.app, 'connection', connectionId).code.communication as Json;
  }

  /** First connection: authorize (the sandbox's page answers with a redirect), token, info. */
  async connect(connectionId: string, opts: { scopes: string[]; authorizeExtras?: Record<string, string> }): Promise<Connection> {
    const comm = this.oauth(connectionId);
    const redirect = this.opts.redirectUri ?? MAKE_REDIRECT;
    const oauth = { scope: opts.scopes, redirectUri: redirect, localRedirectUri: redirect, makeRedirectUri: redirect };
    let scope = this.baseScope({ oauth });
    const authorize = comm.authorize as Json;
    const url = new URL(text(this.eval(authorize.url, scope)));
    for (const [k, v] of Object.entries(this.eval<Json>(authorize.qs ?? {}, scope))) url.searchParams.set(k, text(v));
    for (const [k, v] of Object.entries(opts.authorizeExtras ?? {})) url.searchParams.set(k, v);
    const page = await send({ method: 'GET', url: rewriteHost(url.toString(), this.opts.hosts), headers: {} });
    const location = page.headers.location;
    if (page.statusCode !== 302 || !location) throw new MakeError('AccountValidationError', `authorize page answered ${page.statusCode}: ${page.text.slice(0, 200)}`);
    const query = Object.fromEntries(new URL(location).searchParams);
    if (query.error) throw new MakeError('AccountValidationError', `authorization failed: ${query.error} ${query.error_description ?? ''}`);
    scope = { ...scope, query };
    const authTemp = this.eval<Json>(((authorize.response as Json | undefined)?.temp ?? {}) as Json, scope);
    scope = { ...scope, temp: { ...(scope.temp as Json), ...authTemp } };

    const conn: Connection = { id: connectionId, data: {} };
    const token = await this.runRequest(`connection ${connectionId} token`, comm.token as Json, scope, { base: false });
    this.store(conn, token);
    if (comm.info) {
      const info = await this.runRequest(`connection ${connectionId} info`, comm.info as Json, { ...scope, data: conn.data, connection: conn.data }, { base: false });
      const d = info.directives!;
      const rs = d.scope as Scope;
      if (d.uid !== undefined) conn.uid = text(this.eval(d.uid, rs));
      if (d.metadata !== undefined) conn.metadata = this.eval<Json>(d.metadata, rs);
    }
    return conn;
  }

  /** response.data and response.expires as Make persists them (JSON round trip). */
  private store(conn: Connection, result: RequestResult): void {
    const d = result.directives!;
    const rs = d.scope as Scope;
    if (d.data !== undefined) conn.data = { ...conn.data, ...(JSON.parse(JSON.stringify(this.eval(d.data, rs))) as Json) };
    if (d.expires !== undefined) conn.expires = text(this.eval(d.expires, rs));
  }

  /** Before every module/RPC call: a dead connection fails, refresh.condition decides a refresh. */
  async ensureFresh(conn: Connection): Promise<void> {
    if (conn.expires && Date.parse(conn.expires) <= this.opts.clock.now())
      throw new MakeError('InvalidAccessTokenError', `The connection ${conn.id} expired: reauthorize it.`);
    const refresh = this.oauth(conn.id).refresh as Json | undefined;
    if (!refresh) return;
    const scope = this.baseScope({ data: conn.data, connection: conn.data });
    const result = await this.runRequest(`connection ${conn.id} refresh`, refresh, scope, { base: false });
    if (result.response) this.store(conn, result);
  }

  async invalidate(conn: Connection): Promise<void> {
    const invalidate = this.oauth(conn.id).invalidate as Json | undefined;
    if (invalidate) await this.runRequest(`connection ${conn.id} invalidate`, invalidate, this.baseScope({ data: conn.data, connection: conn.data }), { base: false });
  }

  // ------------------------------------------------------------ modules, RPCs, triggers

  private async communicate(c: Component, conn: Connection, parameters: Json): Promise<RequestResult> {
    const started = this.opts.clock.now();
    // Make stops a module after about 40 s, whatever it would have returned; repeat delays count (our reading, see README).
    const timedOut = () => this.opts.clock.now() - started > MODULE_TIMEOUT_MS;
    const timeout = () => new MakeError('ModuleTimeoutError', `${c.type} ${c.id} ran longer than Make's module time limit`);
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
  async pollTrigger(moduleId: string, conn: Connection, parameters: Json, state: { lastDate?: string; lastId?: string }): Promise<{ bundles: unknown[]; state: { lastDate?: string; lastId?: string } }> {
    const c = component(this.app, 'module', moduleId);
    const trigger = (this.requests(c)[0]?.response as Json | undefined)?.trigger as Json | undefined;
    if (!trigger) throw new Error(`${moduleId} is not a polling trigger`);
    const result = await this.communicate(c, conn, parameters);
    const keyed = (result.items ?? []).map((bundle, i) => ({ bundle, ...result.triggerKeys![i]! }));
    const time = (d: unknown) => (d instanceof Date ? d.getTime() : Date.parse(text(d)));
    const fresh =
      trigger.type === 'date'
        ? keyed.filter((k) => state.lastDate === undefined || time(k.date) > Date.parse(state.lastDate))
        : keyed.slice(0, Math.max(0, keyed.findIndex((k) => text(k.id) === state.lastId)) || keyed.length);
    const newest = fresh.reduce<number | undefined>((m, k) => (m === undefined || time(k.date) > m ? time(k.date) : m), undefined);
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
  async deliverWebhook(webhookId: string, payload: { body: Json; headers?: Record<string, string> }, connections: Connection[]): Promise<{ respond: Json; routed: Array<{ connection: string; module: string; bundle: Json }> }> {
    const hook = component(this.app, 'webhook', webhookId);
    const comm = (hook.code.communication ?? {}) as Json;
    const scope = this.baseScope({ body: payload.body, headers: payload.headers ?? {}, query: {} });
    const respond = this.eval<Json>(comm.respond ?? { status: 200 }, scope);
    const routed: Array<{ connection: string; module: string; bundle: Json }> = [];
    try {
      if (comm.condition !== undefined && !truthy(this.eval(comm.condition, scope))) return { respond, routed };
      const uid = text(this.eval(comm.uid, scope));
      const items = comm.iterate ? (this.eval(typeof comm.iterate === 'object' ? (comm.iterate as Json).container : comm.iterate, scope) as unknown[]) : [payload.body];
      const modules = this.app.components.filter((m) => m.type === 'module' && m.meta.webhook === webhookId);
      for (const item of items) {
        const bundle = this.eval<Json>(comm.output ?? item, { ...scope, item });
        for (const conn of connections.filter((x) => x.uid === uid))
          for (const m of modules) routed.push({ connection: conn.uid!, module: m.id, bundle });
      }
    } catch {
      // A malformed event must not fail the sender's delivery (nor deactivate scenarios).
    }
    return { respond, routed };
  }
}

function omit(obj: Json, ...keys: string[]): Json {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)));
}
