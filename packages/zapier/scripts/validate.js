// CLI-free validation of the built app on Node 20: the same local schema check the Zapier CLI runs
// (`validate` command of core's app handler) plus zapier-platform-schema over the serialized definition.
// Usage: NODE_ENV=test node scripts/validate.js [path/to/dist/index.js]
'use strict';
const path = require('node:path');
const zapier = require('zapier-platform-core');
const { validateAppDefinition } = require('zapier-platform-schema');

async function main() {
  const App = require(path.resolve(process.argv[2] || path.join(__dirname, '..', 'dist', 'index.js')));
  const handler = zapier.createAppHandler(App);
  const core = (await handler({ command: 'validate', bundle: {} })).results;
  const definition = (await handler({ command: 'definition', bundle: {} })).results;
  const schema = validateAppDefinition(definition).errors.map((e) => `${e.property} ${e.message}`);
  if (core.length || schema.length) {
    console.error(JSON.stringify({ core: core.map((e) => (e && e.stack) || e), schema }, null, 2));
    process.exitCode = 1;
  } else {
    console.log(`definition ok (platformVersion ${definition.platformVersion})`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
