import knexFactory, { type Knex } from 'knex';
import { ALARM_STATES, AUDIT_ACTIONS } from '@geostream/alerting';
import {
  ALARM_CONDITIONS,
  INSTRUMENT_TYPES,
  TRIGGER_DIRECTIONS,
  TRIGGER_LEVELS,
} from '@geostream/instrument-schemas';
import { qualified, quoteIdentifier } from '../identifiers';
import { migrateSerialised } from '../migrate-serialised';
import type { SinkMigration } from '../migrations';
import { ensureRole } from '../roles';
import {
  ALARM_EVENT_STATUSES,
  APP_MIGRATIONS_TABLE,
  APP_TABLES as T,
  NOTIFICATION_CHANNELS,
  NOTIFICATION_STATUSES,
  USER_ROLES,
} from './app-tables';

/**
 * The app schema's migrations: a list of their own, apart from the pipeline's (which a Kappa
 * run replays into a versioned schema; this one is never versioned). Whichever app starts first
 * runs them, under an advisory lock. Never edit a released migration: add the next one.
 */

/** `('a', 'b')` of constants (never of input). */
const list = (values: readonly string[]) => `(${values.map((v) => `'${v}'`).join(', ')})`;
const KEY = 'text collate "C"';

const initialAppTables: SinkMigration = {
  name: '0001_users_alarms_audit_notifications',
  async up(knex, schema) {
    const q = (table: string) => qualified(schema, table);
    const name = quoteIdentifier;
    const levels = list(TRIGGER_LEVELS);
    const raisedLevels = list(TRIGGER_LEVELS.filter((l) => l !== 'none'));
    await knex.raw(`
      create table ${q(T.user)} (
        username ${KEY} primary key check (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
        display_name text not null check (length(display_name) between 1 and 200),
        role text not null check (role in ${list(USER_ROLES)}),
        password_hash text not null,
        disabled boolean not null default false,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        password_changed_at timestamptz not null default now()
      );

      -- The cookie holds a random token; only its SHA-256 is stored, so a copy of this table
      -- signs nobody in.
      create table ${q(T.session)} (
        token_hash ${KEY} primary key,
        username ${KEY} not null references ${q(T.user)} (username) on delete cascade,
        csrf_token text not null,
        created_at timestamptz not null default now(),
        last_seen_at timestamptz not null default now(),
        expires_at timestamptz not null,
        revoked_at timestamptz,
        ip text,
        user_agent text
      );
      create index ${name('user_session_username_idx')} on ${q(T.session)} (username);

      create table ${q(T.loginThrottle)} (
        key ${KEY} primary key,
        failures integer not null check (failures >= 0),
        window_started_at timestamptz not null,
        locked_until timestamptz
      );

      create table ${q(T.alarm)} (
        point ${KEY} primary key,
        alarm_id ${KEY} not null unique,
        condition text not null check (condition in ${list(ALARM_CONDITIONS)}),
        instrument ${KEY} not null check (instrument in ${list(INSTRUMENT_TYPES)}),
        borehole_number ${KEY} not null,
        direction text check (direction in ${list(TRIGGER_DIRECTIONS)}),
        state text not null check (state in ${list(ALARM_STATES)}),
        level text not null check (level in ${levels}),
        peak_level text not null check (peak_level in ${levels}),
        raised_at timestamptz not null,
        cleared_at timestamptz,
        acknowledged_by text,
        acknowledged_at timestamptz,
        shelved_until timestamptz,
        shelved_by text,
        shelved_reason text,
        last_event_id ${KEY} not null,
        last_event_at timestamptz not null,
        lifecycle jsonb not null,
        updated_at timestamptz not null default now()
      );
      create index ${name('alarm_open_idx')} on ${q(T.alarm)} (raised_at desc)
        where state <> 'closed';
      create index ${name('alarm_shelved_idx')} on ${q(T.alarm)} (shelved_until)
        where shelved_until is not null;

      create table ${q(T.alarmEvent)} (
        event_id ${KEY} primary key,
        point ${KEY} not null,
        kind text not null check (kind in ('raise', 'clear')),
        from_level text not null check (from_level in ${levels}),
        to_level text not null check (to_level in ${levels}),
        occurred_at timestamptz not null,
        status text not null check (status in ${list(ALARM_EVENT_STATUSES)}),
        source text not null,
        payload jsonb not null,
        received_at timestamptz not null default now(),
        settled_at timestamptz
      );
      create index ${name('alarm_event_parked_idx')} on ${q(T.alarmEvent)} (point, occurred_at)
        where status = 'parked';

      create table ${q(T.alarmAudit)} (
        id bigint generated always as identity primary key,
        alarm_id ${KEY} not null,
        point ${KEY} not null,
        condition text not null check (condition in ${list(ALARM_CONDITIONS)}),
        instrument ${KEY} not null,
        borehole_number ${KEY} not null,
        action text not null check (action in ${list(AUDIT_ACTIONS)}),
        at timestamptz not null,
        actor text not null,
        comment text,
        from_state text check (from_state in ${list(ALARM_STATES)}),
        to_state text not null check (to_state in ${list(ALARM_STATES)}),
        from_level text not null check (from_level in ${levels}),
        to_level text not null check (to_level in ${levels}),
        shelved_until timestamptz,
        event_id ${KEY} unique,
        lifecycle jsonb not null,
        recorded_at timestamptz not null default now()
      );
      create index ${name('alarm_audit_alarm_idx')} on ${q(T.alarmAudit)} (alarm_id, id);
      create index ${name('alarm_audit_instrument_idx')}
        on ${q(T.alarmAudit)} (instrument, borehole_number, id desc);
      create index ${name('alarm_audit_at_idx')} on ${q(T.alarmAudit)} (at desc, id desc);

      -- Append-only, whoever asks: the app role has no UPDATE or DELETE grant, and this
      -- trigger refuses them (and TRUNCATE) for the owner too.
      create function ${q('alarm_audit_append_only')}() returns trigger
        language plpgsql as $$
        begin
          raise exception '% of alarm_audit refused: the audit log is append-only', tg_op
            using errcode = 'insufficient_privilege';
        end $$;
      create trigger ${name('alarm_audit_no_update_or_delete')}
        before update or delete on ${q(T.alarmAudit)}
        for each row execute function ${q('alarm_audit_append_only')}();
      create trigger ${name('alarm_audit_no_truncate')}
        before truncate on ${q(T.alarmAudit)}
        for each statement execute function ${q('alarm_audit_append_only')}();

      create table ${q(T.notificationRoute)} (
        id bigint generated always as identity primary key,
        name text not null check (length(name) between 1 and 200),
        channel text not null check (channel in ${list(NOTIFICATION_CHANNELS)}),
        target text not null check (length(target) between 1 and 2000),
        secret text,
        min_level text not null default 'alert' check (min_level in ${raisedLevels}),
        conditions text[],
        instrument_types text[],
        actions text[] not null default '{raise,clear}',
        enabled boolean not null default true,
        created_by text not null,
        created_at timestamptz not null default now(),
        check (channel <> 'webhook' or secret is not null)
      );

      create table ${q(T.notificationOutbox)} (
        id bigint generated always as identity primary key,
        audit_id bigint not null references ${q(T.alarmAudit)} (id),
        route_id bigint not null,
        route_name text not null,
        channel text not null check (channel in ${list(NOTIFICATION_CHANNELS)}),
        target text not null,
        alarm_id ${KEY} not null,
        idempotency_key text not null,
        payload jsonb not null,
        status text not null default 'pending' check (status in ${list(NOTIFICATION_STATUSES)}),
        attempts integer not null default 0,
        next_attempt_at timestamptz not null default now(),
        claimed_until timestamptz,
        last_attempt_at timestamptz,
        last_error text,
        sent_at timestamptz,
        created_at timestamptz not null default now(),
        unique (audit_id, route_id)
      );
      create index ${name('notification_outbox_due_idx')}
        on ${q(T.notificationOutbox)} (next_attempt_at) where status in ('pending', 'failing');

      create table ${q(T.searchOutbox)} (
        audit_id bigint primary key references ${q(T.alarmAudit)} (id)
      );
    `);
  },
};

