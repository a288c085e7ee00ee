module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'batch-dashboard',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts'],
};
