// Jest settings every package extends: TypeScript via SWC (no type-check here; `tsc -b` does that),
// workspace packages resolved to their sources so tests never need a stale build.
const path = require('path');
const root = path.resolve(__dirname, '..');
module.exports = {
  rootDir: root,
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/'],
  moduleNameMapper: {
    '^@tokpipe/core$': '<rootDir>/packages/core/src/index.ts',
    '^@tokpipe/core/node$': '<rootDir>/packages/core/src/node/index.ts',
    '^@tokpipe/sandbox$': '<rootDir>/packages/sandbox/src/index.ts',
    '^@tokpipe/engine$': '<rootDir>/packages/engine/src/index.ts',
    '^@tokpipe/cli$': '<rootDir>/packages/cli/src/index.ts',
    '^@tokpipe/mcp$': '<rootDir>/packages/mcp/src/index.ts',
    '^@tokpipe/console$': '<rootDir>/packages/console/src/index.ts',
  },
  modulePathIgnorePatterns: ['<rootDir>/.tools/', '/dist/'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/.tools/'],
  setupFilesAfterEnv: ['<rootDir>/shared/jest-restore-http.js'],
  reporters: ['default', '<rootDir>/shared/jest-summary-reporter.js'],
  // Generous: many suites start `tokpipe` processes (each opens its database), and under `npm test`'s parallel
  // workers on a 2-core machine one can take several seconds. A hang still fails, two minutes in.
  testTimeout: 120000,
};
