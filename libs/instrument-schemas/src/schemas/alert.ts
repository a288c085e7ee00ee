import { Type, type Static } from '@sinclair/typebox';
import { CANONICAL_TIMESTAMP_PATTERN, NOT_BLANK_PATTERN } from './patterns';
import { InstrumentTypeSchema } from './reading';
import { TriggerDirectionSchema, TriggerLevelSchema, TriggerLevelsSchema } from './trigger-levels';
import { WindowRecordSchema } from './window-record';

export const ALERT_SCHEMA_VERSION = 1;

export const ALERT_KINDS = ['raise', 'clear'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * A raise (level went up) or clear (level went down, possibly to none) of one direction's
 * trigger level, with the window that caused it. Its id is derived from that window, so
 * replaying the log reproduces exactly the same alerts. The `level` member of the alarm events
 * (see alarm-event.ts): `condition` is written since #12 and absent in older events.
 */
export const AlertSchema = Type.Object(
  {
    schema_version: Type.Literal(ALERT_SCHEMA_VERSION),
    condition: Type.Optional(
      Type.Literal('level', { description: "absent in events written before 'condition' was" }),
    ),
    id: Type.String({
      minLength: 1,
      description: "'<window id>:<direction>:<kind>:<to_level>', see alertId()",
    }),
    kind: Type.Unsafe<AlertKind>({ type: 'string', enum: [...ALERT_KINDS] }),
    instrument: InstrumentTypeSchema,
    borehole_number: Type.String({ minLength: 1, pattern: NOT_BLANK_PATTERN }),
    direction: TriggerDirectionSchema,
    from_level: TriggerLevelSchema,
    to_level: TriggerLevelSchema,
    threshold: Type.Union([Type.Number(), Type.Null()], {
      description:
        'raise: the threshold of to_level that was reached; clear: the threshold of from_level ' +
        'that the value went back past; null when a clear happens because the direction is no ' +
        'longer configured',
    }),
    value: Type.Number({ description: 'the value evaluated: the window mean' }),
    unit: Type.String({ minLength: 1 }),
    occurred_at: Type.String({
      format: 'date-time',
      pattern: CANONICAL_TIMESTAMP_PATTERN,
      description: "event time: the causing window's end",
    }),
    trigger_levels: TriggerLevelsSchema,
    window: WindowRecordSchema,
  },
  { title: 'Alert', description: 'A trigger-level raise or clear (version 1).' },
);

export type Alert = Static<typeof AlertSchema>;
