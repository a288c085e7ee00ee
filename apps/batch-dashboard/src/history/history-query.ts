import type { Knex } from 'knex';
import {
  INSTRUMENT_TYPES,
  type InstrumentType,
  type TriggerLevel,
} from '@geostream/instrument-schemas';
import {
  POSTGRES_TABLES,
  READING_WINDOW_COLUMNS,
  type ReadingWindowColumn,
} from '@geostream/sinks/names';
import { BadRequestError } from '../errors';
import { decodeCursor, encodeCursor, type CursorValues } from './cursor';
import { HISTORY_SORTS, type HistoryFilter, type HistorySort } from './history-spec';

/** The pipeline's bookkeeping in reading_window, not shown. */
type InternalWindowColumn = 'schema_version' | 'written_at';
const INTERNAL_WINDOW_COLUMNS: ReadonlySet<ReadingWindowColumn> = new Set<InternalWindowColumn>([
  'schema_version',
  'written_at',
]);

/** The columns of reading_window the dashboard shows: all but the internal ones, in table order. */
export const WINDOW_COLUMNS = READING_WINDOW_COLUMNS.filter(
  (column): column is Exclude<ReadingWindowColumn, InternalWindowColumn> =>
    !INTERNAL_WINDOW_COLUMNS.has(column),
);

export interface WindowRow {
  readonly id: string;
  readonly instrument: InstrumentType;
  readonly borehole_number: string;
  readonly window_start: Date;
  readonly window_end: Date;
  readonly reading_mean: number;
  readonly reading_min: number;
  readonly reading_max: number;
  readonly reading_count: number;
  readonly first_timestamp: Date;
  readonly last_timestamp: Date;
  readonly unit: string;
  readonly surface_level: number;
  readonly northing: number;
  readonly easting: number;
  readonly trigger_level: TriggerLevel;
}

export interface HistoryPageRequest {
  readonly filter: HistoryFilter;
  readonly sort: HistorySort;
  readonly limit: number;
  /** A cursor from the previous page (keyset: an index seek at any depth). */
  readonly after?: string;
  /** Rows to skip when the client has no cursor (a jump); bounded, see MAX_OFFSET. */
  readonly offset?: number;
  readonly withTotal: boolean;
}

export interface RowTotal {
  readonly value: number;
  /** False when the count stopped at TOTAL_COUNT_CAP and value is the planner's estimate. */
  readonly exact: boolean;
}

export interface HistoryPage {
  readonly rows: WindowRow[];
  readonly hasMore: boolean;
  readonly nextCursor: string | null;
  readonly total?: RowTotal;
}

/** Counting is exact up to this many rows; beyond it the planner's estimate is returned. */
export const TOTAL_COUNT_CAP = 10_000;
/** Deep offsets scan every skipped row; past this the client must page with cursors. */
export const MAX_OFFSET = 100_000;

/** Applies the filter. Every value is a bound parameter; column names are constants. */
export function applyHistoryFilter(
  query: Knex.QueryBuilder,
  filter: HistoryFilter,
): Knex.QueryBuilder {
  const types = filter.types;
  if (types !== undefined && types.length > 0) {
    if (types.length === 1) query.where('instrument', types[0] as string);
    else query.whereIn('instrument', [...types]);
  }
  if (filter.borehole !== undefined) query.where('borehole_number', filter.borehole);
  if (filter.from !== undefined) query.where('window_start', '>=', filter.from);
  if (filter.to !== undefined) query.where('window_start', '<', filter.to);
  if (filter.levels !== undefined && filter.levels.length > 0) {
    if (filter.levels.length === 1) query.where('trigger_level', filter.levels[0] as string);
    else query.whereIn('trigger_level', [...filter.levels]);
  }
  return query;
}

export function applyHistorySort(query: Knex.QueryBuilder, sort: HistorySort): Knex.QueryBuilder {
  return query.orderBy(
    HISTORY_SORTS[sort.key].map((column) => ({ column, order: sort.direction })),
  );
}

/**
 * Rows strictly after the cursor's position in the sort order. The row comparison states the
 * keyset exactly; the extra bound on the leading column is what an index can seek on, whatever
 * index the planner picks.
 */
