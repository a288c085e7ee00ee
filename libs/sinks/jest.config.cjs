module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'sinks',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts'],
};
