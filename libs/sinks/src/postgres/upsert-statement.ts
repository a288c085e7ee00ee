import { qualified, quoteIdentifier } from './identifiers';

/** PostgreSQL's hard limit on bind parameters in one statement (a 16-bit count). */
export const MAX_BIND_PARAMETERS = 65_535;

export type ColumnType = 'text' | 'timestamptz' | 'float8' | 'int2' | 'int4' | 'int8' | 'jsonb';

/** How one table is upserted: the same ON CONFLICT clause whichever way rows are sent. */
export interface UpsertColumn<Row> {
  readonly name: keyof Row & string;
  readonly type: ColumnType;
  /** A text column holding a JSON value: serialised here like a jsonb one. */
  readonly json?: true;
}

export interface UpsertSpec<Row> {
  readonly table: string;
  readonly columns: ReadonlyArray<UpsertColumn<Row>>;
  readonly conflictKey: readonly (keyof Row & string)[];
  /** Set to now() on insert and on every overwrite. */
  readonly touchedColumn?: string;
  /** Extra condition for an overwrite, e.g. only moving forward in time. */
  readonly overwriteWhen?: string;
}

export interface Statement {
  readonly sql: string;
  readonly bindings: unknown[];
}

function conflictClause<Row>(spec: UpsertSpec<Row>, alias: string): string {
  const key = new Set<string>(spec.conflictKey);
  const sets = spec.columns
    .filter((c) => !key.has(c.name))
    .map((c) => `${quoteIdentifier(c.name)} = excluded.${quoteIdentifier(c.name)}`);
  if (spec.touchedColumn) sets.push(`${quoteIdentifier(spec.touchedColumn)} = now()`);
  const where = spec.overwriteWhen ? ` where ${spec.overwriteWhen.replace(/\$table/g, alias)}` : '';
  return (
    ` on conflict (${spec.conflictKey.map(quoteIdentifier).join(', ')})` +
    ` do update set ${sets.join(', ')}${where}`
  );
}

/**
 * A cell as sent: a JSON value (jsonb, or text marked json) that is not text yet is serialised
 * here, one statement's rows at a time, so a checkpoint of many instruments never exists as
 * text all at once (and an array value is not taken by the driver for a PostgreSQL array).
 */
function cell<Row>(column: UpsertColumn<Row>, value: unknown): unknown {
  return (column.type === 'jsonb' || column.json === true) &&
    typeof value !== 'string' &&
    value !== null &&
    value !== undefined
    ? JSON.stringify(value)
    : value;
}

function insertHead<Row>(schema: string, spec: UpsertSpec<Row>, alias: string): string {
  const names = spec.columns.map((c) => quoteIdentifier(c.name)).join(', ');
  return `insert into ${qualified(schema, spec.table)} as ${alias} (${names})`;
}

const QUOTE_OR_BACKSLASH = /["\\]/;
const QUOTES_AND_BACKSLASHES = /["\\]/g;

/**
 * One column's values as a PostgreSQL array literal, the text node-postgres would send for the
 * JS array: numbers bare, text always double-quoted (so empty, NULL-like or blank-holding text
 * needs no test), a quote or backslash in it escaped, null and undefined as NULL. Built here
 * because node-postgres runs two regular expressions over every element and knex then walks
 * the arrays for undefined: 3 to 4 times as long for the same 20,000 window rows, 5% of the
 * processor's CPU in a backlog profile.
 */
export function arrayLiteral(values: readonly unknown[]): string {
  // A column of plain text or of numbers (nearly every one) is joined natively: one flat string,
  // where appending element by element built a rope of thousands of pieces for the driver to
  // flatten (9% of the processor's allocations in a backlog, measured with the heap sampler).
  if (everyPlainText(values)) return '{"' + values.join('","') + '"}';
  if (everyNumber(values)) return '{' + values.join(',') + '}';
  const items = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) items[i] = 'NULL';
    else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
      items[i] = String(value);
    else if (typeof value === 'string')
      items[i] =
        '"' +
        (QUOTE_OR_BACKSLASH.test(value) ? value.replace(QUOTES_AND_BACKSLASHES, '\\$&') : value) +
        '"';
    else throw new TypeError(`cannot send a ${typeof value} in a PostgreSQL array`);
  }
  return '{' + items.join(',') + '}';
}

/** At least one value, every one a string with no quote or backslash to escape. */
function everyPlainText(values: readonly unknown[]): values is readonly string[] {
  if (values.length === 0) return false;
  // indexed: a for-of here allocated an iterator result per value (heap sampler)
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'string' || QUOTE_OR_BACKSLASH.test(value)) return false;
  }
  return true;
}

/** At least one value, every one a number (join writes each as String() does). */
function everyNumber(values: readonly unknown[]): values is readonly number[] {
  if (values.length === 0) return false;
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== 'number') return false;
  return true;
}

/**
 * One statement whatever the row count: one array parameter per column, unnested into rows.
 * PostgreSQL parses and plans it once, and the parameter count never nears the limit.
 */
export function unnestUpsert<Row>(
  schema: string,
  spec: UpsertSpec<Row>,
  rows: readonly Row[],
): Statement {
  const alias = 't';
  const arrays = spec.columns.map((c) => arrayLiteral(rows.map((row) => cell(c, row[c.name]))));
  const unnest = spec.columns.map((c) => `?::${c.type}[]`).join(', ');
  return {
    sql: `${insertHead(schema, spec, alias)} select * from unnest(${unnest})${conflictClause(spec, alias)}`,
    bindings: arrays,
  };
}

/** The classic multi-row VALUES form: one parameter per cell, so at most maxValuesRows rows. */
export function valuesUpsert<Row>(
  schema: string,
  spec: UpsertSpec<Row>,
  rows: readonly Row[],
): Statement {
  const alias = 't';
  if (rows.length * spec.columns.length > MAX_BIND_PARAMETERS) {
    throw new RangeError(
      `${rows.length} rows of ${spec.table} exceed ${MAX_BIND_PARAMETERS} parameters`,
    );
  }
  const tuple = `(${spec.columns.map((c) => `?::${c.type}`).join(', ')})`;
  const bindings: unknown[] = [];
  for (const row of rows) for (const c of spec.columns) bindings.push(cell(c, row[c.name]));
  return {
    sql: `${insertHead(schema, spec, alias)} values ${Array(rows.length).fill(tuple).join(', ')}${conflictClause(spec, alias)}`,
    bindings,
  };
}

/** The most rows one VALUES statement of this spec can carry. */
export function maxValuesRows(spec: UpsertSpec<unknown>): number {
  return Math.floor(MAX_BIND_PARAMETERS / spec.columns.length);
}
