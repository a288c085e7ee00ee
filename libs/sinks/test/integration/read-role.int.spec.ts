import { uniqueName } from '@geostream/platform/testing';
import { createPostgresSink } from '../../src';
import { inspector, services } from './services';

/**
 * migrate() creates the read role and grants it each schema. Roles are cluster-wide: schemas
 * migrating at once (one per test, in parallel suites) race to create it, and every one of them
 * must succeed. A role of this test's own, so the race is real and the cleanup is safe.
 */
describe('the read role', () => {
  const role = uniqueName('reader').replace(/-/g, '_');
  const schemas = Array.from({ length: 4 }, () => uniqueName('sinks_role').replace(/-/g, '_'));
  const db = inspector();

  afterAll(async () => {
    for (const schema of schemas) await db.raw('drop schema if exists ?? cascade', [schema]);
    await db.raw('drop owned by ??', [role]).catch(() => undefined);
    await db.raw('drop role if exists ??', [role]);
    await db.destroy();
  });

  it('is created once while several schemas migrate at once, and may read each of them, not write', async () => {
    const sinks = schemas.map((schema) =>
      createPostgresSink({ connectionString: services.database.url, schema, readRole: role }),
    );
    try {
      await Promise.all(sinks.map((sink) => sink.migrate()));
      await Promise.all(sinks.map((sink) => sink.migrate())); // again: idempotent
    } finally {
      await Promise.all(sinks.map((sink) => sink.close()));
    }
    const { rows } = (await db.raw('select rolcanlogin from pg_roles where rolname = ?', [
      role,
    ])) as { rows: Array<{ rolcanlogin: boolean }> };
    expect(rows).toEqual([{ rolcanlogin: false }]);

    for (const schema of schemas) {
      const privileges = (await db.raw(
        `select has_schema_privilege(:role, :schema, 'USAGE') as usage,
                has_table_privilege(:role, :table, 'SELECT') as select,
                has_table_privilege(:role, :table, 'INSERT') as insert,
                has_table_privilege(:role, :table, 'UPDATE') as update,
                has_table_privilege(:role, :table, 'DELETE') as delete,
                has_schema_privilege(:role, :schema, 'CREATE') as create`,
        { role, schema, table: `"${schema}".reading_window` },
      )) as { rows: Array<Record<string, boolean>> };
      expect(privileges.rows[0]).toEqual({
        usage: true,
        select: true,
        insert: false,
        update: false,
        delete: false,
        create: false,
      });
    }
    // A table a later migration adds is readable too (default privileges).
    await db.raw('create table ??.later (x int)', [schemas[0] as string]);
    const later = (await db.raw('select has_table_privilege(?, ?, ?) as select', [
      role,
      `"${schemas[0]}".later`,
      'SELECT',
    ])) as { rows: Array<{ select: boolean }> };
    expect(later.rows[0]?.select).toBe(true);
  });
});
