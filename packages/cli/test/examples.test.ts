import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseCampaign } from '../src/campaign/parse';

const example = (name: string) => path.resolve(__dirname, '../../../examples', name);

it('the example CSV campaign parses cleanly, with unique keys and some rows left to the router', () => {
  const file = example('campaign.csv');
  const entries = parseCampaign(readFileSync(file, 'utf8'), file);
  expect(entries).toHaveLength(24);
  expect(new Set(entries.map((e) => e.idempotencyKey)).size).toBe(24);
  expect(entries.filter((e) => !e.account).length).toBeGreaterThan(0);
  expect(entries.some((e) => e.media.type === 'photo_urls')).toBe(true);
  expect(entries.some((e) => e.mode === 'draft')).toBe(true);
  // Captions are unique per campaign: reconciliation matches lost inits by caption.
  const titles = entries.map((e) => e.title).filter(Boolean);
  expect(new Set(titles).size).toBe(titles.length);
});

it('the example JSON campaign parses cleanly', () => {
  const file = example('campaign.json');
  const entries = parseCampaign(readFileSync(file, 'utf8'), file);
  expect(entries.map((e) => [e.account ?? e.region, e.mode, e.media.type])).toEqual([
    ['north-studio', 'direct', 'video_url'],
    ['US', 'direct', 'photo_urls'],
    ['us-brand', 'draft', 'video_url'],
  ]);
});
