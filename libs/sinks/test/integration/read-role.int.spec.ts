import { uniqueName } from '@geostream/platform/testing';
import { POSTGRES_TABLES, createPostgresSink } from '../../src';
import { inspector, services } from './services';

/**
 * migrate() creates the read and drawings roles and grants them each schema. Roles are
 * cluster-wide: schemas migrating at once (one per test, in parallel suites) race to create
 * them, and every one of them must succeed. Roles of this test's own, so the race is real and
 * the cleanup is safe.
 */
describe('the read and drawings roles', () => {
  const readRole = uniqueName('reader').replace(/-/g, '_');
  const drawingsRole = uniqueName('drawings').replace(/-/g, '_');
  const schemas = Array.from({ length: 4 }, () => uniqueName('sinks_role').replace(/-/g, '_'));
  const db = inspector();

  afterAll(async () => {
    for (const schema of schemas) await db.raw('drop schema if exists ?? cascade', [schema]);
    for (const role of [readRole, drawingsRole]) {
      await db.raw('drop owned by ??', [role]).catch(() => undefined);
      await db.raw('drop role if exists ??', [role]);
    }
    await db.destroy();
  });

  /** Every table of the schema (all of the migrations'), each role's privileges on it. */
  async function privileges(role: string, schema: string) {
    const { rows } = (await db.raw(
      `select c.relname as table,
              has_table_privilege(:role, c.oid, 'SELECT') as select,
              has_table_privilege(:role, c.oid, 'INSERT') as insert,
              has_table_privilege(:role, c.oid, 'UPDATE') as update,
              has_table_privilege(:role, c.oid, 'DELETE') as delete,
              has_table_privilege(:role, c.oid, 'TRUNCATE') as truncate
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = :schema and c.relkind in ('r', 'v')
        order by c.relname`,
      { role, schema },
    )) as { rows: Array<{ table: string } & Record<string, boolean>> };
    const schemaPrivileges = (await db.raw(
      `select has_schema_privilege(:role, :schema, 'USAGE') as usage,
              has_schema_privilege(:role, :schema, 'CREATE') as create`,
      { role, schema },
    )) as { rows: Array<Record<string, boolean>> };
    return { tables: rows, schema: schemaPrivileges.rows[0] };
  }

  it('are created once while several schemas migrate at once; the read role reads every table and writes none, the drawings role writes plan_underlay alone', async () => {
    const sinks = schemas.map((schema) =>
      createPostgresSink({
        connectionString: services.database.url,
        schema,
        readRole,
        drawingsRole,
      }),
    );
    try {
      await Promise.all(sinks.map((sink) => sink.migrate()));
      await Promise.all(sinks.map((sink) => sink.migrate())); // again: idempotent
    } finally {
      await Promise.all(sinks.map((sink) => sink.close()));
    }
    const { rows } = (await db.raw(
      'select rolname, rolcanlogin from pg_roles where rolname in (?, ?) order by rolname',
      [readRole, drawingsRole],
    )) as { rows: Array<{ rolname: string; rolcanlogin: boolean }> };
    expect(rows).toEqual(
      [drawingsRole, readRole].sort().map((rolname) => ({ rolname, rolcanlogin: false })),
    );

    const none = { select: false, insert: false, update: false, delete: false, truncate: false };
    const readOnly = { ...none, select: true };
    const readWrite = { select: true, insert: true, update: true, delete: true, truncate: false };
    for (const schema of schemas) {
      const reader = await privileges(readRole, schema);
      expect(reader.schema).toEqual({ usage: true, create: false });
      // Every table of every migration, main's later ones included (plan_underlay, the
      // instrument checkpoints, ...): at least the ones the package names.
      expect(reader.tables.map((t) => t.table)).toEqual(
        expect.arrayContaining(Object.values(POSTGRES_TABLES)),
      );
      for (const { table, ...granted } of reader.tables) {
        expect({ table, ...granted }).toEqual({ table, ...readOnly });
      }

      const drawings = await privileges(drawingsRole, schema);
      expect(drawings.schema).toEqual({ usage: true, create: false });
      for (const { table, ...granted } of drawings.tables) {
        const expected = table === POSTGRES_TABLES.planUnderlay ? readWrite : none;
        expect({ table, ...granted }).toEqual({ table, ...expected });
      }
    }
    // A table a later migration adds is readable too (default privileges), not writable by the
    // drawings role.
    await db.raw('create table ??.later (x int)', [schemas[0] as string]);
    const later = (await db.raw(
      'select has_table_privilege(?, ?, ?) as read, has_table_privilege(?, ?, ?) as write',
      [
        readRole,
        `"${schemas[0]}".later`,
        'SELECT',
        drawingsRole,
        `"${schemas[0]}".later`,
        'INSERT',
      ],
    )) as { rows: Array<{ read: boolean; write: boolean }> };
    expect(later.rows[0]).toEqual({ read: true, write: false });
  });

  it('refuses a drawings role that is the read role', () => {
    expect(() =>
      createPostgresSink({
        connectionString: services.database.url,
        readRole: 'same_role',
        drawingsRole: 'same_role',
      }),
    ).toThrow(/readRole and drawingsRole must differ/);
  });
});
