// Every knob of the sandbox. Points the TikTok reference marks UNCONFIRMED are knobs, with the
// documented (or most likely) behaviour as the default.
import { isLoopbackUrl } from './util';

export type MbUnit = 'decimal' | 'binary' | 'strict';

export interface SandboxConfig {
  /** Access token lifetime, seconds (old doc 86400; newer doc 7200). */
  accessTokenTtlSec: number;
  /** Refresh token lifetime, seconds (old doc 31536000; newer doc 15552000). */
  refreshTokenTtlSec: number;
  /** Refreshing gives a new refresh token and kills the old one (newer doc). */
  strictRefreshRotation: boolean;
  /** Whether a refresh restarts the refresh-token lifetime (UNCONFIRMED; old doc: counted from first issuance). */
  refreshExtendsRefreshLifetime: boolean;
  /** HTTP status of flat OAuth errors (UNCONFIRMED: one report saw 200, mocks use 400). */
  oauthErrorStatus: number;
  /** Wire type of 19-digit post/video ids (UNCONFIRMED: numbers or strings). */
  postIdsAs: 'number' | 'string';
  /** "MB" in chunk rules: 10^6, 2^20, or strict (min 5 MiB, max 64 MB / 128 MB: the tighter bound of each). */
  mbUnit: MbUnit;
  /** Inbox video init with post_info: accepted (title kept) or rejected with invalid_param (UNCONFIRMED). */
  inboxPostInfo: 'accept' | 'reject';
  /** Retry-After header (seconds) on 429; null = none, as documented. */
  retryAfterSec: number | null;
  /** HTTP status for url_ownership_unverified (documented 403; a 3P report saw 200). */
  urlOwnershipUnverifiedStatus: number;
  /** Spelling of the "no longer public" webhook event (UNCONFIRMED). */
  noLongerPublicEvent: string;
  /** Content-Range reply header on upload PUTs: `bytes 0-{uploaded bytes}/{total}` as the doc writes it, or the inclusive last index. */
  uploadRangeReply: 'byte-count' | 'last-index';
  /** Direct Post posts per creator per 24 h (shared across apps). */
  directPostDailyCap: number;
  /** Pending (not yet posted) inbox shares per creator per 24 h. */
  pendingShareCap: number;
  /** Unaudited app: SELF_ONLY only, private accounts only, unauditedUserCap users per 24 h. */
  unaudited: boolean;
  unauditedUserCap: number;
  /** Distinct publishing users per app per 24 h. */
  activeUserCap: number;
  /** URL prefixes that count as verified (the sandbox's own /media/ prefix is always added unless disabled). */
  verifiedUrlPrefixes: string[];
  /** Verified domains (subdomains included). */
  verifiedDomains: string[];
  /** Treat the sandbox's own `${url}/media/` prefix as verified. */
  verifyOwnMedia: boolean;
  /** Per token per endpoint requests per minute (sliding window). */
  rateLimits: { init: number; creatorInfo: number; status: number; userInfo: number; videoList: number };
  /** Virtual ms: PULL_FROM_URL download, processing after upload/download, moderation before a public post id shows. */
  downloadDelayMs: number;
  processingDelayMs: number;
  moderationDelayMs: number;
  /** upload_url lifetime, virtual ms. */
  uploadUrlTtlMs: number;
  /** Video title limit in UTF-16 units (current doc 2200; older 150). */
  videoTitleMax: number;
  /** Check uploaded bytes look like MP4/MOV/WebM; otherwise the post fails with file_format_check_failed. */
  checkMediaFormat: boolean;
  /** Webhook callback (loopback only), null = events are recorded but not sent. */
  webhookUrl: string | null;
  /** Redelivery backoff: base * 2^(attempt-1), capped; given up after webhookGiveUpMs. Virtual ms. */
  webhookBackoffBaseMs: number;
  webhookBackoffCapMs: number;
  webhookGiveUpMs: number;
  /** How long a "reorder" webhook fault holds an event back, virtual ms. */
  webhookReorderDelayMs: number;
  /** Minimum TikTok app version for photo MEDIA_UPLOAD. */
  minAppVersionForPhotoUpload: string;
}

