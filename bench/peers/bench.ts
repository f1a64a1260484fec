// `node bench/run.js peers` (and `npm run bench`): the campaign through every strategy, the table,
// the claims checked against it, and the chart written to docs/peers-bench.svg.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CAMPAIGN, type CampaignOptions } from './campaign';
import { peersChart } from './chart';
import { runPeers } from './index';
import type { PeerRow } from './metrics';
import { peersTable } from './table';

export const CHART_PATH = 'docs/peers-bench.svg';

/** The columns on which tokpipe must do at least as well as every other strategy (lower is better). */
const MUST_NOT_LOSE: Array<[string, (r: PeerRow) => number]> = [
  ['duplicates', (r) => r.duplicates],
  ['lost', (r) => r.lost],
  ['wrongly reported as published', (r) => r.wronglyPublished],
  ['wrongly reported as failed', (r) => r.wronglyFailed],
  ['rate-limit replies from going over the window', (r) => r.rateLimitOverWindow],
];

export interface Claim {
  column: string;
  tokpipe: number;
  worstOther: number;
  bestOther: number;
  /** tokpipe's value is ≤ every other strategy's. */
  holds: boolean;
}

export function checkClaims(rows: PeerRow[]): Claim[] {
  const ours = rows.find((r) => r.strategy === 'tokpipe');
  const others = rows.filter((r) => r.strategy !== 'tokpipe');
  if (!ours || others.length === 0) return [];
  return MUST_NOT_LOSE.map(([column, value]) => ({
    column,
    tokpipe: value(ours),
    worstOther: Math.max(...others.map(value)),
    bestOther: Math.min(...others.map(value)),
    holds: others.every((r) => value(ours) <= value(r)),
  }));
}

export interface PeersResult {
  campaign: CampaignOptions & { profile: string };
  rows: PeerRow[];
  table: string[];
  claims: Claim[];
  chart: string;
}

export async function peersBench(
  log: (line: string) => void,
  root: string,
  options: CampaignOptions = DEFAULT_CAMPAIGN,
): Promise<PeersResult> {
  const rows = await runPeers(options, log);
  const table = peersTable(rows);
  const subtitle =
    `${options.posts} posts · ${options.accounts} accounts · the sandbox's hostile fault profile · seed ${options.seed}` +
    ' · one VirtualClock · truth from the sandbox’s records';
  fs.writeFileSync(path.join(root, CHART_PATH), peersChart(rows, subtitle));
  const campaign = { ...options, profile: 'hostile' };
  return { campaign, rows, table: table.split('\n'), claims: checkClaims(rows), chart: CHART_PATH };
}

export function printClaims(claims: Claim[]): string {
  return claims
    .map(
      (c) =>
        `${c.holds ? 'holds' : 'FAILS'}  tokpipe ${c.tokpipe} vs others ${c.bestOther}–${c.worstOther}: ${c.column}`,
    )
    .join('\n');
}
