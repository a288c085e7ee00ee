import type { Knex } from 'knex';
import {
  INSTRUMENT_TYPES,
  type InstrumentType,
  type TriggerLevel,
} from '@geostream/instrument-schemas';
import { POSTGRES_TABLES } from '@geostream/sinks/names';
import type { ActiveAlarmSummary } from '../alarms/alarm-query';
import { BadRequestError } from '../errors';
import { instrumentStatus, type StalenessPolicy } from '../overview/staleness';
import { worstCurrentState, type CurrentState, type CurrentStateInputs } from './current-state';
import { usualIntervalKey } from './usual-intervals';

/**
 * The plan's data: every instrument with its position, its worst current state and what the
 * hover shows, a page at a time in primary-key order (instrument, borehole_number), keyset-paged
 * so any page is an index range scan. Each row's staleness is judged by the overview's rule
 * (instrumentStatus, with the usual intervals of usual-intervals.ts) and its state by
 * worstCurrentState, nothing else. Times leave PostgreSQL as epoch milliseconds (float8): parsing
 * 40,000 timestamps into Dates cost more than the query itself.
 */
export interface PlanPageRequest {
  readonly limit: number;
  /** nextCursor of the previous page. */
  readonly after?: string;
  readonly types?: readonly InstrumentType[];
}

/** One instrument on the plan. Times are epoch milliseconds (compact, and what canvas code wants). */
export interface PlanInstrument {
  readonly type: InstrumentType;
  readonly id: string;
  readonly easting: number;
  readonly northing: number;
  readonly state: CurrentState;
  readonly trigger_level: TriggerLevel;
  /** The highest level of its active, unshelved level and rate alarms. */
  readonly alarm_level: TriggerLevel;
  /** Stale by the staleness rule, or an active no_data alarm. */
  readonly no_data: boolean;
  readonly clock_status: CurrentStateInputs['clock_status'];
  readonly clock_offset_ms: number | null;
  readonly value: number;
  readonly last_reading_at: number;
  readonly last_window_start: number;
}

export interface PlanPage {
  readonly instruments: PlanInstrument[];
  readonly nextCursor: string | null;
}

interface PlanRow {
  readonly instrument: InstrumentType;
  readonly borehole_number: string;
  readonly easting: number;
  readonly northing: number;
  readonly trigger_level: TriggerLevel;
  readonly clock_status: CurrentStateInputs['clock_status'];
  readonly clock_offset_ms: number | null;
  readonly last_reading_mean: number;
  readonly last_reading_at_ms: number;
  readonly last_window_start_ms: number;
  readonly unit: string;
}

// instrument-schemas' levels and the state rule's must stay the same set.
const _levelsAgree: readonly TriggerLevel[] = [] as CurrentStateInputs['trigger_level'][];
const _levelsAgreeBack: readonly CurrentStateInputs['trigger_level'][] = [] as TriggerLevel[];
void _levelsAgree;
void _levelsAgreeBack;

export async function queryPlanPage(
  db: Knex,
  request: PlanPageRequest,
  nowMs: number,
  staleness: StalenessPolicy,
  usualIntervals: ReadonlyMap<string, number | null>,
  activeAlarms: ReadonlyMap<string, ActiveAlarmSummary> = new Map(),
): Promise<PlanPage> {
  const epochMs = (column: string) =>
    db.raw('extract(epoch FROM ??)::float8 * 1000 AS ??', [column, `${column.slice(2)}_ms`]);
  const query = db({ s: POSTGRES_TABLES.instrumentState }).select(
    's.instrument',
    's.borehole_number',
    's.easting',
    's.northing',
    's.trigger_level',
    's.clock_status',
    db.raw('s.clock_offset_ms::float8 AS clock_offset_ms'),
    's.last_reading_mean',
    epochMs('s.last_reading_at'),
    epochMs('s.last_window_start'),
    's.unit',
  );
  if (request.types !== undefined && request.types.length > 0) {
    query.whereIn('s.instrument', [...request.types]);
  }
  if (request.after !== undefined) {
    const [type, id] = decodePlanCursor(request.after);
    query
      .whereRaw('(s.instrument, s.borehole_number) > (?, ?)', [type, id])
      .where('s.instrument', '>=', type);
  }
  const rows = (await query
    .orderBy([
      { column: 's.instrument', order: 'asc' },
      { column: 's.borehole_number', order: 'asc' },
    ])
    .limit(request.limit + 1)) as PlanRow[];
  const page = rows.slice(0, request.limit);
  const last = page.at(-1);
  return {
    instruments: page.map((row) =>
      planInstrument(
        row,
        nowMs,
        staleness,
        usualIntervals,
        activeAlarms.get(`${row.instrument}:${row.borehole_number}`),
      ),
    ),
    nextCursor:
      rows.length > request.limit && last
        ? encodePlanCursor(last.instrument, last.borehole_number)
        : null,
  };
}

function planInstrument(
  row: PlanRow,
  nowMs: number,
  staleness: StalenessPolicy,
  usualIntervals: ReadonlyMap<string, number | null>,
  alarms: ActiveAlarmSummary | undefined,
): PlanInstrument {
  const status = instrumentStatus(
    {
      instrument: row.instrument,
      borehole_number: row.borehole_number,
      trigger_level: row.trigger_level,
      last_reading_at: new Date(row.last_reading_at_ms),
      last_reading_mean: row.last_reading_mean,
      unit: row.unit,
      usual_interval_ms:
        usualIntervals.get(usualIntervalKey(row.instrument, row.borehole_number)) ?? null,
      clock_status: row.clock_status,
      clock_offset_ms: row.clock_offset_ms,
    },
    nowMs,
    staleness,
  );
  const inputs: CurrentStateInputs = {
    trigger_level: row.trigger_level,
    alarm_level: alarms?.level ?? 'none',
    no_data: status.stale || alarms?.noData === true,
    clock_status: row.clock_status,
  };
  return {
    type: row.instrument,
    id: row.borehole_number,
    easting: row.easting,
    northing: row.northing,
    state: worstCurrentState(inputs),
    trigger_level: row.trigger_level,
    alarm_level: inputs.alarm_level,
    no_data: inputs.no_data,
    clock_status: row.clock_status,
    clock_offset_ms: row.clock_offset_ms,
    value: row.last_reading_mean,
    last_reading_at: row.last_reading_at_ms,
    last_window_start: row.last_window_start_ms,
  };
}

function encodePlanCursor(type: InstrumentType, id: string): string {
  return Buffer.from(JSON.stringify([type, id]), 'utf8').toString('base64url');
}

function decodePlanCursor(token: string): [InstrumentType, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      (INSTRUMENT_TYPES as readonly unknown[]).includes(value[0]) &&
      typeof value[1] === 'string'
    ) {
      return [value[0] as InstrumentType, value[1]];
    }
  } catch {
    // falls through to the error below
  }
  throw new BadRequestError('invalid_cursor', ['after: not a cursor returned by this API']);
}
