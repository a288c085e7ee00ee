// Entry point `@geostream/sinks/app`: the app schema (APP_PG_SCHEMA) and nothing else: its
// migrations and role, the app role's knex, the alarm store, the notification and search
// outboxes. It loads knex and pg only (no Elasticsearch or Kafka client), for the dashboard.
// The root entry re-exports all of it.

export { APP_MIGRATIONS, migrateAppSchema, grantAppRole } from './postgres/app/app-migrations';
export { createAppDatabase, type AppDatabaseOptions } from './postgres/app/app-database';
export {
  createAlarmStore,
  auditRowToEntry,
  type AlarmStore,
  type AlarmTx,
  type WriteOptions,
  type WrittenTransition,
  type StoredAuditEntry,
  type AuditRow,
} from './postgres/app/alarm-store';
export {
  createNotificationOutbox,
  type NotificationOutbox,
  type ClaimedNotification,
  type NotificationOutcome,
} from './postgres/app/notification-outbox';
export { createSearchOutbox, type SearchOutbox } from './postgres/app/search-outbox';
export {
  createLevelChangeStore,
  levelChangeOf,
  type LevelChangeStore,
  type NewLevelChange,
  type StoredLevelChange,
} from './postgres/app/level-change-store';
