module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'stack-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.e2e.spec.ts'],
  testTimeout: 240_000,
};
