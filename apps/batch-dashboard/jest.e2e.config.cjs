module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'batch-dashboard-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/e2e/**/*.e2e.spec.ts'],
  testTimeout: 180_000,
};
