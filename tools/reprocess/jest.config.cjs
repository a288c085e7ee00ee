module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'reprocess',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/unit/**/*.spec.ts'],
};
