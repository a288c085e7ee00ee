import {
  ALERT_SCHEMA_VERSION,
  clockSkewAlarmId,
  type ClockSkewAlarmEvent,
  type ClockStatus,
  type InstrumentType,
  type TriggerLevel,
} from '@geostream/instrument-schemas';

export interface ClockSkewChange {
  readonly instrument: InstrumentType;
  readonly borehole_number: string;
  readonly kind: 'raise' | 'clear';
  readonly fromLevel: TriggerLevel;
  readonly toLevel: TriggerLevel;
  /** 'ahead' or 'behind' for a raise, 'ok' for a clear. */
  readonly status: ClockStatus;
  /** Estimated offset of the instrument's clock (positive = ahead), or null if unknown. */
  readonly offsetMs: number | null;
  readonly limitMs: number;
  /** Log time of the decision (the partition clock's log_time_ms). */
  readonly occurredAtMs: number;
}

/**
 * The alarm event of a change in an instrument's clock health, as the stream-processor judges
 * it (the judging, with its own tolerance and debounce, is the processor's): the id is derived
 * from the instrument and the log time, so a replay writes the same one.
 */
export function clockSkewAlarmEvent(change: ClockSkewChange): ClockSkewAlarmEvent {
  const occurredAt = new Date(change.occurredAtMs).toISOString();
  return {
    schema_version: ALERT_SCHEMA_VERSION,
    condition: 'clock_skew',
    id: clockSkewAlarmId(
      change.instrument,
      change.borehole_number,
      occurredAt,
      change.kind,
      change.toLevel,
    ),
    kind: change.kind,
    instrument: change.instrument,
    borehole_number: change.borehole_number,
    from_level: change.fromLevel,
    to_level: change.toLevel,
    occurred_at: occurredAt,
    clock_status: change.status,
    offset_ms: change.offsetMs === null ? null : Math.round(change.offsetMs),
    limit_ms: change.limitMs,
  };
}
