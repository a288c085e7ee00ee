/**
 * A schema name, checked once when the sink is built. Any name PostgreSQL accepts is fine
 * (uniqueName() gives 'sinks-test-1a2b...', with a hyphen), because every use is quoted.
 */
export function schemaNameProblem(schema: string): string | undefined {
  if (schema.length === 0) return 'schema must not be empty';
  // NAMEDATALEN - 1: PostgreSQL would silently truncate a longer name.
  if (Buffer.byteLength(schema, 'utf8') > 63) return 'schema must be at most 63 bytes';
  if (schema.includes('\u0000')) return 'schema must not contain NUL';
  if (schema.startsWith('pg_')) return "schema must not start with 'pg_' (reserved)";
  return undefined;
}

/** A double-quoted SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** "schema"."table" */
export function qualified(schema: string, table: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}
