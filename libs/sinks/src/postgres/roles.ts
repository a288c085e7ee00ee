import type { Knex } from 'knex';
import { POSTGRES_IDENTIFIER } from '@geostream/platform';
import { qualified, quoteIdentifier } from './identifiers';
import { POSTGRES_TABLES as T } from './tables';

/**
 * The roles readers of the outputs use, each with the least it needs (see README, "Roles"):
 * - the read role (PG_READ_ROLE, default geostream_reader): what the dashboard sets on every
 *   connection. USAGE on the schema, SELECT on its tables and views and on the tables created
 *   later in it (default privileges of the migrating role, which creates them); nothing more.
 * - the drawings role (PG_DRAWINGS_ROLE, default geostream_drawings_writer): what the
 *   dashboard's admin routes set to store site drawings. USAGE on the schema, and SELECT,
 *   INSERT, UPDATE, DELETE on plan_underlay alone: the one table the dashboard writes.
 * Created NOLOGIN: a client logs in as a member and sets the role, or an administrator gives it
 * LOGIN and a password.
 */
export interface OutputRoles {
  readonly readRole: string;
  readonly drawingsRole: string;
}

/**
 * Makes sure of both roles and grants them one schema. Idempotent; run by migrate() after the
 * migrations every time, so a renamed role or an older schema is granted too.
 */
export async function grantOutputRoles(
  knex: Knex,
  schema: string,
  roles: OutputRoles,
): Promise<void> {
  const reader = await ensureRole(knex, roles.readRole);
  const drawings = await ensureRole(knex, roles.drawingsRole);
  const s = quoteIdentifier(schema);
  await knex.raw(`
    grant usage on schema ${s} to ${reader}, ${drawings};
    grant select on all tables in schema ${s} to ${reader};
    alter default privileges in schema ${s} grant select on tables to ${reader};
    grant select, insert, update, delete on ${qualified(schema, T.planUnderlay)} to ${drawings};
  `);
}

/**
 * Creates the role NOLOGIN if absent and makes the migrating role a member (so a client logging
 * in as it can SET ROLE); returns it quoted. Roles are cluster-wide and CREATE ROLE is not
 * transactional against other sessions: several schemas migrating at once (one per test) race
 * to create it, so the losers' duplicate_object (or unique_violation on the catalogue) is
 * expected.
 */
export async function ensureRole(knex: Knex, role: string): Promise<string> {
  if (!POSTGRES_IDENTIFIER.test(role))
    throw new Error(`role ${JSON.stringify(role)} is not a plain identifier`);
  const r = quoteIdentifier(role);
  await knex.raw(`
    do $$
    begin
      create role ${r} nologin;
    exception when duplicate_object or unique_violation then null;
    end $$;
    do $$
    begin
      grant ${r} to current_user;
    exception when duplicate_object or unique_violation or insufficient_privilege or invalid_grant_operation then null;
    end $$;
  `);
  return r;
}
