/** A PostgreSQL identifier, quoted (names are checked plain identifiers; quoted all the same). */
export function quoted(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

export function qualifiedName(schema: string, table: string): string {
  return `${quoted(schema)}.${quoted(table)}`;
}
