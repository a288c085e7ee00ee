import path from 'node:path';
import knex, { type Knex } from 'knex';
import { createPostgresSink } from '@geostream/sinks';
import { DEFAULT_DRAWINGS_ROLE, DEFAULT_READ_ROLE } from '@geostream/platform';
import { testServices, uniqueName } from '@geostream/platform/testing';
import { buildApp, type AppDeps } from '../../src/app';
import { createDatabase, createDrawingsWriter } from '../../src/database';
import { locateWebAssets } from '../../src/http/static-assets';
import { createLiveHub, type LiveHub } from '../../src/live/live-hub';

/** A PostgreSQL schema of the test's own, with the sinks' migrations applied (never a copy of the DDL). */
export interface TestSchema {
  readonly schema: string;
  readonly url: string;
  /** The dashboard's connections: the read role, read-only transactions. */
  readonly db: Knex;
  /** The dashboard's drawings writer: the drawings role, which may write plan_underlay alone. */
  readonly drawings: Knex;
  /** The test's own connections, as the owner: to seed rows and look at the server. */
  readonly writer: Knex;
  drop(): Promise<void>;
}

export async function createTestSchema(prefix: string): Promise<TestSchema> {
  const { database } = testServices();
  const schema = uniqueName(prefix).replace(/-/g, '_');
  const sink = createPostgresSink({ connectionString: database.url, schema });
  await sink.migrate();
  await sink.close();
  const settings = { url: database.url, poolMax: 4 };
  const db = createDatabase(settings, schema, DEFAULT_READ_ROLE);
  const drawings = createDrawingsWriter(settings, schema, DEFAULT_DRAWINGS_ROLE);
  const writer = knex({
    client: 'pg',
    connection: database.url,
    searchPath: [schema],
    pool: { min: 0, max: 2 },
  });
  return {
    schema,
    url: database.url,
    db,
    drawings,
    writer,
    async drop() {
      await db.destroy();
      await drawings.destroy();
      await writer.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
      await writer.destroy();
    },
  };
}

export const ASSETS_DIR = locateWebAssets(path.resolve(__dirname, '../../src'));

export const STALENESS = { multiplier: 3, fallbackIntervalMs: 3_600_000, minSilenceMs: 120_000 };

/** The dashboard on the test's schema, connected as it connects (the read and drawings roles). */
export async function appFor(
  pg: Pick<TestSchema, 'db' | 'drawings'>,
  overrides: Partial<AppDeps> = {},
): Promise<{ app: Awaited<ReturnType<typeof buildApp>>; hub: LiveHub }> {
  const hub = createLiveHub({ instanceId: 'test', initialStatus: 'live' });
  const app = await buildApp({
    db: pg.db,
    drawings: pg.drawings,
    live: hub,
    clock: Date.now,
    accessToken: undefined,
    staleness: STALENESS,
    siteConfig: undefined,
    assetsDir: ASSETS_DIR,
    ...overrides,
  });
  return { app, hub };
}
