module.exports = {
  ...require('./jest.shared.cjs'),
  displayName: 'batch-dashboard-e2e',
  testMatch: ['<rootDir>/test/e2e/**/*.e2e.spec.ts'],
  testTimeout: 180_000,
};
