import type { Knex } from 'knex';
import { ALARM_CONDITIONS, CLOCK_STATUSES } from '@geostream/instrument-schemas';
import { qualified, quoteIdentifier } from './identifiers';
import { POSTGRES_TABLES as T } from './tables';

/**
 * Versioned migrations, in code: the apps are bundled by esbuild, so nothing is read from disk
 * at run time. Each runs once per schema (knex records it in MIGRATIONS_TABLE, in a
 * transaction), so running migrate() again is harmless. Never edit a released migration: add
 * the next one.
 */
export interface SinkMigration {
  readonly name: string;
  up(knex: Knex, schema: string): Promise<void>;
}

const LEVELS = "('none', 'alert', 'alarm', 'action')";
const CLOCK_STATUS_VALUES = `(${CLOCK_STATUSES.map((s) => `'${s}'`).join(', ')})`;

// Identifiers compare byte by byte ("C"): for UTF-8 that is code-point order, the same on every
// server whatever its locale, and btree inserts and lookups are about 20% faster than with a
// libc locale (measured; see README). Readers wanting a human sort can name a collation.
const KEY = 'text collate "C"';

const initialTables: SinkMigration = {
  name: '0001_initial_tables',
  async up(knex, schema) {
    const q = (table: string) => qualified(schema, table);
    const index = (name: string) => quoteIdentifier(name);
    await knex.raw(`
      create table ${q(T.readingWindow)} (
        id ${KEY} not null,
        instrument ${KEY} not null,
        borehole_number ${KEY} not null,
        window_start timestamptz not null,
        window_end timestamptz not null,
        reading_mean double precision not null,
        reading_min double precision not null,
        reading_max double precision not null,
        reading_count integer not null check (reading_count >= 1),
        first_timestamp timestamptz not null,
        last_timestamp timestamptz not null,
        unit text not null,
        surface_level double precision not null,
        northing double precision not null,
        easting double precision not null,
        trigger_level ${KEY} not null check (trigger_level in ${LEVELS}),
        schema_version smallint not null,
        written_at timestamptz not null default now(),
        constraint reading_window_pkey primary key (instrument, borehole_number, window_start),
        constraint reading_window_id_key unique (id)
      );
      -- Newest first across all types, and per type; id breaks ties for keyset pagination.
      create index ${index('reading_window_time_idx')}
        on ${q(T.readingWindow)} (window_start desc, id desc);
      create index ${index('reading_window_instrument_time_idx')}
        on ${q(T.readingWindow)} (instrument, window_start desc, id desc);
      -- Only windows at a trigger level: a small index for the "what is in alarm" views.
      create index ${index('reading_window_trigger_level_idx')}
        on ${q(T.readingWindow)} (trigger_level, window_start desc, id desc)
        where trigger_level <> 'none';

      create table ${q(T.alertEvent)} (
        id ${KEY} primary key,
        instrument ${KEY} not null,
        borehole_number ${KEY} not null,
        kind text not null check (kind in ('raise', 'clear')),
        direction text not null check (direction in ('rising', 'falling')),
        from_level text not null check (from_level in ${LEVELS}),
        to_level text not null check (to_level in ${LEVELS}),
        window_id ${KEY} not null,
        window_start timestamptz not null,
        window_end timestamptz not null,
        value double precision not null,
        threshold double precision,
        unit text not null,
        occurred_at timestamptz not null,
        schema_version smallint not null,
        payload jsonb not null,
        written_at timestamptz not null default now()
      );
      create index ${index('alert_event_instrument_time_idx')}
        on ${q(T.alertEvent)} (instrument, borehole_number, window_end desc);
      create index ${index('alert_event_time_idx')} on ${q(T.alertEvent)} (window_end desc);

      create table ${q(T.instrumentState)} (
        instrument ${KEY} not null,
        borehole_number ${KEY} not null,
        last_window_id ${KEY} not null,
        last_window_start timestamptz not null,
        last_window_end timestamptz not null,
        last_reading_mean double precision not null,
        last_reading_min double precision not null,
        last_reading_max double precision not null,
        last_reading_count integer not null,
        last_reading_at timestamptz not null,
        unit text not null,
        surface_level double precision not null,
        northing double precision not null,
        easting double precision not null,
        trigger_level ${KEY} not null check (trigger_level in ${LEVELS}),
        updated_at timestamptz not null default now(),
        primary key (instrument, borehole_number)
      );

      create table ${q(T.processorCheckpoint)} (
        consumer_group ${KEY} not null,
        topic ${KEY} not null,
        partition integer not null check (partition >= 0),
        next_offset bigint not null check (next_offset >= 0),
        state jsonb not null,
        updated_at timestamptz not null default now(),
        primary key (consumer_group, topic, partition)
      );

      -- The reference project's table, as a view: its psql queries keep working.
      create view ${q(T.recordView)} as
        select borehole_number, instrument, surface_level, northing, easting,
               reading_mean as reading, window_start as ts
        from ${q(T.readingWindow)};
    `);
  },
};

