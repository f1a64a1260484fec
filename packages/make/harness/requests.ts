// Runs one request of a communication the way Make's engine does: base merge, building the request,
// condition and temp, repeat, pagination, and the response pipeline (temp → valid/error → iterate →
// output). Every exchange is logged twice: as Make's log shows it (log.sanitize) and raw.
import type { Clock } from '@tokpipe/core';
import type { LoadedApp } from './load-app';
import { evaluate, text, truthy, type Scope } from './iml/evaluate';
import type { ImlEnv } from './iml/functions';
import { MakeError } from './engine-errors';
import { HarnessTransportError, rewriteHost, sanitizeLog, send, type LogEntry, type WireResponse } from './http';

export type Json = Record<string, unknown>;

export interface RequestResult {
  temp: Json;
  output?: unknown;
  items?: unknown[];
  response?: WireResponse;
  directives?: Json;
  triggerKeys?: Array<{ id: unknown; date: unknown }>;
}

export class RequestRunner {
  /** Every exchange as Make's log would show it (log.sanitize applied). */
  readonly logs: LogEntry[] = [];
  /** The same exchanges unsanitized: what the sanitize check compares against. */
  readonly rawLogs: LogEntry[] = [];

  constructor(
    private readonly app: LoadedApp,
    private readonly env: ImlEnv,
    private readonly hosts: Record<string, string>,
    private readonly clock: Clock,
    /** A fault for tests: true drops this request's reply after the peer handled it (a lost reply). */
    private readonly dropReply?: (req: { method: string; url: string }) => boolean,
  ) {}

  eval<T = unknown>(value: unknown, scope: Scope): T {
    return evaluate(value, scope, this.env) as T;
  }

