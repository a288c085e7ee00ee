import { randomBytes } from 'node:crypto';
import knex, { type Knex } from 'knex';
import { testServices } from '@geostream/platform/testing';
import { switchReadSchema } from '../../src/read-schema';
import { ensureRegistry, insertVersion, readPointer } from '../../src/registry';

/**
 * The PostgreSQL half of a switch alone: views replaced in one transaction with the pointer,
 * also between versions whose tables have other columns (a later migration), and the drawings
 * table copied once and never moved.
 */
const id = randomBytes(5).toString('hex');
const read = `rs_${id}_read`;
const [older, newer] = [`rs_${id}_a`, `rs_${id}_b`];
const roles = { readRole: 'geostream_reader', drawingsRole: 'geostream_drawings_writer' };
let db: Knex;

async function versionTables(schema: string, extraColumn: boolean): Promise<void> {
  await db.raw(`create schema "${schema}"`);
  const extra = extraColumn ? ', quality text' : '';
  for (const table of ['reading_window', 'alert_event', 'instrument_state', 'record'])
    await db.raw(`create table "${schema}"."${table}" (id text, version text${extra})`);
  await db.raw(`insert into "${schema}".reading_window (id, version) values ('w1', '${schema}')`);
  await db.raw(
    `create table "${schema}".plan_underlay (id uuid primary key default gen_random_uuid(), name text)`,
  );
  await db.raw(`insert into "${schema}".plan_underlay (name) values ('drawing of ${schema}')`);
}

async function register(name: string, schema: string): Promise<void> {
  await insertVersion(db, read, {
    version: name,
    consumerGroup: `g-${schema}`,
    pgSchema: schema,
    esIndexPrefix: schema,
    topicPrefix: '',
    topicSuffix: `.${name}`,
    dlqTopic: 'dlq',
    alertsTopic: 'alerts',
    settings: {},
    pid: null,
    port: null,
    logFile: null,
  });
}

beforeAll(async () => {
  db = knex({ client: 'pg', connection: testServices().database.url, pool: { min: 0, max: 2 } });
  await ensureRegistry(db, read);
  await versionTables(older, false);
  await versionTables(newer, true);
  for (const role of Object.values(roles))
    await db.raw(
      `do $$ begin create role "${role}" nologin; exception when duplicate_object then null; end $$`,
    );
  await register('a', older);
  await register('b', newer);
});

afterAll(async () => {
  for (const schema of [read, older, newer])
    await db.raw(`drop schema if exists "${schema}" cascade`);
  await db.destroy();
});

const readVersion = async () =>
  (await db.raw<{ rows: { version: string }[] }>(`select version from "${read}".reading_window`))
    .rows[0]?.version;

it('points the views at one version with the pointer, across column changes, drawings kept', async () => {
  await switchReadSchema(db, {
    readSchema: read,
    version: 'a',
    versionSchema: older,
    roles,
  });
  expect(await readVersion()).toBe(older);
  expect(await readPointer(db, read)).toEqual({ current: 'a', previous: null });

  await switchReadSchema(db, {
    readSchema: read,
    version: 'b',
    versionSchema: newer,
    roles,
  });
  expect(await readVersion()).toBe(newer);
  // Back to the version with fewer columns: the view is dropped and created in the transaction.
  await switchReadSchema(db, {
    readSchema: read,
    version: 'a',
    versionSchema: older,
    roles,
  });
  expect(await readVersion()).toBe(older);
  const columns = await db.raw<{ rows: { column_name: string }[] }>(
    `select column_name from information_schema.columns where table_schema = ? and table_name = 'reading_window' order by ordinal_position`,
    [read],
  );
  expect(columns.rows.map((c) => c.column_name)).toEqual(['id', 'version']);
  expect(await readPointer(db, read)).toEqual({ current: 'a', previous: 'b' });

  // The drawings are the first version's, in a table of the read schema that no switch moved.
  const drawings = await db.raw<{ rows: { name: string }[] }>(
    `select name from "${read}".plan_underlay`,
  );
  expect(drawings.rows.map((d) => d.name)).toEqual([`drawing of ${older}`]);
  await db.raw(`insert into "${read}".plan_underlay (name) values ('added after')`);
  await switchReadSchema(db, {
    readSchema: read,
    version: 'b',
    versionSchema: newer,
    roles,
  });
  const kept = await db.raw<{ rows: unknown[] }>(`select 1 from "${read}".plan_underlay`);
  expect(kept.rows).toHaveLength(2);
});
