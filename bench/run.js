#!/usr/bin/env node
// `npm run bench`: measures the project's published figures, prints a table and writes
// bench/results.json ([{name, value, target, unit, pass}], one entry per figure). Not part of npm test.
//   node bench/run.js [--only quota,status,upload,core]
require('../test/chaos/ts-hook.js');
const fs = require('node:fs');
const path = require('node:path');
const { FIGURE_NAMES } = require('./figures.ts');
const { quotaBench, statusCallsBench } = require('./pipeline-benches.ts');
const { uploadBench } = require('./upload.ts');
const { coreBench } = require('./core.ts');
const { engineBench } = require('./engine.ts');

const benches = { quota: quotaBench, status: statusCallsBench, upload: uploadBench, core: coreBench, engine: engineBench };
const at = process.argv.indexOf('--only');
const only = at > 0 ? process.argv[at + 1].split(',') : Object.keys(benches);

(async () => {
  const log = (line) => process.stderr.write(`${line}\n`);
  const figures = [];
  for (const name of only) {
    const started = Date.now();
    log(`— ${name}`);
    figures.push(...(await benches[name](log)));
    log(`  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  const ordered = FIGURE_NAMES.map((n) => figures.find((f) => f.name === n)).filter(Boolean);
  const width = Math.max(...ordered.map((f) => f.name.length));
  console.log(`\n${'figure'.padEnd(width)}  ${'value'.padStart(10)}  ${'target'.padStart(8)}  unit                     result`);
  for (const f of ordered) console.log(`${f.name.padEnd(width)}  ${String(f.value).padStart(10)}  ${String(f.target).padStart(8)}  ${f.unit.padEnd(24)} ${f.pass ? 'pass' : 'SHORT'}`);
  if (ordered.length === FIGURE_NAMES.length) {
    fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(ordered, null, 2)}\n`);
    console.log(`\nwrote bench/results.json (${ordered.filter((f) => f.pass).length}/${ordered.length} pass)`);
  } else {
    console.log('\n(partial run: bench/results.json not written)');
  }
  process.exit(0);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
