module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'reprocess-integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/integration/**/*.int.spec.ts'],
  testTimeout: 180_000,
};
