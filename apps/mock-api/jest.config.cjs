module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'mock-api',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts'],
};
