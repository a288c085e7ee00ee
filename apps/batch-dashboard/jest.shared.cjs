// Jest settings shared by the dashboard's unit, integration and browser suites.
const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  rootDir: __dirname,
  // fastify's inject() (light-my-request) requires `cookie` 2, which is ESM only; Node 20 loads
  // it natively, but Jest's module runtime cannot, so SWC compiles that one package to CommonJS.
  transform: {
    ...preset.transform,
    '/node_modules/cookie/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
};
