// Module boundaries are enforced here, not by hope:
// - apps may use libs, libs never use apps (tags type:app / type:lib);
// - pure libs (purity:pure) depend only on pure libs and import no I/O package or Node I/O
//   module, and never read the wall clock: time is always an argument.
// tools/lint-boundaries has a test that proves these rules fire.
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

/** Packages and Node modules that do I/O; a pure lib importing one fails lint. */
export const ioPackages = [
  'kafkajs',
  'pg',
  'pg-*',
  'knex',
  'fastify',
  '@fastify/*',
  '@elastic/*',
  'prom-client',
  'pino',
  'undici',
  'axios',
  'playwright-core',
];
/** The workspace's own I/O libs: pure libs are held to them by tags, app cores by this list. */
const ioLibs = [
  '@geostream/platform',
  '@geostream/platform/*',
  '@geostream/sinks',
  '@geostream/sinks/*',
];
const nodeIoModules = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'dgram',
  'dns',
  'tls',
  'child_process',
  'cluster',
  'worker_threads',
  'readline',
  'os',
  'process',
];
const nodeIoImportPatterns = nodeIoModules.flatMap((m) => [m, `node:${m}`]);

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.nx/**',
      '.stack/**',
      'test-artifacts/**',
      'coverage/**',
    ],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
            {
              sourceTag: 'purity:pure',
              onlyDependOnLibsWithTags: ['purity:pure'],
              bannedExternalImports: ioPackages,
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Pure cores: no I/O modules, no wall clock, no timers. Tests and benchmarks may use them.
    // An app's src/core is held to the same rules, and may not use the I/O libs either.
    files: [
      'libs/instrument-schemas/src/**/*.ts',
      'libs/windowed-aggregator/src/**/*.ts',
      'libs/alerting/src/**/*.ts',
      'apps/*/src/core/**/*.ts',
    ],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeIoImportPatterns.map((name) => ({
            name,
            message: 'Pure libs do no I/O: take data as arguments and let the app do the I/O.',
          })),
          patterns: [
            {
              group: ioPackages,
              message: 'Pure libs import no I/O package: adapters live in libs/sinks or the apps.',
            },
            {
              group: ioLibs,
              message: "A pure core uses only pure libs: the app's shell does the I/O.",
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Pure libs take time as an argument.' },
        { object: 'performance', property: 'now', message: 'Pure libs take time as an argument.' },
        {
          object: 'Math',
          property: 'random',
          message: 'Pure libs are deterministic: take a seeded source.',
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Pure libs have no timers: the caller advances time.' },
        { name: 'setInterval', message: 'Pure libs have no timers: the caller advances time.' },
        { name: 'setImmediate', message: 'Pure libs have no timers: the caller advances time.' },
        {
          name: 'process',
          message: 'Pure libs do not read the environment: take options as arguments.',
        },
        { name: 'fetch', message: 'Pure libs do no I/O.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Pure libs take time as an argument: new Date() reads the wall clock.',
        },
      ],
    },
  },
  prettier,
];
