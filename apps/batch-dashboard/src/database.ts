import knex, { type Knex } from 'knex';
import type { DatabaseSettings } from '@geostream/platform';

/**
 * The dashboard's PostgreSQL access, read-only: every pooled connection sets the read role
 * (PG_READ_ROLE, which the sinks' migrations create and grant SELECT on the schema) and makes
 * its transactions read-only, so whatever the dashboard is made to run, it cannot write, even
 * when DATABASE_URL logs in as the role that owns the tables. The login role must be a member of
 * the read role (the migrating role is made one; a superuser always is); or log in as the read
 * role itself once an administrator gives it LOGIN and a password. The search_path is the schema
 * the stream-processor writes (PG_SCHEMA), so switching to a reprocessed, versioned schema is a
 * configuration change. Queries time out rather than pile up behind a slow one.
 */
export function createDatabase(settings: DatabaseSettings, schema: string, readRole: string): Knex {
  return connectAs(settings, schema, {
    role: readRole,
    readOnly: true,
    poolMax: settings.poolMax,
    name: 'batch-dashboard',
  });
}

/** Connections of the drawings writer: site drawings are stored rarely, by an admin. */
const DRAWINGS_POOL_MAX = 2;

/**
 * The one connection pool the dashboard writes through: the admin routes storing site drawings
 * (plan_underlay). Every connection sets the drawings role (PG_DRAWINGS_ROLE), which the sinks'
 * migrations grant SELECT, INSERT, UPDATE and DELETE on plan_underlay and nothing else: a bug
 * in a drawing route can touch drawings alone, and every other route reads through the
 * read-only connections of createDatabase. The same login (DATABASE_URL) as those, a member of
 * both roles.
 */
export function createDrawingsWriter(
  settings: DatabaseSettings,
  schema: string,
  drawingsRole: string,
): Knex {
  return connectAs(settings, schema, {
    role: drawingsRole,
    readOnly: false,
    poolMax: DRAWINGS_POOL_MAX,
    name: 'batch-dashboard-drawings',
  });
}

function connectAs(
  settings: DatabaseSettings,
  schema: string,
  as: { role: string; readOnly: boolean; poolMax: number; name: string },
): Knex {
  // A lower-case identifier (checked with the configuration), quoted all the same.
  const role = `"${as.role.replace(/"/g, '""')}"`;
  const setup = `set role ${role}${as.readOnly ? '; set default_transaction_read_only = on' : ''}`;
  return knex({
    client: 'pg',
    connection: {
      connectionString: settings.url,
      statement_timeout: 30_000,
      application_name: as.name,
    } as never,
    searchPath: [schema],
    pool: {
      min: 0,
      max: as.poolMax,
      afterCreate: (
        connection: { query(sql: string, done: (error: Error | null) => void): void },
        done: (error: Error | null, connection: unknown) => void,
      ) => {
        connection.query(setup, (error) => done(error, connection));
      },
    },
  });
}
