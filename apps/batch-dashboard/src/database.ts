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
  // A lower-case identifier (checked with the configuration), quoted all the same.
  const role = `"${readRole.replace(/"/g, '""')}"`;
  return knex({
    client: 'pg',
    connection: {
      connectionString: settings.url,
      statement_timeout: 30_000,
      application_name: 'batch-dashboard',
    } as never,
    searchPath: [schema],
    pool: {
      min: 0,
      max: settings.poolMax,
      afterCreate: (
        connection: { query(sql: string, done: (error: Error | null) => void): void },
        done: (error: Error | null, connection: unknown) => void,
      ) => {
        connection.query(`set role ${role}; set default_transaction_read_only = on`, (error) =>
          done(error, connection),
        );
      },
    },
  });
}
