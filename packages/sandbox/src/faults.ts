// Faults on demand: scripted sequences per endpoint, or random ones from a profile, rolled on the
// seeded PRNG so a seed replays the same run.
import type { Prng } from './util';

export type Fault =
  | { kind: 'none' }
  /** 5xx with a JSON envelope (internal_error) or an HTML gateway page. */
  | { kind: 'server_error'; status?: number; body?: 'json' | 'html' }
  /** Socket destroyed without a reply; processed: the request took effect first. */
  | { kind: 'reset'; processed?: boolean }
  /** No reply ever (until the client gives up); processed: the request took effect first. */
  | { kind: 'timeout'; processed?: boolean }
  /** Normal processing, reply held back this many REAL ms. */
  | { kind: 'slow'; delayMs: number }
  | { kind: 'rate_limit'; retryAfterSec?: number }
  /** The user's tokens for this app are revoked just before the request is handled. */
  | { kind: 'token_revoked' }
  /** A reply TikTok's API would never send (a proxy page, a cut-off or empty body, a wrong field type):
   * this literal body with this status (default 200) instead of the handler's answer. */
  | { kind: 'garbled'; status?: number; body: string; contentType?: string }
  /** Any documented error envelope, e.g. {status:403, code:'spam_risk_too_many_posts'}. */
  | { kind: 'error'; status: number; code: string; message?: string }
  /** Init succeeds; the post later ends FAILED with this fail_reason. */
  | { kind: 'async_fail'; failReason: string }
  /** Webhook only: never delivered / delivered twice / held back so later events overtake it. */
  | { kind: 'drop' }
  | { kind: 'duplicate' }
  | { kind: 'reorder' };

export type FaultKind = Fault['kind'];

/** Endpoint names used in the request log, scripts and profiles. */
export const ENDPOINTS = [
  'oauth.authorize',
  'oauth.token',
  'oauth.revoke',
  'creator_info',
  'video.init',
  'inbox.init',
  'content.init',
  'upload',
  'status',
  'cancel',
  'user.info',
  'video.list',
  'media',
  'webhook',
] as const;
export type EndpointName = (typeof ENDPOINTS)[number];

export interface FaultChance {
  p: number;
  fault: Fault;
}

export type FaultTable = Partial<Record<EndpointName | '*', FaultChance[]>>;

const API: EndpointName[] = [
  'creator_info',
  'video.init',
  'inbox.init',
  'content.init',
  'status',
  'cancel',
  'user.info',
  'video.list',
];
const INITS: EndpointName[] = ['video.init', 'inbox.init', 'content.init'];

function forEach(names: EndpointName[], chances: FaultChance[]): FaultTable {
  return Object.fromEntries(names.map((n) => [n, chances]));
}

function merge(...tables: FaultTable[]): FaultTable {
  const out: FaultTable = {};
  for (const t of tables)
    for (const [k, v] of Object.entries(t) as Array<[EndpointName, FaultChance[]]>) out[k] = [...(out[k] ?? []), ...v];
  return out;
}

/** Named profiles. Probabilities are per request to that endpoint. */
export const PROFILES: Record<'calm' | 'flaky' | 'hostile', FaultTable> = {
  calm: {},
  flaky: merge(
    forEach(API, [
      { p: 0.04, fault: { kind: 'server_error', status: 503, body: 'json' } },
      { p: 0.02, fault: { kind: 'reset' } },
      { p: 0.02, fault: { kind: 'rate_limit' } },
      { p: 0.02, fault: { kind: 'slow', delayMs: 300 } },
    ]),
    forEach(INITS, [
      { p: 0.02, fault: { kind: 'reset', processed: true } },
      { p: 0.03, fault: { kind: 'async_fail', failReason: 'internal' } },
    ]),
    {
      upload: [
        { p: 0.04, fault: { kind: 'server_error', status: 502, body: 'html' } },
        { p: 0.02, fault: { kind: 'reset' } },
      ],
      'oauth.token': [{ p: 0.03, fault: { kind: 'server_error', status: 503, body: 'html' } }],
      webhook: [
        { p: 0.1, fault: { kind: 'duplicate' } },
        { p: 0.05, fault: { kind: 'reorder' } },
      ],
    },
  ),
  hostile: merge(
    forEach(API, [
      { p: 0.1, fault: { kind: 'server_error', status: 500, body: 'json' } },
      { p: 0.05, fault: { kind: 'server_error', status: 504, body: 'html' } },
      { p: 0.05, fault: { kind: 'reset' } },
      { p: 0.08, fault: { kind: 'rate_limit' } },
      { p: 0.03, fault: { kind: 'slow', delayMs: 800 } },
    ]),
    forEach(INITS, [
      { p: 0.05, fault: { kind: 'reset', processed: true } },
      { p: 0.03, fault: { kind: 'timeout', processed: true } },
      { p: 0.05, fault: { kind: 'async_fail', failReason: 'internal' } },
      { p: 0.02, fault: { kind: 'async_fail', failReason: 'video_pull_failed' } },
    ]),
    {
      upload: [
        { p: 0.1, fault: { kind: 'server_error', status: 502, body: 'html' } },
        { p: 0.05, fault: { kind: 'reset' } },
      ],
      'oauth.token': [{ p: 0.05, fault: { kind: 'server_error', status: 503, body: 'json' } }],
      webhook: [
        { p: 0.2, fault: { kind: 'duplicate' } },
        { p: 0.1, fault: { kind: 'reorder' } },
        { p: 0.05, fault: { kind: 'drop' } },
      ],
    },
  ),
};

