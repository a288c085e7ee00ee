import type { Knex } from 'knex';
import { POSTGRES_TABLES as T } from '@geostream/sinks';
import { REGISTRY_TABLES } from './registry';
import { qualifiedName, quoted } from './sql';

/** SQLSTATE of `create or replace view` with other columns than the view has. */
const INVALID_TABLE_DEFINITION = '42P16';

/** What readers read in the read schema: a view per output table, pointing at one version. */
export const READ_VIEWS = [T.readingWindow, T.alertEvent, T.instrumentState, T.recordView] as const;

/**
 * The statements that point every view of the read schema at one version's tables. `create or
 * replace view` swaps a view's definition in place (every version has the same columns, from the
 * same migrations), so a reader never finds a view missing: a query waits for the transaction
 * and then reads the new version.
 */
export function pointViewsStatements(readSchema: string, versionSchema: string): string[] {
  return READ_VIEWS.map(
    (table) =>
      `create or replace view ${qualifiedName(readSchema, table)} as ` +
      `select * from ${qualifiedName(versionSchema, table)}`,
  );
}

/**
 * Site drawings (plan_underlay) are the dashboard's own data, not derived from the log: they
 * must not change with a switch. The read schema holds them in a real table, created on the
 * first switch as a copy of the first version's (with its drawings), and never moved.
 */
export function drawingsTableStatements(readSchema: string, firstSchema: string): string[] {
  const table = qualifiedName(readSchema, T.planUnderlay);
  return [
    `create table ${table} (like ${qualifiedName(firstSchema, T.planUnderlay)} including all)`,
    `insert into ${table} select * from ${qualifiedName(firstSchema, T.planUnderlay)}`,
  ];
}

export function grantStatements(
  readSchema: string,
  roles: { readRole: string; drawingsRole: string },
): string[] {
  const s = quoted(readSchema);
  const reader = quoted(roles.readRole);
  const drawings = quoted(roles.drawingsRole);
  return [
    `grant usage on schema ${s} to ${reader}, ${drawings}`,
    `grant select on all tables in schema ${s} to ${reader}`,
    `grant select, insert, update, delete on ${qualifiedName(readSchema, T.planUnderlay)} to ${drawings}`,
  ];
}

/**
 * Points the read schema at `versionSchema` and records the switch, in ONE transaction: readers
 * see the old version or the new one, never a mix, and the registry says what they see. The
 * pointer row is locked first, so switches run one at a time; `whileLocked` (the search
 * aliases' move) runs under that lock, before any view is touched, with the version readers see
 * now. Returns that version, now the previous one.
 */
export async function switchReadSchema(
  db: Knex,
  options: {
    readSchema: string;
    version: string;
    versionSchema: string;
    roles: { readRole: string; drawingsRole: string };
    whileLocked?: (current: string | null) => Promise<void>;
  },
): Promise<{ previous: string | null }> {
  const { readSchema } = options;
  return db.transaction(async (trx) => {
    const pointer = await trx(REGISTRY_TABLES.pointer)
      .withSchema(readSchema)
      .forUpdate()
      .first<{ current: string | null; previous: string | null }>('current', 'previous');
    const current = pointer?.current ?? null;
    await options.whileLocked?.(current);
    const drawings = await trx.raw<{ rows: { present: boolean }[] }>(
      'select to_regclass(?) is not null as present',
      [qualifiedName(readSchema, T.planUnderlay)],
    );
    if (!drawings.rows[0]?.present)
      for (const statement of drawingsTableStatements(readSchema, options.versionSchema))
        await trx.raw(statement);
    for (const [i, statement] of pointViewsStatements(
      readSchema,
      options.versionSchema,
    ).entries()) {
      try {
        // A savepoint: a version with other columns (a later migration) cannot replace the view
        // in place; it is dropped and created instead, still inside this one transaction.
        await trx.transaction((savepoint) => savepoint.raw(statement));
      } catch (error) {
        if ((error as { code?: string }).code !== INVALID_TABLE_DEFINITION) throw error;
        const view = qualifiedName(readSchema, READ_VIEWS[i] ?? '');
        await trx.raw(`drop view ${view}`);
        await trx.raw(statement);
      }
    }
    for (const statement of grantStatements(readSchema, options.roles)) await trx.raw(statement);
    const previous = current === options.version ? (pointer?.previous ?? null) : current;
    await trx(REGISTRY_TABLES.pointer)
      .withSchema(readSchema)
      .update({ current: options.version, previous, switched_at: trx.fn.now() });
    return { previous };
  });
}