  /** Base merge (§2): headers and qs merge, the component wins; response directives merge per key. */
  private withBase(spec: Json): Json {
    const base = this.app.base;
    return {
      ...base,
      ...spec,
      headers: { ...(base.headers as Json), ...(spec.headers as Json) },
      qs: { ...(base.qs as Json), ...(spec.qs as Json) },
      response: { ...(base.response as Json), ...(spec.response as Json) },
      log: {
        sanitize: [
          ...(((base.log as Json)?.sanitize as string[]) ?? []),
          ...(((spec.log as Json)?.sanitize as string[]) ?? []),
        ],
      },
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
    for (const [k, v] of Object.entries((this.eval(spec.headers ?? {}, scope) ?? {}) as Json))
      if (v !== undefined) headers[k] = text(v);
    const bodyValue = spec.body === undefined ? undefined : this.eval(spec.body, scope);
    const type = text(this.eval(spec.type ?? 'json', scope));
    let body: string | Uint8Array | undefined;
    if (bodyValue !== undefined && method !== 'GET') {
      if (type === 'binary') {
        // Raw bytes, no automatic Content-Type (§4.1: only json, urlencoded and multipart get one).
        if (!(bodyValue instanceof Uint8Array))
          throw new MakeError(
            'RuntimeError',
            `${componentName}: a binary body must be a buffer, got ${typeof bodyValue}`,
          );
        body = bodyValue;
      } else if (type === 'urlencoded') {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(
          Object.entries(bodyValue as Json)
            .filter(([, v]) => v !== undefined && v !== null)
            .map(([k, v]): [string, string] => [k, text(v)]),
        ).toString();
      } else {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(bodyValue, (_k, v) => (v === '' ? undefined : v));
      }
    }
    const wireUrl = rewriteHost(url.toString(), this.hosts);
    const logged = bodyValue instanceof Uint8Array ? `[binary: ${bodyValue.byteLength} bytes]` : bodyValue;
    const entry: LogEntry = {
      component: componentName,
      request: { method, url: url.toString(), headers, body: logged },
    };
    let response: WireResponse;
    try {
      response = await send({ method, url: wireUrl, headers, body });
      if (this.dropReply?.({ method, url: wireUrl })) throw new HarnessTransportError('the reply was lost');
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
    const block =
      typeof error === 'object' && error ? ((error[String(statusCode)] as Json | undefined) ?? error) : undefined;
    const chosen = fromValid && statusCode < 400 ? { ...(block ?? {}), ...fromValid } : block;
    const type = chosen?.type !== undefined ? text(this.eval(chosen.type, scope)) : 'RuntimeError';
    const message =
      chosen?.message !== undefined
        ? text(this.eval(chosen.message, scope))
        : typeof error === 'string'
          ? text(this.eval(error, scope))
          : `[${statusCode}] request failed`;
    throw new MakeError(type || 'RuntimeError', message, statusCode);
  }

  /** One request of a communication, with condition, temp, repeat, pagination and the response pipeline. */
  async runRequest(
    componentName: string,
    rawSpec: Json,
    scope: Scope,
    opts: { base: boolean; trigger?: boolean },
  ): Promise<RequestResult> {
    const spec = opts.base ? this.withBase(rawSpec) : rawSpec;
    if (spec.condition !== undefined) {
      const cond =
        spec.condition && typeof spec.condition === 'object' ? (spec.condition as Json).condition : spec.condition;
      if (!truthy(this.eval(cond, scope))) {
        const dflt =
          spec.condition && typeof spec.condition === 'object' ? (spec.condition as Json).default : undefined;
        return { temp: scope.temp as Json, output: dflt === undefined ? undefined : this.eval(dflt, scope) };
      }
    }
    let temp = { ...(scope.temp as Json) };
    if (spec.temp) temp = { ...temp, ...this.eval<Json>(spec.temp, { ...scope, temp }) };
    const directives = (spec.response ?? {}) as Json;
    const limit =
      directives.limit !== undefined
        ? Number(this.eval(directives.limit, { ...scope, temp }))
        : Number.POSITIVE_INFINITY;
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
        await this.clock.sleep(Number(repeat.delay ?? 0));
        response = await this.exchange(componentName, page, { ...scope, temp });
      }

      let rs: Scope = {
        ...scope,
        temp,
        body: response.body,
        headers: response.headers,
        statusCode: response.statusCode,
      };
      if (directives.temp) {
        temp = { ...temp, ...this.eval<Json>(directives.temp, rs) };
        rs = { ...rs, temp };
      }
      const valid = directives.valid as Json | string | boolean | undefined;
      if (response.statusCode >= 400) this.fail(directives, rs, response.statusCode, undefined);
      if (valid !== undefined) {
        const cond = typeof valid === 'object' ? valid.condition : valid;
        if (!truthy(this.eval(cond, rs)))
          this.fail(directives, rs, response.statusCode, typeof valid === 'object' ? valid : {});
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
          if (trig)
            triggerKeys.push({
              id: this.eval(trig.id, is),
              date: trig.date === undefined ? undefined : this.eval(trig.date, is),
            });
        }
      }
      last = {
        temp,
        response,
        directives: {
          data: directives.data,
          metadata: directives.metadata,
          uid: directives.uid,
          expires: directives.expires,
          scope: rs,
        } as Json,
        output:
          directives.iterate === undefined
            ? directives.output === undefined
              ? response.body
              : this.eval(directives.output, rs)
            : undefined,
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
        headers: merge
          ? { ...(this.eval(page.headers ?? {}, { ...scope, temp }) as Json), ...(evaluated.headers as Json) }
          : evaluated.headers,
        qs: merge
          ? { ...(this.eval(page.qs ?? {}, { ...scope, temp }) as Json), ...(evaluated.qs as Json) }
          : evaluated.qs,
        body: merge
          ? { ...(this.eval(page.body ?? {}, { ...scope, temp }) as Json), ...(evaluated.body as Json) }
          : evaluated.body,
      };
    }
    return directives.iterate !== undefined ? { ...last, items, triggerKeys } : last;
  }
}

function omit(obj: Json, ...keys: string[]): Json {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)));
}
