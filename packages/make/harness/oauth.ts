// Make's OAuth 2 lifecycle for a connection: authorize (the sandbox's page answers with a redirect),
// token, info; refresh.condition before every call; invalidate. Make keeps response.data as JSON.
import type { Clock } from '@tokpipe/core';
import { component, type LoadedApp } from './load-app';
import { text, type Scope } from './iml/evaluate';
import { MakeError } from './engine-errors';
import { rewriteHost, send } from './http';
import type { Json, RequestResult, RequestRunner } from './requests';

export interface Connection {
  id: string;
  /** response.data of token/refresh, as Make stores it (JSON: dates become ISO strings). */
  data: Json;
  uid?: string;
  metadata?: Json;
  /** When the connection dies (refresh token expiry), ISO. */
  expires?: string;
}

const MAKE_REDIRECT = 'https://www.make.com/oauth/cb/app';

export class OAuthFlow {
  constructor(
    private readonly app: LoadedApp,
    private readonly runner: RequestRunner,
    private readonly opts: {
      hosts: Record<string, string>;
      clock: Clock;
      redirectUri?: string;
      baseScope: (extra: Scope) => Scope;
    },
  ) {}

  private eval<T = unknown>(value: unknown, scope: Scope): T {
    return this.runner.eval<T>(value, scope);
  }

  private baseScope(extra: Scope): Scope {
    return this.opts.baseScope(extra);
  }

  private runRequest(name: string, spec: Json, scope: Scope, opts: { base: boolean }): Promise<RequestResult> {
    return this.runner.runRequest(name, spec, scope, opts);
  }

  private oauth(connectionId: string): Json {
    return component(this.app, 'connection', connectionId).code.communication as Json;
  }

  /** First connection: authorize (the sandbox's page answers with a redirect), token, info. */
  async connect(
    connectionId: string,
    opts: { scopes: string[]; authorizeExtras?: Record<string, string> },
  ): Promise<Connection> {
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
    if (page.statusCode !== 302 || !location)
      throw new MakeError(
        'AccountValidationError',
        `authorize page answered ${page.statusCode}: ${page.text.slice(0, 200)}`,
      );
    const query = Object.fromEntries(new URL(location).searchParams);
    if (query.error)
      throw new MakeError(
        'AccountValidationError',
        `authorization failed: ${query.error} ${query.error_description ?? ''}`,
      );
    scope = { ...scope, query };
    const authTemp = this.eval<Json>(((authorize.response as Json | undefined)?.temp ?? {}) as Json, scope);
    scope = { ...scope, temp: { ...(scope.temp as Json), ...authTemp } };

    const conn: Connection = { id: connectionId, data: {} };
    const token = await this.runRequest(`connection ${connectionId} token`, comm.token as Json, scope, { base: false });
    this.store(conn, token);
    if (comm.info) {
      const info = await this.runRequest(
        `connection ${connectionId} info`,
        comm.info as Json,
        { ...scope, data: conn.data, connection: conn.data },
        { base: false },
      );
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
    if (d.data !== undefined)
      conn.data = { ...conn.data, ...(JSON.parse(JSON.stringify(this.eval(d.data, rs))) as Json) };
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
    if (invalidate)
      await this.runRequest(
        `connection ${conn.id} invalidate`,
        invalidate,
        this.baseScope({ data: conn.data, connection: conn.data }),
        { base: false },
      );
  }
}
