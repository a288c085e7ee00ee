module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'alarm-manager',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/unit/**/*.spec.ts'],
};
