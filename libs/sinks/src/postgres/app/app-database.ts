import knexFactory, { type Knex } from 'knex';
import { quoteIdentifier } from '../identifiers';

export interface AppDatabaseOptions {
  readonly connectionString: string;
  /** APP_PG_SCHEMA: the search_path. */
  readonly schema: string;
  /** APP_PG_ROLE: every pooled connection acts as it (see grantAppRole). */
  readonly role: string;
  readonly poolMax?: number;
  readonly applicationName: string;
  readonly statementTimeoutMs?: number;
}

/**
 * knex for the app schema, acting as the app role on every connection: whatever the login role
 * may do, the apps' work on users, alarms and notifications runs with the app role's grants
 * only (no UPDATE or DELETE on the audit log). Migrate first with a connection of the login role
 * (migrateAppSchema), which creates the role.
 */
export function createAppDatabase(options: AppDatabaseOptions): Knex {
  const role = quoteIdentifier(options.role);
  return knexFactory({
    client: 'pg',
    connection: {
      connectionString: options.connectionString,
      application_name: options.applicationName,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      keepAlive: true,
    } as Knex.PgConnectionConfig,
    searchPath: [options.schema],
    pool: {
      min: 0,
      max: options.poolMax ?? 5,
      afterCreate: (
        connection: { query(sql: string, done: (error: Error | null) => void): void },
        done: (error: Error | null, connection: unknown) => void,
      ) => connection.query(`set role ${role}`, (error) => done(error, connection)),
    },
  });
}
