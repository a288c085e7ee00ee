import type { Knex } from 'knex';
import { quoteIdentifier } from './identifiers';
import { migrationSource, type SinkMigration } from './migrations';

export interface SerialisedMigration {
  readonly schema: string;
  /** Names the advisory lock with the schema: one lock per list and schema. */
  readonly lockName: string;
  readonly migrations: readonly SinkMigration[];
  /** knex's bookkeeping table, inside the schema. */
  readonly tableName: string;
  /** Runs under the same lock after the migrations (idempotent grants, for instance). */
  readonly after?: (knex: Knex) => Promise<void>;
}

/**
 * Several instances (or apps) start at once: a transaction-scoped advisory lock per schema makes
 * them migrate one after another (knex's own lock table would make the second fail). The lock
 * is held on one connection while the migrator uses another, so the pool needs two.
 * Returns the names of the migrations applied now.
 */
export async function migrateSerialised(
  knex: Knex,
  options: SerialisedMigration,
): Promise<string[]> {
  const { schema } = options;
  return knex.transaction(async (lock) => {
    await lock.raw('select pg_advisory_xact_lock(hashtext(?))', [`${options.lockName}:${schema}`]);
    await knex.raw(`create schema if not exists ${quoteIdentifier(schema)}`);
    const [, applied] = (await knex.migrate.latest({
      migrationSource: migrationSource(schema, options.migrations),
      schemaName: schema,
      tableName: options.tableName,
    })) as [number, string[]];
    await options.after?.(knex);
    return applied;
  });
}
