// The shared vocabulary of geostream: instrument types, wire formats (TypeBox definitions, from
// which both the TypeScript types and the JSON Schemas come), validation that names every
// problem with a stable code, and trigger levels. Pure: no I/O, no clock.

export {
  INSTRUMENT_TYPES,
  INSTRUMENT_SPECS,
  isInstrumentType,
  physicalRangeFor,
  simulationRangeFor,
  type InstrumentType,
  type InstrumentSpec,
  type RangeSpec,
  type ValueRange,
} from './instrument-types';
export { PLAUSIBLE_POSITION, TIMESTAMP_YEARS } from './plausible-positions';
export { CLOCK_STATUSES, type ClockStatus, type InstrumentClock } from './clock-status';
export { instrumentKey, windowId, windowIdAt } from './identity';
export {
  alertId,
  rateAlarmId,
  noDataAlarmId,
  clockSkewAlarmId,
  alarmPointKey,
  alarmPointKeyOf,
} from './alert-id';

export {
  REASON_CODES,
  isReasonCode,
  type ReasonCode,
  type Problem,
  type MessageProblem,
  type ValidationResult,
  type DecodedMessage,
} from './problems';

// Wire formats
export {
  READING_FORMAT_VERSION,
  InstrumentTypeSchema,
  ReadingSchema,
  BatchEnvelopeSchema,
  type ReadingMessage,
  type Reading,
  type BatchEnvelope,
} from './schemas/reading';
export {
  WINDOW_RECORD_SCHEMA_VERSION,
  WindowRecordSchema,
  type WindowRecord,
} from './schemas/window-record';
export {
  ALERT_SCHEMA_VERSION,
  ALERT_KINDS,
  AlertSchema,
  type Alert,
  type AlertKind,
} from './schemas/alert';
export {
  ALARM_CONDITIONS,
  AlarmEventSchema,
  RateAlarmEventSchema,
  NoDataAlarmEventSchema,
  ClockSkewAlarmEventSchema,
  alarmConditionOf,
  type AlarmCondition,
  type AlarmEvent,
  type RateAlarmEvent,
  type NoDataAlarmEvent,
  type ClockSkewAlarmEvent,
} from './schemas/alarm-event';
export {
  DURATION_PATTERN,
  RATE_UNIT_PATTERN,
  RATE_DIRECTIONS,
  ALARM_LEVELS,
  RateOfChangeRuleSchema,
  RateOfChangeSettingSchema,
  SilenceRuleSchema,
  SilenceSettingSchema,
  type RateDirection,
  type AlarmLevel,
  type RateOfChangeRuleConfig,
  type RateOfChangeSetting,
  type SilenceRuleConfig,
  type SilenceSetting,
} from './schemas/alarm-rules';
export {
  DEAD_LETTER_SCHEMA_VERSION,
  DeadLetterSchema,
  ReasonCodeSchema,
  ProblemSchema,
  type DeadLetter,
} from './schemas/dead-letter';
export {
  SITE_CONFIG_VERSION,
  SiteConfigSchema,
  InstrumentOverrideSchema,
  type SiteConfig,
  type InstrumentOverride,
} from './schemas/site-config';
export {
  TRIGGER_LEVELS,
  TRIGGER_DIRECTIONS,
  TriggerLevelSchema,
  TriggerDirectionSchema,
  TriggerThresholdsSchema,
  TriggerLevelsSchema,
  TriggerLevelsConfigSchema,
  type TriggerLevel,
  type TriggerDirection,
  type TriggerThresholds,
  type TriggerLevels,
  type TriggerLevelsConfig,
} from './schemas/trigger-levels';
export {
  TIMESTAMP_PATTERN,
  CANONICAL_TIMESTAMP_PATTERN,
  IDENTIFIER_PATTERN,
  MAX_IDENTIFIER_LENGTH,
  MAX_IDENTIFIER_BYTES,
} from './schemas/patterns';
export { jsonSchemas, type JsonSchemaName } from './schemas';

// Validation
export { validateReading } from './validation/validate-reading';
export { validateEnvelope, validateMessage } from './validation/validate-message';
export {
  decodeRawMessage,
  DEFAULT_MAX_MESSAGE_BYTES,
  type DecodeOptions,
  type DecodedRawMessage,
} from './validation/decode-raw-message';
export { validateWindowRecord } from './validation/validate-window-record';
export { parseTimestampMs, normaliseTimestamp } from './validation/timestamp';

// Trigger levels, alarm rules and site configuration
export {
  classifyTriggerLevel,
  classifyDirection,
  triggerLevelRank,
  maxTriggerLevel,
  triggerDirectionOf,
} from './trigger-levels';
export {
  parseSiteConfig,
  resolveTriggerLevels,
  resolveRateRule,
  resolveSilenceRule,
  toAbsoluteTriggerLevels,
} from './site-config';
export {
  LEVEL_CHANGE_VERSION,
  CONTROL_HEADER,
  LEVEL_CHANGE_CONTROL,
  LEVEL_CHANGE_KEY,
  levelScopeKey,
  parseTriggerLevelChange,
  triggerLevelsProblems,
  applyLevelChanges,
  encodeTriggerLevelChange,
  type TriggerLevelChange,
} from './level-changes';
export {
  TIME_UNIT_MS,
  MAX_RULE_DURATION_MS,
  MIN_RATE_INTERVAL_MS,
  MIN_SILENCE_INTERVAL_MS,
  DEFAULT_SILENCE_MULTIPLIER,
  DEFAULT_SILENCE_LEVEL,
  parseDurationMs,
  formatDurationMs,
  ratePerMs,
  toRateRule,
  validateRateOfChangeRule,
  toSilenceRule,
  type RateRule,
  type SilenceRule,
} from './alarm-rules';

// Dead letters
export {
  buildDeadLetter,
  boundDeadLetter,
  deadLetterForProblem,
  type DeadLetterSource,
  type DeadLetterInput,
} from './dead-letter';

// JSON structure without parsing: value and item spans in the original text
export {
  skipWhitespace,
  skipString,
  skipValue,
  jsonTextStart,
  objectMembers,
  arrayElements,
  lastMember,
  envelopeItemSpansAt,
  envelopeItemSpans,
  type JsonMember,
  type JsonMemberReader,
} from './json-scanner';
