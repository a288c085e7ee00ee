import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Proves the workspace lint rules fire: each snippet is linted as if it were a file inside a
 * project, with the real eslint.config.mjs and the real Nx project graph.
 */
interface Snippet {
  readonly name: string;
  readonly file: string;
  readonly code: string;
  readonly expectRules: readonly string[];
}

const pureLibs = ['instrument-schemas', 'windowed-aggregator', 'alerting'];
const ioImports = [
  'kafkajs',
  'pg',
  'knex',
  'fastify',
  '@elastic/elasticsearch',
  'node:fs',
  'node:net',
  'node:http',
  'fs',
];

const snippets: Snippet[] = [
  ...pureLibs.flatMap((lib) =>
    ioImports.map((pkg) => ({
      name: `${lib} may not import ${pkg}`,
      file: `libs/${lib}/src/fixture.ts`,
      code: `import * as io from '${pkg}';\nexport const used = io;\n`,
      expectRules: ['no-restricted-imports'],
    })),
  ),
  {
    name: 'a pure lib may not depend on an I/O lib',
    file: 'libs/windowed-aggregator/src/fixture.ts',
    code: `import { retry } from '@geostream/platform';\nexport const used = retry;\n`,
    expectRules: ['@nx/enforce-module-boundaries'],
  },
  {
    name: 'a pure lib may not read the wall clock or start timers',
    file: 'libs/windowed-aggregator/src/fixture.ts',
    code: `export const a = Date.now();\nexport const b = new Date();\nsetTimeout(() => undefined, 1);\n`,
    expectRules: ['no-restricted-properties', 'no-restricted-syntax', 'no-restricted-globals'],
  },
  {
    name: "an app's pure core may not do I/O, use an I/O lib or read the clock",
    file: 'apps/stream-processor/src/core/fixture.ts',
    code: `import { Kafka } from 'kafkajs';\nimport { retry } from '@geostream/platform';\nimport { readFileSync } from 'node:fs';\nexport const used = [Kafka, retry, readFileSync, Date.now()];\n`,
    expectRules: ['no-restricted-imports', 'no-restricted-properties'],
  },
  {
    name: 'a lib may not import an app',
    file: 'libs/sinks/src/fixture.ts',
    code: `import { buildApp } from '../../../apps/mock-api/src/app';\nexport const used = buildApp;\n`,
    expectRules: ['@nx/enforce-module-boundaries'],
  },
];

const allowed: Snippet[] = [
  {
    name: 'a pure lib may use another pure lib',
    file: 'libs/alerting/src/fixture.ts',
    code: `import { INSTRUMENT_TYPES } from '@geostream/instrument-schemas';\nexport const used = INSTRUMENT_TYPES;\n`,
    expectRules: [],
  },
  {
    name: 'an app may use I/O libs and packages',
    file: 'apps/producer/src/fixture.ts',
    code: `import { Kafka } from 'kafkajs';\nimport { retry } from '@geostream/platform';\nexport const used = [Kafka, retry];\n`,
    expectRules: [],
  },
  {
    name: "an app's shell may do I/O",
    file: 'apps/stream-processor/src/shell/fixture.ts',
    code: `import { retry } from '@geostream/platform';\nexport const used = [retry, Date.now()];\n`,
    expectRules: [],
  },
  {
    name: 'an I/O lib may use a pure lib and I/O packages',
    file: 'libs/sinks/src/fixture.ts',
    code: `import knex from 'knex';\nimport { INSTRUMENT_TYPES } from '@geostream/instrument-schemas';\nexport const used = [knex, INSTRUMENT_TYPES];\n`,
    expectRules: [],
  },
];

let rulesBySnippet: string[][] = [];

beforeAll(() => {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'lint-snippets.mjs')], {
    input: JSON.stringify([...snippets, ...allowed].map(({ file, code }) => ({ file, code }))),
    encoding: 'utf8',
  });
  rulesBySnippet = JSON.parse(output) as string[][];
}, 60_000);

describe('lint rejects boundary violations', () => {
  it.each(snippets.map((s, i) => [s.name, i, s.expectRules] as const))(
    '%s',
    (_name, index, expectRules) => {
      expect(rulesBySnippet[index]).toEqual(expect.arrayContaining([...expectRules]));
    },
  );
});

describe('lint accepts allowed dependencies', () => {
  it.each(allowed.map((s, i) => [s.name, i] as const))('%s', (_name, index) => {
    expect(rulesBySnippet[snippets.length + index]).toEqual([]);
  });
});