export function defaultConfig(): SandboxConfig {
  return {
    accessTokenTtlSec: 86400,
    refreshTokenTtlSec: 31536000,
    strictRefreshRotation: true,
    refreshExtendsRefreshLifetime: false,
    oauthErrorStatus: 200,
    postIdsAs: 'number',
    mbUnit: 'strict',
    inboxPostInfo: 'accept',
    retryAfterSec: null,
    urlOwnershipUnverifiedStatus: 403,
    noLongerPublicEvent: 'post.publish.no_longer_publicaly_available',
    uploadRangeReply: 'byte-count',
    directPostDailyCap: 15,
    pendingShareCap: 5,
    unaudited: false,
    unauditedUserCap: 5,
    activeUserCap: 1000,
    verifiedUrlPrefixes: [],
    verifiedDomains: [],
    verifyOwnMedia: true,
    rateLimits: { init: 6, creatorInfo: 20, status: 30, userInfo: 600, videoList: 600 },
    downloadDelayMs: 3_000,
    processingDelayMs: 5_000,
    moderationDelayMs: 30_000,
    uploadUrlTtlMs: 3_600_000,
    videoTitleMax: 2200,
    checkMediaFormat: false,
    webhookUrl: null,
    webhookBackoffBaseMs: 30_000,
    webhookBackoffCapMs: 3_600_000,
    webhookGiveUpMs: 72 * 3_600_000,
    webhookReorderDelayMs: 60_000,
    minAppVersionForPhotoUpload: '31.8',
  };
}

/** Allowed values for the enumerated knobs; checked by setConfig. */
const CHOICES: Partial<Record<keyof SandboxConfig, readonly unknown[]>> = {
  postIdsAs: ['number', 'string'],
  mbUnit: ['decimal', 'binary', 'strict'],
  inboxPostInfo: ['accept', 'reject'],
  uploadRangeReply: ['byte-count', 'last-index'],
  noLongerPublicEvent: ['post.publish.no_longer_publicaly_available', 'post.publish.no_longer_publicly_available'],
};

const NULLABLE: ReadonlySet<keyof SandboxConfig> = new Set(['retryAfterSec', 'webhookUrl']);

export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`config.${field}: ${message}`);
  }
}

/** Merges a partial config, rejecting unknown fields and wrong types with the field named. */
export function mergeConfig(base: SandboxConfig, partial: Record<string, unknown>): SandboxConfig {
  const next: SandboxConfig = { ...base, rateLimits: { ...base.rateLimits } };
  for (const [key, value] of Object.entries(partial)) {
    if (!(key in base)) throw new ConfigError(key, 'unknown setting');
    const k = key as keyof SandboxConfig;
    const current = base[k];
    if (value === null && NULLABLE.has(k)) {
      (next as unknown as Record<string, unknown>)[k] = null;
      continue;
    }
    if (k === 'rateLimits') {
      if (typeof value !== 'object' || value === null) throw new ConfigError(k, 'must be an object');
      for (const [rk, rv] of Object.entries(value)) {
        if (!(rk in base.rateLimits)) throw new ConfigError(`rateLimits.${rk}`, 'unknown limit');
        if (typeof rv !== 'number' || !(rv > 0)) throw new ConfigError(`rateLimits.${rk}`, 'must be a positive number');
        (next.rateLimits as Record<string, number>)[rk] = rv;
      }
      continue;
    }
    const expected =
      current === null ? (k === 'webhookUrl' ? 'string' : 'number') : Array.isArray(current) ? 'array' : typeof current;
    const actual = Array.isArray(value) ? 'array' : typeof value;
    if (expected !== actual) throw new ConfigError(k, `must be ${expected === 'array' ? 'an array' : `a ${expected}`}`);
    const choices = CHOICES[k];
    if (choices && !choices.includes(value)) throw new ConfigError(k, `must be one of ${choices.join(', ')}`);
    if (typeof value === 'number' && (!Number.isFinite(value) || value < 0))
      throw new ConfigError(k, 'must be a non-negative number');
    if (k === 'webhookUrl' && !isLoopbackUrl(value as string))
      throw new ConfigError(k, 'must be an http(s) URL on 127.0.0.1 or localhost');
    if (Array.isArray(value) && value.some((v) => typeof v !== 'string'))
      throw new ConfigError(k, 'must be an array of strings');
    (next as unknown as Record<string, unknown>)[k] = value;
  }
  return next;
}

/** Chunk bounds in bytes for the configured MB unit. */
export function chunkBounds(unit: MbUnit): { min: number; max: number; lastMax: number } {
  const MiB = 1024 * 1024;
  const MB = 1_000_000;
  const table: Record<MbUnit, { min: number; max: number; lastMax: number }> = {
    decimal: { min: 5 * MB, max: 64 * MB, lastMax: 128 * MB },
    binary: { min: 5 * MiB, max: 64 * MiB, lastMax: 128 * MiB },
    strict: { min: 5 * MiB, max: 64 * MB, lastMax: 128 * MB },
  };
  return table[unit];
}
