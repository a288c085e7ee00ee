import type { Context } from '../context';
import { ReprocessError } from '../errors';
import { findVersion, type VersionRow } from '../registry';

/** The registered version of that name, or a refusal. */
export async function requireVersion(ctx: Context, name: string): Promise<VersionRow> {
  const row = await findVersion(ctx.db, ctx.config.readSchema, name);
  if (row === undefined)
    throw new ReprocessError(
      'REPROCESS_VERSION_UNKNOWN',
      `no version ${JSON.stringify(name)} (see \`reprocess list\`)`,
    );
  return row;
}

export async function schemaExists(ctx: Context, schema: string): Promise<boolean> {
  const result = await ctx.db.raw<{ rows: unknown[] }>(
    'select 1 from pg_namespace where nspname = ?',
    [schema],
  );
  return result.rows.length > 0;
}
