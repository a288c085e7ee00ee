import type { Knex } from 'knex';
import type {
  AlertKind,
  InstrumentType,
  TriggerDirection,
  TriggerLevel,
} from '@geostream/instrument-schemas';
import { POSTGRES_TABLES, type AlertEventColumn } from '@geostream/sinks/names';
import { BadRequestError } from '../errors';

export interface AlertRow {
  readonly id: string;
  readonly instrument: InstrumentType;
  readonly borehole_number: string;
  readonly kind: AlertKind;
  readonly direction: TriggerDirection;
  readonly from_level: TriggerLevel;
  readonly to_level: TriggerLevel;
  readonly value: number;
  readonly threshold: number | null;
  readonly unit: string;
  readonly window_id: string;
  readonly window_start: Date;
  readonly window_end: Date;
}

export interface AlertQuery {
  readonly type?: InstrumentType;
  readonly borehole?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly limit: number;
  /** A cursor from the previous page: alerts strictly older than it. */
  readonly before?: string;
}

export interface AlertPage {
  readonly alerts: AlertRow[];
  readonly nextCursor: string | null;
}

/** What the alert list shows: a selection (the whole alert's payload stays in the database). */
const ALERT_COLUMNS = [
  'id',
  'instrument',
  'borehole_number',
  'kind',
  'direction',
  'from_level',
  'to_level',
  'value',
  'threshold',
  'unit',
  'window_id',
  'window_start',
  'window_end',
] as const satisfies ReadonlyArray<AlertEventColumn>;

/**
 * Alert history, newest first (event time: the causing window's end), paged by keyset on
 * (window_end, id) so it is served by the (window_end desc) and (instrument, borehole_number,
 * window_end desc) indexes at any depth.
 */
export async function queryAlerts(db: Knex, request: AlertQuery): Promise<AlertPage> {
  if (request.borehole !== undefined && request.type === undefined) {
    throw new BadRequestError('invalid_filter', [
      'borehole needs type: an instrument is (type, borehole)',
    ]);
  }
  // Trigger-level alerts: the instrument page's history. Rate, no_data and clock_skew alarms
  // (whose window and value may be absent) are the alarm pages' to show.
  const query = db(POSTGRES_TABLES.alertEvent).select(ALERT_COLUMNS).where('condition', 'level');
  if (request.type !== undefined) query.where('instrument', request.type);
  if (request.borehole !== undefined) query.where('borehole_number', request.borehole);
  if (request.from !== undefined) query.where('window_end', '>=', request.from);
  if (request.to !== undefined) query.where('window_end', '<', request.to);
  if (request.before !== undefined) {
    const [end, id] = decodeAlertCursor(request.before);
    query.whereRaw('(window_end, id) < (?, ?)', [end, id]).where('window_end', '<=', end);
  }
  const fetched = (await query
    .orderBy([
      { column: 'window_end', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(request.limit + 1)) as AlertRow[];
  const alerts = fetched.slice(0, request.limit);
  const last = alerts.at(-1);
  return {
    alerts,
    nextCursor:
      fetched.length > request.limit && last ? encodeAlertCursor(last.window_end, last.id) : null,
  };
}

function encodeAlertCursor(windowEnd: Date, id: string): string {
  return Buffer.from(JSON.stringify([windowEnd.toISOString(), id]), 'utf8').toString('base64url');
}

function decodeAlertCursor(token: string): [Date, string] {
  const invalid = new BadRequestError('invalid_cursor', [
    'before: not a cursor returned by this API',
  ]);
  if (token.length > 2_000) throw invalid;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string'
    ) {
      const ms = Date.parse(value[0]);
      if (Number.isFinite(ms)) return [new Date(ms), value[1]];
    }
  } catch {
    // falls through to the error below
  }
  throw invalid;
}
