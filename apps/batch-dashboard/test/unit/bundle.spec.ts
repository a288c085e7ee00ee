import path from 'node:path';
import { build } from 'esbuild';

/**
 * The dashboard reads table and topic names from @geostream/sinks/names, and works in the app
 * schema through @geostream/sinks/app: its server bundle must not contain (or load) the
 * Elasticsearch client, nor the pipeline's sink writers.
 */
const appRoot = path.resolve(__dirname, '../..');

it('bundles no Elasticsearch client and no sink writer', async () => {
  const result = await build({
    entryPoints: [path.join(appRoot, 'src/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    packages: 'external',
    tsconfig: path.join(appRoot, 'tsconfig.json'),
    write: false,
    metafile: true,
    outfile: 'main.js',
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const external = Object.values(result.metafile.inputs).flatMap((input) =>
    input.imports.filter((i) => i.external).map((i) => i.path),
  );
  expect(external.filter((p) => p.startsWith('@elastic/'))).toEqual([]);
  expect(inputs.filter((p) => p.includes('libs/sinks/')).sort()).toEqual([
    'libs/sinks/src/app.ts',
    'libs/sinks/src/kafka/topic-names.ts',
    'libs/sinks/src/names.ts',
    'libs/sinks/src/postgres/app/alarm-store.ts',
    'libs/sinks/src/postgres/app/app-database.ts',
    'libs/sinks/src/postgres/app/app-migrations.ts',
    'libs/sinks/src/postgres/app/app-tables.ts',
    'libs/sinks/src/postgres/app/level-change-store.ts',
    'libs/sinks/src/postgres/app/notification-outbox.ts',
    'libs/sinks/src/postgres/app/search-outbox.ts',
    'libs/sinks/src/postgres/identifiers.ts',
    'libs/sinks/src/postgres/migrate-serialised.ts',
    'libs/sinks/src/postgres/migrations.ts',
    'libs/sinks/src/postgres/reprocess-pointer.ts',
    'libs/sinks/src/postgres/roles.ts',
    'libs/sinks/src/postgres/tables.ts',
  ]);
});
