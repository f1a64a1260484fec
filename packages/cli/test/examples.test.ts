import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseCampaign } from '../src/campaign/parse';

it('the example campaign parses cleanly, with unique keys and some rows left to the router', () => {
  const file = path.resolve(__dirname, '../../../examples/campaign.csv');
  const entries = parseCampaign(readFileSync(file, 'utf8'), file);
  expect(entries).toHaveLength(24);
  expect(new Set(entries.map((e) => e.idempotencyKey)).size).toBe(24);
  expect(entries.filter((e) => !e.account).length).toBeGreaterThan(0);
  expect(entries.some((e) => e.media.type === 'photo_urls')).toBe(true);
  expect(entries.some((e) => e.mode === 'draft')).toBe(true);
});