/**
 * Each instrument's clock health, as the stream-processor estimates it from the gap between its
 * readings' own timestamps and their Kafka record times (the log's clock): a logger sending
 * local time as UTC, or a clock that drifted, is reported here so someone fixes it.
 */
const instrumentClockHealth: SinkMigration = {
  name: '0002_instrument_clock_health',
  async up(knex, schema) {
    await knex.raw(`
      alter table ${qualified(schema, T.instrumentState)}
        add column clock_status text not null default 'ok'
          check (clock_status in ${CLOCK_STATUS_VALUES}),
        add column clock_offset_ms bigint;
    `);
  },
};

/**
 * Site drawings placed under the dashboard's plan view. The only table the dashboard writes
 * (an admin adds, moves and removes drawings), so it needs SELECT, INSERT, UPDATE and DELETE on
 * it and nothing else (the id is a uuid: no sequence to grant). The image is kept in the row
 * (bytea, at most a few MB each, a handful per site): one backup holds everything.
 */
const planUnderlay: SinkMigration = {
  name: '0003_plan_underlay',
  async up(knex, schema) {
    await knex.raw(`
      create table ${qualified(schema, T.planUnderlay)} (
        id uuid primary key default gen_random_uuid(),
        name text not null check (char_length(name) between 1 and 200),
        media_type text not null check (media_type in ('image/png', 'image/svg+xml')),
        image bytea not null,
        image_sha256 text not null,
        image_bytes integer not null check (image_bytes > 0),
        width double precision not null check (width > 0),
        height double precision not null check (height > 0),
        transform double precision[] not null check (array_length(transform, 1) = 6),
        control_points jsonb,
        opacity double precision not null default 1 check (opacity > 0 and opacity <= 1),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
    `);
  },
};

/**
 * Incremental checkpoints: the partition row keeps offsets, the log's clock and counters; each
 * instrument's state (open windows, clock, alert state) has its own row, rewritten only when the
 * instrument changed, so a checkpoint costs what changed, not what the partition holds.
 */
const instrumentCheckpoints: SinkMigration = {
  name: '0005_processor_instrument_checkpoints',
  async up(knex, schema) {
    await knex.raw(`
      create table ${qualified(schema, T.processorInstrumentCheckpoint)} (
        consumer_group ${KEY} not null,
        topic ${KEY} not null,
        partition integer not null check (partition >= 0),
        instrument_key ${KEY} not null,
        state jsonb not null,
        updated_at timestamptz not null default now(),
        primary key (consumer_group, topic, partition, instrument_key)
      );
    `);
  },
};

/**
 * Alarm events of every condition (#12): a rate of change, a silent instrument (no_data) and a
 * clock off (clock_skew) besides trigger levels. Those without a window or a value leave them
 * null; `payload` keeps the whole event.
 */
const alarmConditions: SinkMigration = {
  name: '0006_alarm_conditions',
  async up(knex, schema) {
    const table = qualified(schema, T.alertEvent);
    await knex.raw(`
      alter table ${table}
        add column condition text not null default 'level'
          check (condition in (${ALARM_CONDITIONS.map((c) => `'${c}'`).join(', ')})),
        alter column direction drop not null,
        alter column window_id drop not null,
        alter column window_start drop not null,
        alter column window_end drop not null,
        alter column value drop not null,
        alter column unit drop not null;
      create index ${quoteIdentifier('alert_event_occurred_idx')} on ${table} (occurred_at desc, id desc);
    `);
  },
};

