// The comparison as text: one row per strategy, the columns of bench/peers/README.md.
import type { PeerRow } from './metrics';

const COLUMNS: Array<[string, (r: PeerRow) => string]> = [
  ['strategy', (r) => r.strategy],
  ['published', (r) => `${r.published}/${r.posts}`],
  ['duplicates', (r) => String(r.duplicates)],
  ['lost', (r) => String(r.lost)],
  ['wrongly published', (r) => String(r.wronglyPublished)],
  ['wrongly failed', (r) => String(r.wronglyFailed)],
  ['told unsure', (r) => String(r.toldUnsure)],
  // Earned: the strategy went over TikTok's window. Injected: the hostile profile's random 429s, a share of
  // every request sent, so they follow the request count (the next column shows the share is the same).
  ['429s earned', (r) => String(r.rateLimitOverWindow)],
  ['429s injected', (r) => String(injected429s(r))],
  ['injected/100 req', (r) => fixed((100 * injected429s(r)) / Math.max(1, requestsSent(r)), 1)],
  ['req/published', (r) => fixed(r.requestsPerPublished, 2)],
  ['status/post', (r) => fixed(r.statusCallsPerPost, 2)],
  ['confirmed p50', (r) => duration(r.timeToConfirmedP50Ms)],
  ['p95', (r) => duration(r.timeToConfirmedP95Ms)],
  ['quota/published', (r) => fixed(r.quotaPerPublished, 3)],
  ['caps on dups', (r) => `${(r.dailyCapOnDuplicates * 100).toFixed(1)} %`],
];

export function peersTable(rows: PeerRow[]): string {
  const cells = [COLUMNS.map(([h]) => h), ...rows.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Virtual time, short: 45 s, 3.2 min, 1.5 h. */
export function duration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 60_000) return `${(ms / 1000).toFixed(0)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '∞';
}

/** Rate-limit replies the fault profile injected (not earned by going over a window). */
export function injected429s(r: PeerRow): number {
  return r.rateLimitReplies - r.rateLimitOverWindow;
}

/** Every request the strategy sent to TikTok (API, OAuth, upload). */
export function requestsSent(r: PeerRow): number {
  return Object.values(r.requests).reduce((a, b) => a + b, 0);
}
