module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'batch-dashboard-integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/integration/**/*.int.spec.ts'],
  testTimeout: 180_000,
};