/**
 * Admins' trigger-level changes. The change table is the audit (append-only, as alarm_audit);
 * the outbox holds the ids still to be written to the raw topic, where the processor reads them
 * in log order (see @geostream/instrument-schemas, level-changes).
 */
const triggerLevelChanges: SinkMigration = {
  name: '0002_trigger_level_changes',
  async up(knex, schema) {
    const q = (table: string) => qualified(schema, table);
    const name = quoteIdentifier;
    await knex.raw(`
      create table ${q(T.levelChange)} (
        id bigint generated always as identity primary key,
        instrument ${KEY} not null check (instrument in ${list(INSTRUMENT_TYPES)}),
        borehole_number ${KEY},
        trigger_levels jsonb,
        changed_by text not null,
        changed_at timestamptz not null default now(),
        comment text not null check (length(comment) between 1 and 2000)
      );
      create index ${name('trigger_level_change_scope_idx')}
        on ${q(T.levelChange)} (instrument, borehole_number, id desc);
      create function ${q('trigger_level_change_append_only')}() returns trigger
        language plpgsql as $$
        begin
          raise exception '% of trigger_level_change refused: level changes are append-only',
            tg_op using errcode = 'insufficient_privilege';
        end $$;
      create trigger ${name('trigger_level_change_no_update_or_delete')}
        before update or delete on ${q(T.levelChange)}
        for each row execute function ${q('trigger_level_change_append_only')}();
      create trigger ${name('trigger_level_change_no_truncate')}
        before truncate on ${q(T.levelChange)}
        for each statement execute function ${q('trigger_level_change_append_only')}();

      create table ${q(T.levelOutbox)} (
        change_id bigint primary key references ${q(T.levelChange)} (id)
      );
    `);
  },
};

