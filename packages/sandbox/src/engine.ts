// The sandbox's shared state and the helpers every endpoint uses: virtual time, envelopes,
// bearer-token checks, rate windows and the request log.
import { defaultConfig, mergeConfig, type SandboxConfig } from './config';
import { FaultPlan, type EndpointName } from './faults';
import { makeLogId, Prng, toJson, type RawJson } from './util';
import { World, type TokenGrant, type User } from './world';

export interface SandboxRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** The body (for uploads only its first bytes; the length is in bodyLength). */
  body: Buffer;
  bodyLength: number;
  /** Uploads: sha256 (hex) of the whole body, computed as it streamed in. */
  bodySha256?: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** error.code (or OAuth `error`) for the request log; null when ok. */
  errorCode?: string | null;
}

/** A refusal from a check that otherwise yields a value: unwrap with `instanceof Refused`. */
export class Refused {
  constructor(readonly reply: Reply) {}
}

export interface RequestRecord {
  seq: number;
  time: number;
  method: string;
  path: string;
  endpoint: EndpointName | 'admin' | 'unknown';
  openId: string | null;
  /** Query parameters (secrets such as upload_token redacted). */
  query: Record<string, string>;
  /** Parsed JSON or form body (secrets redacted), null when none. */
  body: unknown;
  /** Body length in bytes (what an upload PUT carried). */
  bytes: number;
  contentRange: string | null;
  /** HTTP status sent, or null when no reply was sent (reset / timeout faults). */
  status: number | null;
  errorCode: string | null;
  fault: string | null;
}

export interface Ctx {
  endpoint: EndpointName;
  /** Set by handlers once the bearer token resolves; lands in the request log. */
  openId: string | null;
  /** Set by an async_fail fault: the post made by this request will fail with it. */
  asyncFailReason: string | null;
}

export type Clockish = { now(): number };

export class Engine {
  config: SandboxConfig;
  world: World;
  prng: Prng;
  faults: FaultPlan;
  requests: RequestRecord[] = [];
  private seq = 0;
  baseUrl = '';

  constructor(
    private readonly clock: Clockish,
    readonly seed: number,
    private readonly initialConfig: Partial<SandboxConfig>,
  ) {
    this.config = mergeConfig(defaultConfig(), initialConfig as Record<string, unknown>);
    this.prng = new Prng(seed);
    this.world = new World(this.prng);
    this.faults = new FaultPlan(new Prng(seed ^ 0x5eed));
  }

  /** Back to the state right after start: same seed, so the same demo credentials. */
  resetState(): void {
    this.config = mergeConfig(defaultConfig(), this.initialConfig as Record<string, unknown>);
    this.prng = new Prng(this.seed);
    this.world = new World(this.prng);
    this.faults = new FaultPlan(new Prng(this.seed ^ 0x5eed));
    this.requests = [];
    this.seq = 0;
  }

  now(): number {
    return this.clock.now();
  }

  logId(): string {
    return makeLogId(this.now(), this.prng);
  }

  /** The `{data, error:{code,message,log_id}}` envelope every Content Posting reply uses. */
  envelope(
    status: number,
    data: Record<string, unknown> | RawJson | undefined,
    code = 'ok',
    message = '',
    headers?: Record<string, string>,
  ): Reply {
    const body: Record<string, unknown> = {};
    if (data !== undefined) body.data = data;
    body.error = { code, message, log_id: this.logId() };
    return {
      status,
      headers: { 'content-type': 'application/json; charset=UTF-8', ...headers },
      body: toJson(body),
      errorCode: code === 'ok' ? null : code,
    };
  }

  fail(status: number, code: string, message: string): Reply {
    const headers: Record<string, string> = {};
    if (status === 429 && this.config.retryAfterSec !== null)
      headers['retry-after'] = String(this.config.retryAfterSec);
    return this.envelope(status, {}, code, message, headers);
  }

  /** Resolves the bearer token; on failure returns the 401 reply to send. */
  authenticate(req: SandboxRequest, ctx: Ctx): { grant: TokenGrant; user: User } | Refused {
    const header = req.headers['authorization'];
    const raw = Array.isArray(header) ? header[0] : header;
    const match = /^Bearer (\S+)$/i.exec(raw ?? '');
    if (!match)
      return new Refused(
        this.fail(
          401,
          'access_token_invalid',
          'The access token is missing. Send Authorization: Bearer {access_token}.',
        ),
      );
    const grant = this.world.grants.get(match[1]);
    if (!grant)
      return new Refused(
        this.fail(401, 'access_token_invalid', 'The access token is invalid or not found in the request.'),
      );
    ctx.openId = grant.openId;
    if (grant.revoked) return new Refused(this.fail(401, 'access_token_invalid', 'The access token has been revoked.'));
    if (this.now() >= grant.accessExpiresAt)
      return new Refused(this.fail(401, 'access_token_invalid', 'The access token has expired.'));
    const user = this.world.users.get(grant.openId);
    if (!user)
      return new Refused(this.fail(401, 'access_token_invalid', 'The user of this access token no longer exists.'));
    return { grant, user };
  }

  requireScope(grant: TokenGrant, anyOf: string[]): Reply | null {
    if (anyOf.some((s) => grant.scopes.includes(s))) return null;
    return this.fail(
      401,
      'scope_not_authorized',
      `The user did not authorize the scope required for this endpoint: ${anyOf.join(' or ')}.`,
    );
  }

  /** Sliding window per token per endpoint; the 429 reply when over the limit. */
  rateLimit(grant: TokenGrant, bucket: keyof SandboxConfig['rateLimits'], endpoint: EndpointName): Reply | null {
    const key = `${grant.accessToken}|${endpoint}`;
    if (this.world.windows.admit(key, this.now(), this.config.rateLimits[bucket])) return null;
    return this.fail(429, 'rate_limit_exceeded', 'The API rate limit was exceeded. Try again later.');
  }

  record(entry: Omit<RequestRecord, 'seq'>): RequestRecord {
    const rec = { seq: ++this.seq, ...entry };
    this.requests.push(rec);
    return rec;
  }

  userActiveMap(clientKey: string): Map<string, number> {
    let m = this.world.activity.get(clientKey);
    if (!m) this.world.activity.set(clientKey, (m = new Map()));
    return m;
  }
}