export type ProfileName = keyof typeof PROFILES;

const KINDS: ReadonlySet<string> = new Set([
  'none',
  'server_error',
  'reset',
  'timeout',
  'slow',
  'rate_limit',
  'token_revoked',
  'error',
  'async_fail',
  'drop',
  'duplicate',
  'reorder',
  'garbled',
]);
const WEBHOOK_ONLY: ReadonlySet<string> = new Set(['drop', 'duplicate', 'reorder']);

/** Validates a fault given by a user (admin API), naming the field that is wrong. */
export function checkFault(endpoint: string, f: unknown, where: string): Fault {
  if (!(ENDPOINTS as readonly string[]).includes(endpoint))
    throw new Error(`endpoint: unknown endpoint "${endpoint}" (one of ${ENDPOINTS.join(', ')})`);
  if (
    typeof f !== 'object' ||
    f === null ||
    typeof (f as { kind?: unknown }).kind !== 'string' ||
    !KINDS.has((f as { kind: string }).kind)
  )
    throw new Error(`${where}.kind: must be one of ${[...KINDS].join(', ')}`);
  const fault = f as Fault;
  if ((endpoint === 'webhook') !== WEBHOOK_ONLY.has(fault.kind) && fault.kind !== 'none')
    throw new Error(`${where}.kind: "${fault.kind}" does not apply to endpoint ${endpoint}`);
  if (fault.kind === 'error' && (typeof fault.status !== 'number' || typeof fault.code !== 'string'))
    throw new Error(`${where}: an "error" fault needs status (number) and code (string)`);
  if (fault.kind === 'garbled' && typeof fault.body !== 'string')
    throw new Error(`${where}.body: a "garbled" fault needs the body to send (string)`);
  if (fault.kind === 'async_fail' && typeof fault.failReason !== 'string')
    throw new Error(`${where}.failReason: must be a string`);
  if (fault.kind === 'slow' && !(typeof fault.delayMs === 'number' && fault.delayMs >= 0))
    throw new Error(`${where}.delayMs: must be a non-negative number`);
  return fault;
}

export class FaultPlan {
  private scripts = new Map<string, Fault[]>();
  private table: FaultTable = {};

  constructor(private readonly prng: Prng) {}

  setProfile(profile: ProfileName | FaultTable): void {
    if (typeof profile === 'string') {
      if (!(profile in PROFILES)) throw new Error(`faults: unknown profile "${profile}" (calm, flaky, hostile)`);
      this.table = PROFILES[profile];
    } else {
      for (const [endpoint, chances] of Object.entries(profile)) {
        if (endpoint !== '*') checkFault(endpoint, { kind: 'none' }, endpoint);
        (chances ?? []).forEach((c, i) =>
          checkFault(endpoint === '*' ? 'status' : endpoint, c.fault, `${endpoint}[${i}].fault`),
        );
      }
      this.table = profile;
    }
  }

  script(endpoint: string, faults: unknown[]): void {
    const checked = faults.map((f, i) => checkFault(endpoint, f, `faults[${i}]`));
    this.scripts.set(endpoint, [...(this.scripts.get(endpoint) ?? []), ...checked]);
  }

  clear(): void {
    this.scripts.clear();
    this.table = {};
  }

  /** The fault for the next request to this endpoint: the script first, then the profile's dice. */
  next(endpoint: EndpointName): Fault {
    const queue = this.scripts.get(endpoint);
    if (queue && queue.length > 0) return queue.shift() as Fault;
    const chances = [...(this.table[endpoint] ?? []), ...(endpoint === 'webhook' ? [] : (this.table['*'] ?? []))];
    if (chances.length === 0) return { kind: 'none' };
    let roll = this.prng.next();
    for (const c of chances) {
      if (roll < c.p) return c.fault;
      roll -= c.p;
    }
    return { kind: 'none' };
  }

  pending(): Record<string, number> {
    return Object.fromEntries([...this.scripts].map(([k, v]) => [k, v.length]));
  }
}
