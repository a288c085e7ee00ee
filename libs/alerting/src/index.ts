// Alarm rules as pure reducers: trigger levels and rates of change from an instrument's closed
// windows, silence from the partition's log time, and the ISA-18.2 lifecycle of each alarm.
// No I/O, no clock: the caller stores the states (plain JSON, versioned) with its checkpoint
// and passes time in.

export {
  ALERT_STATE_VERSION,
  initialAlertState,
  isQuietDirection,
  readInstrumentAlertState,
  type InstrumentAlertState,
  type DirectionAlertState,
} from './alert-state';
export {
  resolveAlertingOptions,
  type AlertingOptions,
  type ResolvedAlertingOptions,
} from './options';
export { evaluateWindow, type WindowEvaluation, type WindowToEvaluate } from './evaluate-window';
export { AlertingError, isAlertingError, type AlertingErrorCode } from './errors';

// Rate of change
export {
  evaluateRate,
  canForgetRateState,
  MIN_SPAN_FRACTION,
  type RateEvaluation,
} from './rate/evaluate-rate';
export {
  RATE_STATE_VERSION,
  RATE_BUCKETS,
  initialRateState,
  readRateState,
  type RateState,
  type RateBucket,
} from './rate/rate-state';

// Silent instruments
export {
  PIPELINE_CLOCK_VERSION,
  DEFAULT_MAX_LOG_STEP_MS,
  initialPipelineClock,
  advancePipelineClock,
  readPipelineClock,
  type PipelineClock,
  type PipelineClockOptions,
} from './silence/pipeline-clock';
export {
  SILENCE_STATE_VERSION,
  LEARNT_GAPS,
  expectedInterval,
  silentAt,
  readSilenceState,
  type SilenceState,
  type RaisedSilence,
  type ExpectedInterval,
} from './silence/silence-state';
export {
  recordDelivery,
  checkSilence,
  type InstrumentRef,
  type SilenceStep,
} from './silence/evaluate-silence';

// Clock skew (judged by the stream-processor; this builds its events)
export { clockSkewAlarmEvent, type ClockSkewChange } from './clock-skew';

// Alarm lifecycle (ISA-18.2)
export {
  ALARM_LIFECYCLE_VERSION,
  ALARM_STATES,
  SYSTEM_ACTOR,
  readAlarmLifecycle,
  type AlarmLifecycle,
  type AlarmState,
  type Acknowledgement,
  type Shelf,
} from './lifecycle/alarm-lifecycle';
export {
  AUDIT_ACTIONS,
  MAX_COMMENT_LENGTH,
  DEFAULT_MAX_SHELVE_MS,
  applyAlarmEvent,
  acknowledgeAlarm,
  shelveAlarm,
  unshelveAlarm,
  expireShelf,
  isShelved,
  commentOnAlarm,
  type AuditAction,
  type AlarmAuditEntry,
  type AlarmTransition,
  type AlarmAction,
  type ShelveAction,
} from './lifecycle/transitions';
export {
  idempotencyKeyOf,
  routingLevel,
  notificationPayload,
  type NotificationPayload,
} from './lifecycle/notification';

// The vocabulary alarms are written in, re-exported for convenience.
export {
  TRIGGER_LEVELS,
  classifyTriggerLevel,
  resolveTriggerLevels,
  resolveRateRule,
  resolveSilenceRule,
  type Alert,
  type AlarmEvent,
  type RateAlarmEvent,
  type NoDataAlarmEvent,
  type ClockSkewAlarmEvent,
  type RateRule,
  type SilenceRule,
  type TriggerLevel,
  type TriggerLevels,
} from '@geostream/instrument-schemas';
