import { INSTRUMENT_TYPES } from '@geostream/instrument-schemas';
import { BadRequestError } from '../errors';
import { HISTORY_SORTS, type HistorySort, type SortColumn } from './history-spec';

/**
 * Keyset pagination cursors: an opaque token holding the sort and the sort key of the last row
 * of a page, so the next page starts right after it with an index seek, however deep it is.
 * The token is base64url JSON; decoding checks every part, because it comes back from a client.
 */
export interface CursorRow {
  readonly id: string;
  readonly window_start: Date;
  readonly instrument: string;
  readonly borehole_number: string;
}

/** The sort key values of a row, in HISTORY_SORTS order; window_start as a Date. */
export type CursorValues = ReadonlyArray<Date | string>;

interface CursorBody {
  readonly s: string;
  readonly d: string;
  readonly v: readonly string[];
}

export function encodeCursor(sort: HistorySort, row: CursorRow): string {
  const values = HISTORY_SORTS[sort.key].map((column) =>
    column === 'window_start' ? row.window_start.toISOString() : row[column],
  );
  const body: CursorBody = { s: sort.key, d: sort.direction, v: values };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

const MAX_CURSOR_LENGTH = 2_000;

/** The sort key values after which the next page starts, or a BadRequestError naming what is wrong. */
export function decodeCursor(token: string, sort: HistorySort): CursorValues {
  const invalid = (reason: string) => new BadRequestError('invalid_cursor', [`after: ${reason}`]);
  if (token.length > MAX_CURSOR_LENGTH) throw invalid('too long');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a cursor returned by this API');
  }
  if (!isCursorBody(body)) throw invalid('not a cursor returned by this API');
  if (body.s !== sort.key || body.d !== sort.direction) {
    throw invalid(
      `the cursor belongs to sort ${body.s} ${body.d}, not ${sort.key} ${sort.direction}: start again without it`,
    );
  }
  const columns: readonly SortColumn[] = HISTORY_SORTS[sort.key];
  if (body.v.length !== columns.length) throw invalid('wrong number of values');
  const values = columns.map((column, i) => {
    const value = body.v[i] as string;
    if (column === 'window_start') {
      const ms = Date.parse(value);
      if (!Number.isFinite(ms) || new Date(ms).toISOString() !== value) throw invalid('bad time');
      return new Date(ms);
    }
    if (column === 'instrument' && !(INSTRUMENT_TYPES as readonly string[]).includes(value)) {
      throw invalid('bad instrument type');
    }
    return value;
  });
  return values;
}

function isCursorBody(value: unknown): value is CursorBody {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate['s'] === 'string' &&
    typeof candidate['d'] === 'string' &&
    Array.isArray(candidate['v']) &&
    candidate['v'].every((item) => typeof item === 'string' && item.length <= 500)
  );
}
