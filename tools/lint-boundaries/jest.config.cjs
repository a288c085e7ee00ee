module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'lint-boundaries',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.spec.ts'],
};
