// The strategies the bench compares, in table order. Each one runs the campaign in a world of its own.
import type { PeerWorld, Verdict } from './campaign';
import { runCommunityNode } from './community-node';
import { runN8nRetry } from './n8n-retry';
import { runNaiveLoop } from './naive-loop';
import { runPostiz } from './postiz';
import { runTokpipe } from './tokpipe';

export interface Strategy {
  name: string;
  run(world: PeerWorld): Promise<Map<number, Verdict>>;
}

export const STRATEGIES: readonly Strategy[] = [
  { name: 'tokpipe', run: runTokpipe },
  { name: 'n8n Retry On Fail', run: runN8nRetry },
  { name: 'community node', run: runCommunityNode },
  { name: 'Postiz-style', run: (w) => runPostiz(w) },
  { name: 'naive loop', run: runNaiveLoop },
];
