import { instrumentKey } from './identity';
import type { InstrumentType } from './instrument-types';
import { alarmConditionOf, type AlarmCondition, type AlarmEvent } from './schemas/alarm-event';
import type { AlertKind } from './schemas/alert';
import type { TriggerDirection, TriggerLevel } from './schemas/trigger-levels';

// Alarm event ids are derived from what caused the event, so a replay of the log writes the
// same ids and sinks upsert on them. Each condition's id has its own shape after the window id
// or instrument key, so ids of different conditions never collide.

/**
 * A level alert's id: '<window id>:<direction>:<kind>:<to_level>'. One window changes each
 * direction's level at most once, so this is unique, and a replay of the same windows yields
 * the same ids (sinks can upsert on it).
 */
export function alertId(
  windowIdOfCause: string,
  direction: TriggerDirection,
  kind: AlertKind,
  toLevel: TriggerLevel,
): string {
  return `${windowIdOfCause}:${direction}:${kind}:${toLevel}`;
}

/** A rate event's id: '<window id>:rate:<direction>:<kind>:<to_level>' (one per window at most). */
export function rateAlarmId(
  windowIdOfCause: string,
  direction: TriggerDirection,
  kind: AlertKind,
  toLevel: TriggerLevel,
): string {
  return `${windowIdOfCause}:rate:${direction}:${kind}:${toLevel}`;
}

/**
 * A no-data event's id: '<instrument key>:no_data:<silent_since>:<kind>:<to_level>'. A silence
 * is identified by the log time of the delivery it follows, so its raise and its clear share
 * that part and a later silence (after a later delivery) gets other ids.
 */
export function noDataAlarmId(
  instrument: InstrumentType,
  boreholeNumber: string,
  silentSinceIso: string,
  kind: AlertKind,
  toLevel: TriggerLevel,
): string {
  return `${instrumentKey(instrument, boreholeNumber)}:no_data:${silentSinceIso}:${kind}:${toLevel}`;
}

/** A clock-skew event's id: '<instrument key>:clock_skew:<occurred_at>:<kind>:<to_level>'. */
export function clockSkewAlarmId(
  instrument: InstrumentType,
  boreholeNumber: string,
  occurredAtIso: string,
  kind: AlertKind,
  toLevel: TriggerLevel,
): string {
  return `${instrumentKey(instrument, boreholeNumber)}:clock_skew:${occurredAtIso}:${kind}:${toLevel}`;
}

/**
 * The alarm point an event belongs to: '<instrument key>:<condition>[:<direction>]', e.g.
 * 'settlement_marker:SM-12:rate:falling'. Raises and clears of one point form its alarm
 * occurrences (ISA-18.2: the point is what is acknowledged and shelved).
 */
export function alarmPointKey(
  instrument: InstrumentType,
  boreholeNumber: string,
  condition: AlarmCondition,
  direction?: TriggerDirection,
): string {
  const key = `${instrumentKey(instrument, boreholeNumber)}:${condition}`;
  return direction === undefined ? key : `${key}:${direction}`;
}

/** alarmPointKey of an event: level and rate points are per direction, the others are not. */
export function alarmPointKeyOf(event: AlarmEvent): string {
  const direction = 'direction' in event ? event.direction : undefined;
  return alarmPointKey(event.instrument, event.borehole_number, alarmConditionOf(event), direction);
}
