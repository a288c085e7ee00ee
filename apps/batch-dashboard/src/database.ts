import knex, { type Knex } from 'knex';
import type { DatabaseSettings } from '@geostream/platform';

/**
 * The dashboard's read-only PostgreSQL access: knex with its search_path set to the schema the
 * stream-processor writes (PG_SCHEMA), so switching to a reprocessed, versioned schema is a
 * configuration change. Queries time out rather than pile up behind a slow one.
 */
export function createDatabase(settings: DatabaseSettings, schema: string): Knex {
  return knex({
    client: 'pg',
    connection: {
      connectionString: settings.url,
      statement_timeout: 30_000,
      application_name: 'batch-dashboard',
    } as never,
    searchPath: [schema],
    pool: { min: 0, max: settings.poolMax },
  });
}
