// Lets plain `node` load the soak's and benches' TypeScript (run.js and the SIGKILL worker):
// transpile only, with the same SWC settings as jest (`tsc -p bench` type-checks). Workspace
// packages resolve to their built dist/.
const fs = require('node:fs');
const swc = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
