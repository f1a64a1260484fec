// The peers bench: one campaign through every strategy, each on a fresh sandbox with the same seed.
import { DEFAULT_CAMPAIGN, startPeerWorld, type CampaignOptions } from './campaign';
import { measure, type PeerRow } from './metrics';
import { STRATEGIES, type Strategy } from './strategies';

export async function runPeers(
  options: CampaignOptions = DEFAULT_CAMPAIGN,
  log: (line: string) => void = () => {},
  strategies: readonly Strategy[] = STRATEGIES,
): Promise<PeerRow[]> {
  const rows: PeerRow[] = [];
  for (const strategy of strategies) {
    const started = Date.now();
    const world = await startPeerWorld(options);
    try {
      const verdicts = await strategy.run(world);
      const row = measure(strategy.name, world, verdicts);
      rows.push(row);
      const virtualMin = ((world.clock.now() - world.startedAt) / 60_000).toFixed(1);
      const realS = ((Date.now() - started) / 1000).toFixed(0);
      const summary = `${row.published}/${row.posts} published, ${row.duplicates} duplicates`;
      log(`  ${strategy.name}: ${summary}, virtual ${virtualMin} min, ${realS} s`);
    } finally {
      await world.close();
    }
  }
  return rows;
}
