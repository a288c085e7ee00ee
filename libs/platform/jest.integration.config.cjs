module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'platform-integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/integration/**/*.int.spec.ts'],
  testTimeout: 120_000,
};
