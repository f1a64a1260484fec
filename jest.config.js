const base = require('./shared/jest.base.js');
module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/packages/*/src/**/*.test.ts',
    '<rootDir>/packages/*/test/**/*.test.ts',
    '<rootDir>/test/**/*.test.ts',
  ],
};
