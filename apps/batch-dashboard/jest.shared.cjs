// Jest settings shared by the dashboard's unit, integration and browser suites.
module.exports = {
  ...require('../../jest.preset.cjs'),
  rootDir: __dirname,
};
