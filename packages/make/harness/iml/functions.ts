// IML built-in functions (the ones our spec and Make's examples use). The clock and uuid source are
// injected, so `now` and `addMinutes(now, 15)` follow the test's virtual clock.
import { createHash, createHmac } from 'node:crypto';

export interface ImlEnv {
  /** Variables that exist without being in scope: now, uuid, timestamp. */
  variables: Record<string, () => unknown>;
  /** The app's custom functions (generator/functions), looked up before the built-ins. */
  functions: Record<string, ImlFunction>;
}

export type ImlFunction = (env: ImlEnv, ...args: unknown[]) => unknown;

export function makeEnv(opts: { now: () => number; uuid: () => string }): ImlEnv {
  return {
    variables: {
      now: () => new Date(opts.now()),
      uuid: opts.uuid,
      timestamp: () => Math.floor(opts.now() / 1000),
      emptyarray: () => [],
    },
    functions: {},
  };
}

/** Make's key encodings for sha256's HMAC key, as Node names them. */
const KEY_ENCODINGS: Record<string, BufferEncoding> = { text: 'utf8', hex: 'hex', base64: 'base64', binary: 'latin1' };
const isEmpty = (v: unknown) => v === undefined || v === null || v === '';

function toDate(v: unknown): Date | undefined {
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v);
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(v);
  return undefined;
}

function addTo(unitMs: number): ImlFunction {
  return (_env, date, amount) => {
    const d = toDate(date);
    return d ? new Date(d.getTime() + Number(amount) * unitMs) : undefined;
  };
}

/** Moment-style tokens we support in formatDate / parseDate. */
const FORMAT_TOKENS: Record<string, (d: Date) => string> = {
  YYYY: (d) => String(d.getUTCFullYear()),
  MM: (d) => String(d.getUTCMonth() + 1).padStart(2, '0'),
  DD: (d) => String(d.getUTCDate()).padStart(2, '0'),
  HH: (d) => String(d.getUTCHours()).padStart(2, '0'),
  mm: (d) => String(d.getUTCMinutes()).padStart(2, '0'),
  ss: (d) => String(d.getUTCSeconds()).padStart(2, '0'),
  X: (d) => String(Math.floor(d.getTime() / 1000)),
  x: (d) => String(d.getTime()),
};

/** Make's built-ins as custom JavaScript sees them: `iml.<name>(…)`. */
export function imlNamespace(env: ImlEnv): Record<string, (...args: unknown[]) => unknown> {
  return Object.fromEntries(
    Object.entries(FUNCTIONS).map(([name, fn]) => [name, (...args: unknown[]) => fn(env, ...args)]),
  );
}

export const FUNCTIONS: Record<string, ImlFunction> = {
  ifempty: (_e, a, b) => (isEmpty(a) ? b : a),
  get: (_e, obj, path) =>
    String(path)
      .split('.')
      .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), obj),
  join: (_e, arr, sep) =>
    Array.isArray(arr)
      ? arr.map((v) => (v === null || v === undefined ? '' : String(v))).join(String(sep ?? ''))
      : undefined,
  split: (_e, s, sep) => (typeof s === 'string' ? s.split(String(sep)) : undefined),
  merge: (_e, ...arrays) => arrays.flatMap((a) => (Array.isArray(a) ? a : [])),
  distinct: (_e, arr) => (Array.isArray(arr) ? [...new Set(arr)] : undefined),
  first: (_e, arr) => (Array.isArray(arr) ? arr[0] : undefined),
  last: (_e, arr) => (Array.isArray(arr) ? arr[arr.length - 1] : undefined),
  length: (_e, v) => (Array.isArray(v) || typeof v === 'string' ? v.length : 0),
  contains: (_e, hay, needle) =>
    Array.isArray(hay) ? hay.includes(needle) : typeof hay === 'string' ? hay.includes(String(needle)) : false,
  emptyarray: () => [],
  keys: (_e, obj) => (obj && typeof obj === 'object' ? Object.keys(obj) : []),
  omit: (_e, obj, ...names) =>
    Object.fromEntries(Object.entries((obj ?? {}) as object).filter(([k]) => !names.includes(k))),
  pick: (_e, obj, ...names) =>
    Object.fromEntries(Object.entries((obj ?? {}) as object).filter(([k]) => names.includes(k))),
  toCollection: (_e, arr, key, value) =>
    Object.fromEntries(
      (Array.isArray(arr) ? arr : []).map((item) => [
        String((item as Record<string, unknown>)[String(key)]),
        (item as Record<string, unknown>)[String(value)],
      ]),
    ),
  map: (_e, arr, key) =>
    Array.isArray(arr)
      ? arr.map((item) =>
          item && typeof item === 'object' ? (item as Record<string, unknown>)[String(key)] : undefined,
        )
      : undefined,
  createJSON: (_e, v) => JSON.stringify(v),
  parseJSON: (_e, s) => (typeof s === 'string' ? JSON.parse(s) : s),
  lower: (_e, s) => (typeof s === 'string' ? s.toLowerCase() : s),
  upper: (_e, s) => (typeof s === 'string' ? s.toUpperCase() : s),
  trim: (_e, s) => (typeof s === 'string' ? s.trim() : s),
  replace: (_e, s, a, b) => (typeof s === 'string' ? s.split(String(a)).join(String(b ?? '')) : s),
  toString: (_e: ImlEnv, v: unknown) =>
    v === null || v === undefined
      ? ''
      : v instanceof Date
        ? v.toISOString()
        : typeof v === 'object'
          ? JSON.stringify(v)
          : String(v),
  parseNumber: (_e, v) => (isEmpty(v) ? undefined : Number(v)),
  addSeconds: addTo(1000),
  addMinutes: addTo(60_000),
  addHours: addTo(3_600_000),
  addDays: addTo(86_400_000),
  addYears: addTo(365 * 86_400_000),
  parseDate: (_e, v, format) => {
    if (isEmpty(v)) return undefined;
    if (format === 'X') return new Date(Number(v) * 1000);
    if (format === 'x') return new Date(Number(v));
    return toDate(v);
  },
  formatDate: (_e, v, format) => {
    const d = toDate(v);
    if (!d) return undefined;
    return String(format ?? 'YYYY-MM-DDTHH:mm:ss').replace(/YYYY|MM|DD|HH|mm|ss|X|x/g, (t) => FORMAT_TOKENS[t]!(d));
  },
  base64: (_e, s) => Buffer.from(String(s)).toString('base64'),
  base64url: (_e, s) => Buffer.from(String(s)).toString('base64url'),
  // Make's sha256(text; [output encoding]; [key]; [key encoding]): with a key it is an HMAC.
  sha256: (_e, s, enc, key, keyEnc) =>
    (key === undefined || key === null || key === ''
      ? createHash('sha256')
      : createHmac('sha256', Buffer.from(String(key), KEY_ENCODINGS[String(keyEnc ?? 'text')] ?? 'utf8'))
    )
      .update(String(s))
      .digest(enc === 'base64' ? 'base64' : 'hex'),
  md5: (_e, s) => createHash('md5').update(String(s)).digest('hex'),
  encodeURL: (_e, s) => encodeURIComponent(String(s ?? '')),
};
