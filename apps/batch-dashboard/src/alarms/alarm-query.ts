import type { Knex } from 'knex';
import { ALARM_STATES, type AlarmState } from '@geostream/alerting';
import {
  TRIGGER_LEVELS,
  maxTriggerLevel,
  type AlarmCondition,
  type InstrumentType,
  type TriggerDirection,
  type TriggerLevel,
} from '@geostream/instrument-schemas';
import { APP_TABLES } from '@geostream/sinks/names';

/** One alarm point and its current occurrence, as the alarm list shows it. */
export interface AlarmRow {
  readonly alarm_id: string;
  readonly point: string;
  readonly condition: AlarmCondition;
  readonly instrument: InstrumentType;
  readonly borehole_number: string;
  readonly direction: TriggerDirection | null;
  readonly state: AlarmState;
  readonly level: TriggerLevel;
  readonly peak_level: TriggerLevel;
  readonly raised_at: Date;
  readonly cleared_at: Date | null;
  readonly acknowledged_by: string | null;
  readonly acknowledged_at: Date | null;
  readonly shelved_until: Date | null;
  readonly shelved_by: string | null;
  readonly shelved_reason: string | null;
  readonly updated_at: Date;
  /** From the last event applied: the value and threshold of a level or rate alarm. */
  readonly value: number | null;
  readonly threshold: number | null;
  readonly unit: string | null;
}

/** `open`: not closed, or shelved; `all`; or one state. */
export type AlarmStateFilter = 'open' | 'all' | AlarmState;
export const ALARM_STATE_FILTERS: readonly AlarmStateFilter[] = ['open', 'all', ...ALARM_STATES];

export interface AlarmFilter {
  readonly state: AlarmStateFilter;
  readonly condition?: AlarmCondition;
  readonly type?: InstrumentType;
  readonly borehole?: string;
  readonly limit: number;
}

const STATE_ORDER: readonly AlarmState[] = [
  'active_unacknowledged',
  'cleared_unacknowledged',
  'active_acknowledged',
  'closed',
];

/**
 * The alarm list, most urgent first: unacknowledged before acknowledged (ISA-18.2: what nobody
 * has seen comes first), then the highest level reached, then the newest.
 */
export function alarmListQuery(db: Knex, filter: AlarmFilter, nowMs: number): Knex.QueryBuilder {
  const query = db({ a: APP_TABLES.alarm })
    .leftJoin({ e: APP_TABLES.alarmEvent }, 'e.event_id', 'a.last_event_id')
    .select(
      'a.alarm_id',
      'a.point',
      'a.condition',
      'a.instrument',
      'a.borehole_number',
      'a.direction',
      'a.state',
      'a.level',
      'a.peak_level',
      'a.raised_at',
      'a.cleared_at',
      'a.acknowledged_by',
      'a.acknowledged_at',
      'a.shelved_until',
      'a.shelved_by',
      'a.shelved_reason',
      'a.updated_at',
      db.raw("(e.payload->>'value')::double precision as value"),
      db.raw("(e.payload->>'threshold')::double precision as threshold"),
      db.raw("e.payload->>'unit' as unit"),
    )
    .orderByRaw('array_position(?::text[], a.state)', [[...STATE_ORDER]] as never)
    .orderByRaw('array_position(?::text[], a.peak_level) desc', [[...TRIGGER_LEVELS]] as never)
    .orderBy('a.raised_at', 'desc')
    .orderBy('a.point')
    .limit(filter.limit);
  if (filter.state === 'open')
    void query.where((q) =>
      q.whereNot('a.state', 'closed').orWhere('a.shelved_until', '>', new Date(nowMs)),
    );
  else if (filter.state !== 'all') void query.where('a.state', filter.state);
  if (filter.condition !== undefined) void query.where('a.condition', filter.condition);
  if (filter.type !== undefined) void query.where('a.instrument', filter.type);
  if (filter.borehole !== undefined) void query.where('a.borehole_number', filter.borehole);
  return query;
}

/** The alarm rows of these ids (the current occurrences only). */
export function alarmsByIds(db: Knex, alarmIds: readonly string[]): Knex.QueryBuilder {
  return alarmListQuery(db, { state: 'all', limit: alarmIds.length }, 0)
    .clearOrder()
    .whereIn('a.alarm_id', [...alarmIds]);
}

/** What an instrument's active, unshelved alarms say of its state (the plan's colour). */
export interface ActiveAlarmSummary {
  /** The highest level among its level and rate alarms ('none' without any). */
  readonly level: TriggerLevel;
  /** A no_data alarm is active: the processor found it silent. */
  readonly noData: boolean;
}

/**
 * Per instrument ('type:id'), its active alarms that are not shelved: few on any site, read
 * through the partial index of the alarms not closed. A shelved alarm is kept from annunciation
 * (ISA-18.2), so it does not colour; an acknowledged one is still active, so it does.
 */
export async function activeAlarmsByInstrument(
  db: Knex,
  nowMs: number,
): Promise<Map<string, ActiveAlarmSummary>> {
  const rows = (await db(APP_TABLES.alarm)
    .select('instrument', 'borehole_number', 'condition', 'level')
    .whereNot('state', 'closed')
    .whereIn('state', ['active_unacknowledged', 'active_acknowledged'] satisfies AlarmState[])
    .where((q) =>
      q.whereNull('shelved_until').orWhere('shelved_until', '<=', new Date(nowMs)),
    )) as {
    instrument: InstrumentType;
    borehole_number: string;
    condition: AlarmCondition;
    level: TriggerLevel;
  }[];
  const byInstrument = new Map<string, ActiveAlarmSummary>();
  for (const row of rows) {
    const key = `${row.instrument}:${row.borehole_number}`;
    const was = byInstrument.get(key) ?? { level: 'none', noData: false };
    byInstrument.set(key, {
      level:
        row.condition === 'level' || row.condition === 'rate'
          ? maxTriggerLevel(was.level, row.level)
          : was.level,
      noData: was.noData || row.condition === 'no_data',
    });
  }
  return byInstrument;
}
