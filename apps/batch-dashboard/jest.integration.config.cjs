module.exports = {
  ...require('./jest.shared.cjs'),
  displayName: 'batch-dashboard-integration',
  testMatch: ['<rootDir>/test/integration/**/*.int.spec.ts'],
  testTimeout: 180_000,
};
