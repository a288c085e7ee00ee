module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'stack-integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.int.spec.ts'],
  testTimeout: 60_000,
};