function applyKeyset(query: Knex.QueryBuilder, sort: HistorySort, values: CursorValues): void {
  const columns: readonly string[] = HISTORY_SORTS[sort.key];
  const after = sort.direction === 'desc' ? '<' : '>';
  const list = (token: string) => columns.map(() => token).join(', ');
  query.whereRaw(`(${list('??')}) ${after} (${list('?')})`, [...columns, ...values]);
  query.where(
    columns[0] as string,
    sort.direction === 'desc' ? '<=' : '>=',
    values[0] as Date | string,
  );
}

export function validateFilter(filter: HistoryFilter): void {
  if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) {
    throw new BadRequestError('invalid_time_range', ['from must be before to']);
  }
}

/**
 * An instrument id given without its type gets its type(s) from instrument_state (one row per
 * instrument), so the primary key (instrument, borehole_number, window_start) serves the
 * query in window order: borehole_number alone has no index.
 */
export async function resolveFilter(db: Knex, filter: HistoryFilter): Promise<HistoryFilter> {
  validateFilter(filter);
  if (filter.borehole === undefined || (filter.types !== undefined && filter.types.length > 0)) {
    return filter;
  }
  const types = (await db(POSTGRES_TABLES.instrumentState)
    .where('borehole_number', filter.borehole)
    .pluck('instrument')) as InstrumentType[];
  return { ...filter, types: types.length > 0 ? types : INSTRUMENT_TYPES };
}

export async function queryHistoryPage(
  db: Knex,
  pageRequest: HistoryPageRequest,
): Promise<HistoryPage> {
  // The checks that need no database come before resolveFilter's query (validateFilter first,
  // so a request with both faults is refused for its time range, as before).
  validateFilter(pageRequest.filter);
  if (
    pageRequest.after !== undefined &&
    pageRequest.offset !== undefined &&
    pageRequest.offset > 0
  ) {
    throw new BadRequestError('invalid_paging', ['give either after or offset, not both']);
  }
  const request = { ...pageRequest, filter: await resolveFilter(db, pageRequest.filter) };
  const query = applyHistoryFilter(
    db(POSTGRES_TABLES.readingWindow).select(WINDOW_COLUMNS),
    request.filter,
  );
  if (request.after !== undefined) {
    applyKeyset(query, request.sort, decodeCursor(request.after, request.sort));
  }
  applyHistorySort(query, request.sort).limit(request.limit + 1);
  if (request.offset !== undefined && request.offset > 0) query.offset(request.offset);

  const [fetched, total] = await Promise.all([
    query as Promise<WindowRow[]>,
    request.withTotal ? countRows(db, request.filter) : Promise.resolve(undefined),
  ]);
  const hasMore = fetched.length > request.limit;
  const rows = hasMore ? fetched.slice(0, request.limit) : fetched;
  const last = rows.at(-1);
  return {
    rows,
    hasMore,
    nextCursor: hasMore && last ? encodeCursor(request.sort, last) : null,
    ...(total && { total }),
  };
}

/**
 * How many rows the filter matches: exact up to TOTAL_COUNT_CAP (a bounded index scan), then
 * the planner's estimate, so a count never scans millions of rows.
 */
export async function countRows(db: Knex, filter: HistoryFilter): Promise<RowTotal> {
  const capped = applyHistoryFilter(
    db(POSTGRES_TABLES.readingWindow).select(db.raw('1')),
    filter,
  ).limit(TOTAL_COUNT_CAP + 1);
  const [{ n }] = (await db.count({ n: '*' }).from(capped.as('capped'))) as [
    { n: string | number },
  ];
  const count = Number(n);
  if (count <= TOTAL_COUNT_CAP) return { value: count, exact: true };
  return { value: Math.max(await estimateRows(db, filter), count), exact: false };
}

async function estimateRows(db: Knex, filter: HistoryFilter): Promise<number> {
  const query = applyHistoryFilter(db(POSTGRES_TABLES.readingWindow).select(db.raw('1')), filter);
  const result = (await db.raw('EXPLAIN (FORMAT JSON) ?', [query])) as {
    rows: Array<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>;
  };
  return Math.round(result.rows[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0);
}
