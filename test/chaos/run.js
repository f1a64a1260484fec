#!/usr/bin/env node
// `npm run chaos`: 1,000 posts over 20 accounts against the sandbox's hostile profile, twice:
// in one process on a virtual clock, then with the pipeline in a child process that is killed with
// SIGKILL at random moments and restarted on the same FileStore. Exits 1 if any post is lost,
// posted twice, or left without a classified DLQ entry.
//   node test/chaos/run.js [--posts N] [--accounts N] [--seed N] [--kills N] [--only inprocess|kill]
require('./ts-hook.js');
const { runInProcessSoak } = require('./in-process.ts');
const { runKillSoak } = require('./kill-restart.ts');

function flag(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}

const posts = Number(flag('posts', 1000));
const accounts = Number(flag('accounts', 20));
const seed = Number(flag('seed', 1));
const kills = Number(flag('kills', 8));
const only = flag('only', '');

function summary(name, r) {
  const lines = [
    `${name}: ${r.posts} posts over ${accounts} accounts, ${r.realSeconds.toFixed(0)} s`,
    `  published exactly once: ${r.published}   dead-lettered with classification: ${r.deadLettered}   lost: ${r.lost}   duplicates: ${r.duplicates}`,
    `  DLQ by code: ${JSON.stringify(r.deadByCode)}   dead but on TikTok (unknown outcome, never re-posted): ${r.deadButOnTikTok}`,
    `  faults injected: ${JSON.stringify(r.faults)}`,
    `  requests: ${JSON.stringify(r.requests)}`,
  ];
  for (const why of (r.deadButOnTikTokWhy ?? []).slice(0, 10)) lines.push(`  not claimed: ${why}`);
  if (r.kills !== undefined) lines.push(`  SIGKILLs: ${r.kills}, starts: ${r.starts}`);
  if (r.webhooks)
    lines.push(
      `  webhooks verified: ${r.webhooks.received}, refused: ${r.webhooks.refused}; virtual time ${r.virtualHours.toFixed(1)} h`,
    );
  for (const v of r.violations.slice(0, 30)) lines.push(`  VIOLATION ${v}`);
  console.log(lines.join('\n'));
  return r.violations.length === 0 && r.lost === 0 && r.duplicates === 0 && r.published + r.deadLettered === r.posts;
}

(async () => {
  let ok = true;
  if (only !== 'kill') {
    const r = await runInProcessSoak({
      posts,
      accounts,
      seed,
      revocations: 2,
      progress: (l) => process.stderr.write(`\r${l}   `),
    });
    process.stderr.write('\n');
    ok = summary('in-process (virtual clock)', r) && ok;
  }
  if (only !== 'inprocess') {
    const r = await runKillSoak({
      posts,
      accounts,
      seed: seed + 1,
      kills,
      killAfter: { events: [100, 1500] },
      scale: 0.002,
      revocations: 1,
      progress: (l) => process.stderr.write(`${l}\n`),
    });
    ok = summary('SIGKILL + restart (FileStore, scaled real time)', r) && ok;
  }
  console.log(ok ? 'chaos: PASS' : 'chaos: FAIL');
  process.exit(ok ? 0 : 1);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