/**
 * Room on every page for the tables rewritten row by row (#11): each checkpoint updates the
 * instrument rows that changed (at a live site, all of them) and each window burst every
 * instrument's state row. On pages packed full, PostgreSQL writes an updated row to another
 * page and adds an entry to every index of the table; with room left on the page it updates in
 * place (a heap-only tuple: no index entry) and reclaims the old version itself. 30,000
 * checkpoint rows of 0.5 kB upserted again and again (psql): about 1.8 s a round and 239 MB
 * packed full (29 updates of 180,000 in place), about 1.0 s and 117 MB at 70% (137,101 in
 * place). Pages written before this fill up to 70% from then on, as they are pruned.
 */
const roomForUpdates: SinkMigration = {
  name: '0007_room_for_updates',
  async up(knex, schema) {
    for (const table of UPDATED_IN_PLACE)
      await knex.raw(`alter table ${qualified(schema, table)} set (fillfactor = ${FILLFACTOR})`);
  },
};

/**
 * Each instrument's checkpoint state as the JSON text the processor wrote, not as jsonb (#11).
 * Nothing queries inside it; it is read back whole. jsonb parsed every row into its binary
 * form on the way in, which at a live site is every instrument every checkpoint: 30,000 rows of
 * 0.6 kB upserted took PostgreSQL 1.5 to 1.8 s as jsonb, 0.9 to 1.1 s as text (node-postgres,
 * alternated). The rows written before are converted in place (`state::text` is JSON too).
 */
const checkpointStateText: SinkMigration = {
  name: '0008_checkpoint_state_text',
  async up(knex, schema) {
    await knex.raw(
      `alter table ${qualified(schema, T.processorInstrumentCheckpoint)} ` +
        `alter column state type text using state::text`,
    );
  },
};

/**
 * A window's id is its instrument, borehole and start (`windowId`), the primary key's columns,
 * so the unique index on it guarded nothing the primary key did not, and nothing looks a window
 * up by id alone (the history pages order by id after the time, through their own indexes). It
 * was one of five indexes every window row is written into: 200,000 rows upserted by psql took
 * 3.4 to 3.6 s with it, 2.9 to 3.1 s without (alternated, 14% less). Dropping it is immediate.
 */
const dropRedundantWindowIdIndex: SinkMigration = {
  name: '0009_drop_redundant_window_id_index',
  async up(knex, schema) {
    await knex.raw(
      `alter table ${qualified(schema, T.readingWindow)} ` +
        `drop constraint if exists ${quoteIdentifier('reading_window_id_key')}`,
    );
  },
};

/** The tables whose rows are updated over and over, and the share of a page rows may fill. */
export const UPDATED_IN_PLACE = [
  T.processorInstrumentCheckpoint,
  T.processorCheckpoint,
  T.instrumentState,
] as const;
const FILLFACTOR = 70;

export const MIGRATIONS: readonly SinkMigration[] = [
  initialTables,
  instrumentClockHealth,
  planUnderlay,
  instrumentCheckpoints,
  alarmConditions,
  roomForUpdates,
  checkpointStateText,
  dropRedundantWindowIdIndex,
];

/** The knex migration source for one schema (the pipeline's list unless another is given). */
export function migrationSource(
  schema: string,
  migrations: readonly SinkMigration[] = MIGRATIONS,
): Knex.MigrationSource<SinkMigration> {
  return {
    getMigrations: async () => [...migrations],
    getMigrationName: (migration) => migration.name,
    getMigration: async (migration) => ({
      up: (knex: Knex) => migration.up(knex, schema),
      down: async () => {
        // Kappa: a new pipeline version writes a new schema instead of rolling back.
        throw new Error(`migration ${migration.name} cannot be rolled back; use a new schema`);
      },
    }),
  };
}