export const APP_MIGRATIONS: readonly SinkMigration[] = [initialAppTables, triggerLevelChanges];

/** What the app role may do to each table: everything but change or remove audit entries. */
const APP_ROLE_PRIVILEGES: ReadonlyArray<readonly [string, string]> = [
  [T.user, 'select, insert, update, delete'],
  [T.session, 'select, insert, update, delete'],
  [T.loginThrottle, 'select, insert, update, delete'],
  [T.alarm, 'select, insert, update'],
  [T.alarmEvent, 'select, insert, update'],
  [T.alarmAudit, 'select, insert'],
  [T.notificationRoute, 'select, insert, update, delete'],
  [T.notificationOutbox, 'select, insert, update'],
  [T.searchOutbox, 'select, insert, delete'],
  [T.levelChange, 'select, insert'],
  [T.levelOutbox, 'select, insert, delete'],
];

/**
 * Creates the app role if absent (NOLOGIN: the apps log in as a member and SET ROLE; the login
 * role that migrates is made a member: ensureRole, as for the output roles) and grants it its
 * privileges on one app schema. Run after the migrations on every start, so a renamed role is
 * granted too.
 */
export async function grantAppRole(knex: Knex, schema: string, role: string): Promise<void> {
  const r = await ensureRole(knex, role);
  await knex.raw(`
    grant usage on schema ${quoteIdentifier(schema)} to ${r};
    ${APP_ROLE_PRIVILEGES.map(
      ([table, privileges]) =>
        `revoke all on ${qualified(schema, table)} from ${r};
    grant ${privileges} on ${qualified(schema, table)} to ${r};`,
    ).join('\n    ')}
    grant usage on all sequences in schema ${quoteIdentifier(schema)} to ${r};
  `);
}

/**
 * Creates the app schema and its tables if absent (serialised across instances), then grants
 * the app role. Safe on every start of every app. Connects as the login role (which must be
 * allowed to create the schema and the role) on a pool of its own, closed before it returns.
 * Returns the migrations applied now.
 */
export async function migrateAppSchema(options: {
  readonly connectionString: string;
  readonly schema: string;
  readonly role: string;
}): Promise<string[]> {
  const knex = knexFactory({
    client: 'pg',
    connection: {
      connectionString: options.connectionString,
      application_name: 'geostream-migrate',
    },
    pool: { min: 0, max: 2 },
  });
  try {
    return await migrateSerialised(knex, {
      schema: options.schema,
      lockName: 'geostream-app:migrate',
      migrations: APP_MIGRATIONS,
      tableName: APP_MIGRATIONS_TABLE,
      after: (k) => grantAppRole(k, options.schema, options.role),
    });
  } finally {
    await knex.destroy();
  }
}
