// HTML building: every interpolated value is redacted by core (no token or secret can be rendered) and
// then escaped; only fragments built with markup`` (or raw() for fixed markup) pass through as markup.
import { redactText } from '@tokpipe/core';

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Redacted, then escaped for text and attribute positions. */
export const text = (value: unknown): string => redactText(String(value)).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

const render = (value: Part): string => {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return text(value);
};

/** Markup with every value redacted and escaped. (Not named `html`: Prettier would reformat the templates as
 * whole documents.) */
export function markup(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => (out += render(v) + strings[i + 1]!));
  return new Html(out);
}

/** Fixed markup written in this package (never user or TikTok data). */
export const raw = (markup: string): Html => new Html(markup);

/** Epoch ms → "2026-12-07 13:51:45 UTC" (the console's clock is UTC everywhere). */
export const when = (ms: number | null | undefined): string =>
  ms === null || ms === undefined
    ? '—'
    : new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');

/** 90_000 → "1 min 30 s"; 3 days → "3 d 0 h". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const units: Array<[number, string]> = [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'min'],
    [1, 's'],
  ];
  const i = Math.max(
    0,
    units.findIndex(([size]) => s >= size),
  );
  const [big, bigName] = units[Math.min(i, units.length - 1)]!;
  const first = Math.floor(s / big);
  if (i >= units.length - 1) return `${s} s`;
  const [small, smallName] = units[i + 1]!;
  return `${first} ${bigName} ${Math.floor((s % big) / small)} ${smallName}`;
}

/** A `<time>` with a readable UTC label. */
export const time = (ms: number | null | undefined): Html =>
  ms === null || ms === undefined
    ? raw('—')
    : markup`<time datetime="${new Date(ms).toISOString()}">${when(ms)}</time>`;

/** Time of day only ("14:03:36"), the full UTC date in the title and datetime (for long tables). */
export const timeOfDay = (ms: number): Html =>
  markup`<time datetime="${new Date(ms).toISOString()}" title="${when(ms)}">${when(ms).slice(11, 19)}</time>`;
