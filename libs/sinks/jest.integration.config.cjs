module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'sinks-integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/integration/**/*.int.spec.ts'],
  testTimeout: 60_000,
};
