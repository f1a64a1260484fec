const os = require('os');
const base = require('./shared/jest.base.js');
module.exports = {
  ...base,
  // Most suites wait on child processes (the CLI, n8n, the Zapier CLI), a browser or a database, not on the
  // CPU: one worker more than the cores (3 on a 2-core machine) runs `npm test` in well under half the time
  // of Jest's default (cores - 1, which is one worker in band there).
  maxWorkers: Math.max(2, os.availableParallelism() + 1),
  testMatch: [
    '<rootDir>/packages/*/src/**/*.test.ts',
    '<rootDir>/packages/*/test/**/*.test.ts',
    '<rootDir>/test/**/*.test.ts',
  ],
};
