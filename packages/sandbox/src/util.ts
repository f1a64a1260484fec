// Small helpers shared by the sandbox modules: seeded randomness, JSON with raw big integers,
// TikTok envelopes and secret redaction. Nothing here is shared with packages/core on purpose.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Seeded PRNG (mulberry32): the same seed gives the same ids, tokens and fault rolls. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  chars(n: number, alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'): string {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }
  digits(n: number): string {
    return this.chars(n, '0123456789');
  }
  hex(n: number): string {
    return this.chars(n, '0123456789ABCDEF');
  }
}

/** A JSON value written verbatim (19-digit ids as raw JSON numbers, which JSON.stringify cannot do). */
export class RawJson {
  constructor(readonly raw: string) {}
}

export function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.raw;
  if (Array.isArray(value)) return `[${value.map((v) => toJson(v === undefined ? null : v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      parts.push(`${JSON.stringify(k)}:${toJson(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

export type IdStyle = 'number' | 'string';

/** A post/video id as the wire shows it: raw 19-digit number (default) or string. */
export function wireId(id: string, style: IdStyle): RawJson | string {
  return style === 'number' ? new RawJson(id) : id;
}

/** TikTok-style log id: UTC timestamp plus hex. */
export function makeLogId(nowMs: number, prng: Prng): string {
  const d = new Date(nowMs);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}${prng.hex(20)}`;
}

/** Form/JSON fields whose values are secrets: never kept in the request log. */
const SECRET_FIELDS = new Set([
  'client_secret',
  'refresh_token',
  'code',
  'code_verifier',
  'token',
  'access_token',
  'upload_token',
]);

export function redactFields(obj: unknown): unknown {
  if (Array.isArray(obj)) return obj.map(redactFields);
  if (obj !== null && typeof obj === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = SECRET_FIELDS.has(k) ? '[redacted]' : redactFields(v);
    return out;
  }
  return obj;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function hmacHex(key: string, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

export function isLoopbackUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return (
      (u.protocol === 'http:' || u.protocol === 'https:') && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)
    );
  } catch {
    return false;
  }
}
