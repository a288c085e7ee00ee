import {
  ALARM_CONDITIONS,
  CANONICAL_TIMESTAMP_PATTERN,
  TRIGGER_DIRECTIONS,
  type AlarmCondition,
  type InstrumentType,
  type TriggerDirection,
  type TriggerLevel,
  isInstrumentType,
} from '@geostream/instrument-schemas';
import {
  invalidState,
  levelAt,
  nullable,
  objectAt,
  stringAt,
  versionedObject,
} from '../state-reader';

export const ALARM_LIFECYCLE_VERSION = 1;

/**
 * ISA-18.2 / IEC 62682 alarm states. Active or cleared (the condition), and independently
 * acknowledged or not (an operator has seen it); cleared and acknowledged is closed: the normal
 * state of an alarm point, from which the next raise starts a new occurrence.
 */
export const ALARM_STATES = [
  'active_unacknowledged',
  'active_acknowledged',
  'cleared_unacknowledged',
  'closed',
] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** Who acts for the pipeline in the audit log (raises, clears, shelf expiry). */
export const SYSTEM_ACTOR = 'system';

export interface Acknowledgement {
  readonly by: string;
  readonly at: string;
  readonly comment: string | null;
}

/** A shelf: the alarm is hidden from annunciation and notification until `until`. */
export interface Shelf {
  readonly until: string;
  readonly reason: string;
  readonly by: string;
  readonly at: string;
}

/**
 * One alarm point's lifecycle (a point: one condition of one instrument, per direction for
 * levels and rates; see alarmPointKey) and its current occurrence. Plain JSON: the app stores
 * it (PostgreSQL) and reads it back with readAlarmLifecycle.
 */
export interface AlarmLifecycle {
  readonly schema_version: typeof ALARM_LIFECYCLE_VERSION;
  /** alarmPointKey of the point. */
  readonly point: string;
  /**
   * The current (or, when closed, the last) occurrence's id: the id of the raise event that
   * opened it, so ids are deterministic and a replay opens the same occurrences.
   */
  readonly alarm_id: string;
  readonly condition: AlarmCondition;
  readonly instrument: InstrumentType;
  readonly borehole_number: string;
  readonly direction: TriggerDirection | null;
  readonly state: AlarmState;
  /** The level now ('none' once cleared). */
  readonly level: TriggerLevel;
  /** The highest level this occurrence reached. */
  readonly peak_level: TriggerLevel;
  /** When the occurrence opened (the raise event's occurred_at). */
  readonly raised_at: string;
  /** When it last cleared (null while active). */
  readonly cleared_at: string | null;
  /** The acknowledgement of the current level, or null (a raise to a higher level resets it). */
  readonly acknowledged: Acknowledgement | null;
  /** Shelving belongs to the point, not the occurrence: it outlives a close. */
  readonly shelved: Shelf | null;
  /** The last alarm event applied: older or repeated events are ignored. */
  readonly last_event_id: string;
  readonly last_event_at: string;
}

const CANONICAL_TIMESTAMP = new RegExp(CANONICAL_TIMESTAMP_PATTERN);

function timestampAt(value: unknown, path: string): string {
  if (typeof value !== 'string' || !CANONICAL_TIMESTAMP.test(value))
    throw invalidState(path, 'must be an ISO-8601 UTC timestamp');
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (!(allowed as readonly unknown[]).includes(value))
    throw invalidState(path, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

/**
 * A lifecycle read back from storage, checked whole.
 * @throws AlertingError STATE_INVALID | STATE_VERSION_UNSUPPORTED
 */
export function readAlarmLifecycle(json: unknown, path = '$'): AlarmLifecycle {
  const o = versionedObject(json, ALARM_LIFECYCLE_VERSION, path);
  const instrument = o['instrument'];
  if (!isInstrumentType(instrument))
    throw invalidState(`${path}.instrument`, 'must be an instrument type');
  const state = oneOf(o['state'], ALARM_STATES, `${path}.state`);
  const acknowledged = nullable(o['acknowledged'], (v) => {
    const a = objectAt(v, `${path}.acknowledged`);
    return {
      by: stringAt(a['by'], `${path}.acknowledged.by`),
      at: timestampAt(a['at'], `${path}.acknowledged.at`),
      comment: nullable(a['comment'], (c) => stringAt(c, `${path}.acknowledged.comment`)),
    };
  });
  const level = levelAt(o['level'], `${path}.level`);
  const active = state === 'active_unacknowledged' || state === 'active_acknowledged';
  const acked = state === 'active_acknowledged' || state === 'closed';
  if (active === (level === 'none') || acked !== (acknowledged !== null))
    throw invalidState(path, `has a level or acknowledgement that contradicts its state ${state}`);
  return {
    schema_version: ALARM_LIFECYCLE_VERSION,
    point: stringAt(o['point'], `${path}.point`),
    alarm_id: stringAt(o['alarm_id'], `${path}.alarm_id`),
    condition: oneOf(o['condition'], ALARM_CONDITIONS, `${path}.condition`),
    instrument,
    borehole_number: stringAt(o['borehole_number'], `${path}.borehole_number`),
    direction: nullable(o['direction'], (d) => oneOf(d, TRIGGER_DIRECTIONS, `${path}.direction`)),
    state,
    level,
    peak_level: levelAt(o['peak_level'], `${path}.peak_level`),
    raised_at: timestampAt(o['raised_at'], `${path}.raised_at`),
    cleared_at: nullable(o['cleared_at'], (v) => timestampAt(v, `${path}.cleared_at`)),
    acknowledged,
    shelved: nullable(o['shelved'], (v) => {
      const s = objectAt(v, `${path}.shelved`);
      return {
        until: timestampAt(s['until'], `${path}.shelved.until`),
        reason: stringAt(s['reason'], `${path}.shelved.reason`),
        by: stringAt(s['by'], `${path}.shelved.by`),
        at: timestampAt(s['at'], `${path}.shelved.at`),
      };
    }),
    last_event_id: stringAt(o['last_event_id'], `${path}.last_event_id`),
    last_event_at: timestampAt(o['last_event_at'], `${path}.last_event_at`),
  };
}
