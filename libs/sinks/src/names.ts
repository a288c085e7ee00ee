// Pure entry point (`@geostream/sinks/names`): the names readers share with the sinks (PostgreSQL
// tables and columns, per-type topic names) and the one query that says which version's names
// are current, so a reader such as the dashboard gets them without loading the PostgreSQL,
// Elasticsearch or Kafka clients (the query runs on the reader's own knex). The root entry
// (`@geostream/sinks`) re-exports everything here.

export {
  POSTGRES_TABLES,
  MIGRATIONS_TABLE,
  REPROCESS_TABLES,
  READING_WINDOW_COLUMNS,
  READING_WINDOW_KEY,
  ALERT_EVENT_COLUMNS,
  INSTRUMENT_STATE_COLUMNS,
  PROCESSOR_CHECKPOINT_COLUMNS,
  PROCESSOR_INSTRUMENT_CHECKPOINT_COLUMNS,
  RECORD_VIEW_COLUMNS,
  PLAN_UNDERLAY_COLUMNS,
  type ReadingWindowColumn,
  type AlertEventColumn,
  type InstrumentStateColumn,
  type ProcessorCheckpointColumn,
  type ProcessorInstrumentCheckpointColumn,
  type RecordViewColumn,
  type PlanUnderlayColumn,
} from './postgres/tables';
export { readCurrentVersion, type CurrentVersion } from './postgres/reprocess-pointer';
export { perTypeTopicNamer, perTypeTopicNames, defaultPerTypeTopic } from './kafka/topic-names';
// The app schema (APP_PG_SCHEMA): users, sessions, alarms, audit log, notifications.
export {
  APP_TABLES,
  APP_MIGRATIONS_TABLE,
  USER_ROLES,
  NOTIFICATION_CHANNELS,
  NOTIFICATION_STATUSES,
  ALARM_EVENT_STATUSES,
  alarmChannel,
  type AppTable,
  type UserRole,
  type NotificationChannel,
  type NotificationStatus,
  type AlarmEventStatus,
} from './postgres/app/app-tables';
