import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  AlertSchema,
  ALERT_KINDS,
  ALERT_SCHEMA_VERSION,
  type Alert,
  type AlertKind,
} from './alert';
import { RateOfChangeRuleSchema } from './alarm-rules';
import { CANONICAL_TIMESTAMP_PATTERN, NOT_BLANK_PATTERN } from './patterns';
import { InstrumentTypeSchema } from './reading';
import { TriggerDirectionSchema, TriggerLevelSchema } from './trigger-levels';
import { WindowRecordSchema } from './window-record';
import { CLOCK_STATUSES, type ClockStatus } from '../clock-status';

/** What an alarm is about: the condition that raised it. */
export const ALARM_CONDITIONS = ['level', 'rate', 'no_data', 'clock_skew'] as const;
export type AlarmCondition = (typeof ALARM_CONDITIONS)[number];

const CanonicalTimestamp = (description: string) =>
  Type.String({ format: 'date-time', pattern: CANONICAL_TIMESTAMP_PATTERN, description });

/** The members every alarm event has, whatever its condition. */
function alarmEvent<C extends AlarmCondition, P extends Record<string, TSchema>>(
  condition: C,
  idDescription: string,
  properties: P,
  description: string,
) {
  return Type.Object(
    {
      schema_version: Type.Literal(ALERT_SCHEMA_VERSION),
      condition: Type.Literal(condition),
      id: Type.String({ minLength: 1, description: idDescription }),
      kind: Type.Unsafe<AlertKind>({ type: 'string', enum: [...ALERT_KINDS] }),
      instrument: InstrumentTypeSchema,
      borehole_number: Type.String({ minLength: 1, pattern: NOT_BLANK_PATTERN }),
      from_level: TriggerLevelSchema,
      to_level: TriggerLevelSchema,
      occurred_at: CanonicalTimestamp('when it happened, by the pipeline (see the condition)'),
      ...properties,
    },
    { title: `${condition} alarm event`, description },
  );
}

/**
 * The rate of change of one direction moved to another level. The rate is the least-squares
 * slope of the window means over the rule's interval; `value` and `threshold` are rates in
 * `unit` (e.g. mm/day), signed (a falling rate is negative).
 */
export const RateAlarmEventSchema = alarmEvent(
  'rate',
  "'<window id>:rate:<direction>:<kind>:<to_level>', see rateAlarmId()",
  {
    direction: TriggerDirectionSchema,
    threshold: Type.Union([Type.Number(), Type.Null()], {
      description:
        'the signed rate of the level crossed (raise: to_level, clear: from_level); null when ' +
        'the direction is no longer configured',
    }),
    value: Type.Union([Type.Number(), Type.Null()], {
      description:
        'the rate, in unit; null only in a clear caused by the rule being removed when too ' +
        'little data was left to compute one',
    }),
    unit: Type.String({ minLength: 1, description: "the rule's rate unit, e.g. 'mm/day'" }),
    interval_ms: Type.Integer({ minimum: 1, description: "the rule's rolling interval" }),
    span_ms: Type.Number({
      minimum: 0,
      description:
        'the time spread of the windows behind the rate (sqrt(12 var(t))): how much data backs it',
    }),
    rate_rule: RateOfChangeRuleSchema,
    window: WindowRecordSchema,
  },
  'A rate-of-change raise or clear (version 1); occurred_at is the window end (event time).',
);
export type RateAlarmEvent = Static<typeof RateAlarmEventSchema>;

/**
 * An instrument went silent (raise) or delivered again (clear). Times are the pipeline's log
 * time (Kafka record times), never the wall clock or the instrument's own clock.
 */
export const NoDataAlarmEventSchema = alarmEvent(
  'no_data',
  "'<instrument key>:no_data:<silent_since>:<kind>:<to_level>', see noDataAlarmId()",
  {
    silent_since: CanonicalTimestamp('log time of the last delivery before the silence'),
    expected_interval_ms: Type.Integer({ minimum: 1 }),
    interval_source: Type.Unsafe<'configured' | 'learnt' | 'initial'>({
      type: 'string',
      enum: ['configured', 'learnt', 'initial'],
      description: 'configured; learnt from its deliveries; initial: the ceiling, none learnt yet',
    }),
    multiplier: Type.Number({ minimum: 1 }),
  },
  'A no-data raise or clear (version 1); occurred_at is the log time it was decided at.',
);
export type NoDataAlarmEvent = Static<typeof NoDataAlarmEventSchema>;

/** An instrument's clock is off (raise) or right again (clear), as the stream-processor judges. */
export const ClockSkewAlarmEventSchema = alarmEvent(
  'clock_skew',
  "'<instrument key>:clock_skew:<occurred_at>:<kind>:<to_level>', see clockSkewAlarmId()",
  {
    clock_status: Type.Unsafe<ClockStatus>({ type: 'string', enum: [...CLOCK_STATUSES] }),
    offset_ms: Type.Union([Type.Integer(), Type.Null()], {
      description: "estimated offset of the instrument's clock, positive = ahead; null if unknown",
    }),
    limit_ms: Type.Integer({ minimum: 0, description: 'the offset tolerated' }),
  },
  'A clock-skew raise or clear (version 1); occurred_at is log time.',
);
export type ClockSkewAlarmEvent = Static<typeof ClockSkewAlarmEventSchema>;

/**
 * Every alarm event on the alerts topic: a level alert (`Alert`, whose `condition` may be
 * absent in events written before #12), a rate, a no-data or a clock-skew event.
 */
export const AlarmEventSchema = Type.Union(
  [AlertSchema, RateAlarmEventSchema, NoDataAlarmEventSchema, ClockSkewAlarmEventSchema],
  { title: 'AlarmEvent', description: 'An alarm raise or clear of any condition (version 1).' },
);
export type AlarmEvent = Alert | RateAlarmEvent | NoDataAlarmEvent | ClockSkewAlarmEvent;

/** An event's condition; level alerts written before #12 carry none. */
export function alarmConditionOf(event: AlarmEvent): AlarmCondition {
  return event.condition ?? 'level';
}
