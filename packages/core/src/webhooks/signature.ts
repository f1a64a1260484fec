// TikTok-Signature verification: `t=<unix seconds>,s=<hex HMAC-SHA256(client_secret, t + "." + raw body)>`.
// Always over the raw bytes as received (re-serialised JSON would not match), compared in constant
// time, with a replay window of our own choosing (TikTok sets none).
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: string };

export interface VerifySignatureInput {
  /** The header value, or the whole header map (the name is matched case-insensitively). */
  header?: string | string[] | Record<string, string | string[] | undefined>;
  rawBody: string | Uint8Array;
  secret: string;
  /** Current time, epoch ms (from the injected clock). */
  now: number;
  /** Largest accepted |now - t|, seconds. Default 300. */
  toleranceSec?: number;
}

export const SIGNATURE_HEADER = 'tiktok-signature';
/** Our replay window (TikTok sets none): wall-clock seconds. */
export const DEFAULT_REPLAY_WINDOW_SEC = 300;

function headerValue(header: VerifySignatureInput['header']): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header === 'string') return header;
  if (Array.isArray(header)) return header[0];
  for (const [name, value] of Object.entries(header)) {
    if (name.toLowerCase() === SIGNATURE_HEADER) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

export function signWebhookPayload(secret: string, timestampSec: number, rawBody: string | Uint8Array): string {
  const mac = createHmac('sha256', secret).update(`${timestampSec}.`, 'utf8').update(rawBody).digest('hex');
  return `t=${timestampSec},s=${mac}`;
}

export function verifyTikTokSignature(input: VerifySignatureInput): SignatureCheck {
  const tolerance = input.toleranceSec ?? DEFAULT_REPLAY_WINDOW_SEC;
  if (!input.secret) return { ok: false, reason: 'no client secret configured to verify signatures' };
  const value = headerValue(input.header);
  if (!value || !value.trim()) return { ok: false, reason: 'missing TikTok-Signature header' };

  const parts = new Map<string, string>();
  for (const element of value.split(',')) {
    const at = element.indexOf('=');
    if (at <= 0) return { ok: false, reason: 'malformed TikTok-Signature header' };
    parts.set(element.slice(0, at).trim(), element.slice(at + 1).trim());
  }
  const t = parts.get('t');
  const s = parts.get('s');
  if (!t || !/^\d{1,12}$/.test(t)) return { ok: false, reason: 'TikTok-Signature has no valid timestamp (t=)' };
  if (!s || !/^[0-9a-fA-F]{64}$/.test(s)) return { ok: false, reason: 'TikTok-Signature has no valid signature (s=)' };

  const expected = createHmac('sha256', input.secret).update(`${t}.`, 'utf8').update(input.rawBody).digest();
  if (!timingSafeEqual(expected, Buffer.from(s, 'hex'))) return { ok: false, reason: 'signature does not match' };

  const timestamp = Number(t);
  const skewSec = Math.abs(input.now / 1000 - timestamp);
  if (skewSec > tolerance) return { ok: false, reason: `timestamp outside the ${tolerance} s replay window` };
  return { ok: true, timestamp };
}
