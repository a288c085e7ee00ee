import type { Knex } from 'knex';
import { REPROCESS_TABLES } from '@geostream/sinks';
import { qualifiedName, quoted } from './sql';
import type { VersionNames } from './names';

/**
 * The versions registry, in the read schema (READ_PG_SCHEMA) next to the views it points: one
 * row per version (its names, its settings, its state) and one pointer row saying which version
 * readers see (`current`) and which they saw before (`previous`, what `rollback` returns to).
 * The read role may select both, so a reader can learn the current topic suffix.
 */
export const REGISTRY_TABLES = REPROCESS_TABLES;

export type VersionState = 'started' | 'verified';

export interface VersionRow extends VersionNames {
  readonly topicPrefix: string;
  readonly settings: Record<string, string>;
  readonly state: VersionState;
  readonly verification: unknown;
  readonly pid: number | null;
  readonly port: number | null;
  readonly logFile: string | null;
  /** Registered by `adopt`: the live deployment's outputs, which cleanup never deletes. */
  readonly adopted: boolean;
  readonly createdAt: Date;
}

export interface Pointer {
  readonly current: string | null;
  readonly previous: string | null;
}

export async function ensureRegistry(db: Knex, schema: string): Promise<void> {
  const versions = qualifiedName(schema, REGISTRY_TABLES.versions);
  const pointer = qualifiedName(schema, REGISTRY_TABLES.pointer);
  // Serialised: two commands creating the registry at once would race on the catalogue.
  await db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`reprocess:${schema}`]);
    await trx.raw(`
      create schema if not exists ${quoted(schema)};
      create table if not exists ${versions} (
        name text primary key,
        consumer_group text not null unique,
        pg_schema text not null unique,
        es_index_prefix text not null unique,
        topic_prefix text not null,
        topic_suffix text not null,
        dlq_topic text not null,
        alerts_topic text not null,
        settings jsonb not null,
        state text not null check (state in ('started', 'verified')),
        verification jsonb,
        pid integer,
        port integer,
        log_file text,
        adopted boolean not null default false,
        created_at timestamptz not null default now()
      );
      create table if not exists ${pointer} (
        singleton boolean primary key default true check (singleton),
        current text references ${versions} (name),
        previous text references ${versions} (name),
        switched_at timestamptz
      );
      insert into ${pointer} (singleton) values (true) on conflict do nothing;
    `);
  });
}

interface RawVersionRow {
  name: string;
  consumer_group: string;
  pg_schema: string;
  es_index_prefix: string;
  topic_prefix: string;
  topic_suffix: string;
  dlq_topic: string;
  alerts_topic: string;
  settings: Record<string, string>;
  state: VersionState;
  verification: unknown;
  pid: number | null;
  port: number | null;
  log_file: string | null;
  adopted: boolean;
  created_at: Date;
}

function fromRow(row: RawVersionRow): VersionRow {
  return {
    version: row.name,
    consumerGroup: row.consumer_group,
    pgSchema: row.pg_schema,
    esIndexPrefix: row.es_index_prefix,
    topicPrefix: row.topic_prefix,
    topicSuffix: row.topic_suffix,
    dlqTopic: row.dlq_topic,
    alertsTopic: row.alerts_topic,
    settings: row.settings,
    state: row.state,
    verification: row.verification,
    pid: row.pid,
    port: row.port,
    logFile: row.log_file,
    adopted: row.adopted,
    createdAt: row.created_at,
  };
}

export async function listVersions(db: Knex, schema: string): Promise<VersionRow[]> {
  const rows = await db<RawVersionRow>(REGISTRY_TABLES.versions)
    .withSchema(schema)
    .orderBy('created_at');
  return rows.map(fromRow);
}

export async function findVersion(
  db: Knex,
  schema: string,
  name: string,
): Promise<VersionRow | undefined> {
  const row = await db<RawVersionRow>(REGISTRY_TABLES.versions)
    .withSchema(schema)
    .where({ name })
    .first();
  return row === undefined ? undefined : fromRow(row);
}

export async function insertVersion(
  db: Knex,
  schema: string,
  row: Omit<VersionRow, 'createdAt' | 'verification' | 'state' | 'adopted'>,
  adopted?: { verification: unknown },
): Promise<void> {
  await db(REGISTRY_TABLES.versions)
    .withSchema(schema)
    .insert({
      name: row.version,
      consumer_group: row.consumerGroup,
      pg_schema: row.pgSchema,
      es_index_prefix: row.esIndexPrefix,
      topic_prefix: row.topicPrefix,
      topic_suffix: row.topicSuffix,
      dlq_topic: row.dlqTopic,
      alerts_topic: row.alertsTopic,
      settings: JSON.stringify(row.settings),
      state: adopted ? 'verified' : 'started',
      verification: adopted ? JSON.stringify(adopted.verification) : null,
      adopted: adopted !== undefined,
      pid: row.pid,
      port: row.port,
      log_file: row.logFile,
    });
}

export async function recordVerification(
  db: Knex,
  schema: string,
  name: string,
  passed: boolean,
  report: unknown,
): Promise<void> {
  await db(REGISTRY_TABLES.versions)
    .withSchema(schema)
    .where({ name })
    .update({ state: passed ? 'verified' : 'started', verification: JSON.stringify(report) });
}

export async function deleteVersion(db: Knex, schema: string, name: string): Promise<void> {
  await db.transaction(async (trx) => {
    await trx(REGISTRY_TABLES.pointer)
      .withSchema(schema)
      .where({ previous: name })
      .update({ previous: null });
    await trx(REGISTRY_TABLES.versions).withSchema(schema).where({ name }).delete();
  });
}

export async function readPointer(db: Knex | Knex.Transaction, schema: string): Promise<Pointer> {
  const row = await db(REGISTRY_TABLES.pointer)
    .withSchema(schema)
    .first<{ current: string | null; previous: string | null } | undefined>('current', 'previous');
  return { current: row?.current ?? null, previous: row?.previous ?? null };
}

/** The version's processor was stopped: forget its process. */
export async function forgetProcess(db: Knex, schema: string, name: string): Promise<void> {
  await db(REGISTRY_TABLES.versions).withSchema(schema).where({ name }).update({ pid: null });
}
