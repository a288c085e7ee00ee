module.exports = {
  ...require('./jest.shared.cjs'),
  displayName: 'batch-dashboard',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts'],
};
