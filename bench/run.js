#!/usr/bin/env node
// `npm run bench`: measures the project's published figures and runs the peers comparison (one
// campaign through tokpipe and what users would run instead), prints both tables and writes
// bench/results.json: { figures: [{name, value, target, unit, pass}], peers: {campaign, rows, table,
// claims, chart} }. Each part is merged into the file as it was: a partial run keeps the other part.
// The peers run also writes its chart to docs/peers-bench.svg. Not part of npm test.
//   node bench/run.js [--only quota,status,upload,core,campaign,serve,peers]     node bench/run.js peers
require('../test/chaos/ts-hook.js');
const fs = require('node:fs');
const path = require('node:path');
const { FIGURE_NAMES } = require('./figures.ts');
const { quotaBench, statusCallsBench } = require('./pipeline-benches.ts');
const { uploadBench } = require('./upload.ts');
const { coreBench } = require('./core.ts');
const { campaignBench } = require('./campaign.ts');
const { engineBench } = require('./engine.ts');
const { serverBench } = require('./server.ts');
const { peersBench, printClaims } = require('./peers/bench.ts');

const benches = {
  quota: quotaBench,
  status: statusCallsBench,
  upload: uploadBench,
  core: coreBench,
  campaign: campaignBench,
  engine: engineBench,
  serve: serverBench,
};
const parts = [...Object.keys(benches), 'peers'];
const at = process.argv.indexOf('--only');
const named = process.argv.slice(2).filter((a) => parts.includes(a));
const only = at > 0 ? process.argv[at + 1].split(',') : named.length > 0 ? named : parts;
const resultsPath = path.join(__dirname, 'results.json');

/** What results.json held before: the old format was the figures array alone. */
function previousResults() {
  try {
    const old = JSON.parse(fs.readFileSync(resultsPath, 'utf8'));
    return Array.isArray(old) ? { figures: old } : old;
  } catch {
    return {};
  }
}

(async () => {
  const log = (line) => process.stderr.write(`${line}\n`);
  const figures = [];
  let peers;
  for (const name of only) {
    const started = Date.now();
    log(`— ${name}`);
    if (name === 'peers') peers = await peersBench(log, path.join(__dirname, '..'));
    else figures.push(...(await benches[name](log)));
    log(`  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  const results = previousResults();
  const ordered = FIGURE_NAMES.map((n) => figures.find((f) => f.name === n)).filter(Boolean);
  if (ordered.length > 0) {
    const width = Math.max(...ordered.map((f) => f.name.length));
    console.log(
      `\n${'figure'.padEnd(width)}  ${'value'.padStart(10)}  ${'target'.padStart(8)}  unit                     result`,
    );
    for (const f of ordered) {
      const cells = [
        f.name.padEnd(width),
        String(f.value).padStart(10),
        String(f.target).padStart(8),
        f.unit.padEnd(24),
      ];
      console.log(`${cells.join('  ')} ${f.pass ? 'pass' : 'SHORT'}`);
    }
    if (ordered.length === FIGURE_NAMES.length) {
      results.figures = ordered;
      console.log(`\nfigures: ${ordered.filter((f) => f.pass).length}/${ordered.length} pass`);
    } else {
      console.log('\n(partial run: figures in bench/results.json left as they were)');
    }
  }
  if (peers) {
    results.peers = peers;
    const { posts, accounts, seed } = peers.campaign;
    console.log(
      `\nThe same campaign through what users would run instead (${posts} posts, ${accounts} accounts, seed ${seed}):\n`,
    );
    console.log(peers.table.join('\n'));
    console.log(`\n${printClaims(peers.claims)}\nchart: ${peers.chart}`);
  }
  fs.writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nwrote bench/results.json');
  process.exit(0);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
