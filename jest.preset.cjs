// Shared Jest settings: SWC strips types (fast on 2 cores), and @geostream/* imports resolve to
// the libs' sources, exactly as tsconfig.base.json maps them for tsc and tsx.
const path = require('node:path');

const libsDir = path.join(__dirname, 'libs');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
    // fastify's inject() (light-my-request) requires `cookie` 2, which is ESM only; Node 20 loads
    // it natively, but Jest's module runtime cannot, so SWC compiles that one package to CommonJS.
    '/node_modules/cookie/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@geostream/([a-z-]+)$': path.join(libsDir, '$1/src/index.ts'),
    // Second entry points (`@geostream/platform/testing`, `@geostream/sinks/names`): src/<entry>.ts.
    '^@geostream/([a-z-]+)/([a-z-]+)$': path.join(libsDir, '$1/src/$2.ts'),
  },
};
