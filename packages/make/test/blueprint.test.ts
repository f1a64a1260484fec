// The example scenario only uses modules and fields the app really has, and is set up for Make's retries.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { component, loadApp } from '../harness/load-app';
import { APP_DIR } from '../generator/write-app';
import { declaredParams } from '../validate/lints';

interface FlowModule {
  id: number;
  module: string;
  mapper: Record<string, unknown>;
  onerror?: FlowModule[];
}

const blueprint = JSON.parse(
  readFileSync(join(__dirname, '..', 'examples', 'airtable-to-tiktok.blueprint.json'), 'utf8'),
) as {
  flow: FlowModule[];
  metadata: { scenario: Record<string, unknown> };
};
const app = loadApp(APP_DIR);

test('Airtable → TikTok → update the row: every TikTok module and mapped field exists in the app', () => {
  const ours = blueprint.flow.filter((m) => m.module.startsWith('app#tokpipe-tiktok:'));
  expect(ours.map((m) => m.module)).toEqual(['app#tokpipe-tiktok:postVideo']);
  for (const m of ours) {
    const c = component(app, 'module', m.module.split(':')[1]!);
    const declared = declaredParams(c.code.mappableParams);
    expect(Object.keys(m.mapper).filter((k) => !declared.has(k))).toEqual([]);
    const required = (c.code.mappableParams as Array<{ name: string; required?: boolean }>)
      .filter((p) => p.required)
      .map((p) => p.name);
    expect(required.filter((r) => !(r in m.mapper))).toEqual([]);
  }
  expect(blueprint.flow.map((m) => m.module)).toEqual([
    'airtable:TriggerWatchRecords',
    'app#tokpipe-tiktok:postVideo',
    'airtable:ActionUpdateRecords',
  ]);
});

test('the scenario stores incomplete executions (Make retries what is retryable) and the post module has no error handler (it would retry every error, unknown outcomes too)', () => {
  expect(blueprint.metadata.scenario.dlq).toBe(true);
  const post = blueprint.flow.find((m) => m.id === 2)!;
  expect(post.onerror).toBeUndefined();
  const update = blueprint.flow.find((m) => m.id === 3)!;
  expect(JSON.stringify(update.mapper)).toContain('2.publishId');
});
