/**
 * The tables of the app schema (APP_PG_SCHEMA, default geostream_app): operational data that is
 * not derived from the log, so a Kappa reprocessing run, which versions PG_SCHEMA, never touches
 * it. The one place their names are written; the alarm-manager and the dashboard import them.
 */
export const APP_TABLES = {
  /** Named users: username, role (viewer, engineer, admin), password hash. */
  user: 'app_user',
  /** Server-side sessions: the hash of the cookie's token, expiry, revocation, CSRF token. */
  session: 'user_session',
  /** Failed sign-ins per account and per address, for throttling. */
  loginThrottle: 'login_throttle',
  /** One row per alarm point: its lifecycle (ISA-18.2) and current occurrence. */
  alarm: 'alarm',
  /** Every alarm event received from the log, by id: the dedupe, and events waiting their turn. */
  alarmEvent: 'alarm_event',
  /** The append-only audit log of every transition (PostgreSQL refuses UPDATE and DELETE). */
  alarmAudit: 'alarm_audit',
  /** Who is told of what: e-mail recipient lists and webhooks, by level, condition and type. */
  notificationRoute: 'notification_route',
  /** One row per notification to send, written in the transaction of its transition. */
  notificationOutbox: 'notification_outbox',
  /** Audit entries not yet indexed in Elasticsearch, written with them. */
  searchOutbox: 'alarm_search_outbox',
  /** Every trigger-level change an admin made (append-only): who, when, what, why. */
  levelChange: 'trigger_level_change',
  /** Level changes not yet written to every partition of the raw topic. */
  levelOutbox: 'trigger_level_outbox',
} as const;

export type AppTable = (typeof APP_TABLES)[keyof typeof APP_TABLES];

/** Where knex keeps the app schema's migration bookkeeping. */
export const APP_MIGRATIONS_TABLE = 'geostream_app_migrations';

/** Roles of named users, least to most. */
export const USER_ROLES = ['viewer', 'engineer', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const NOTIFICATION_CHANNELS = ['email', 'webhook'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/**
 * pending: not yet tried; failing: tried, will be tried again (next_attempt_at); sent: the
 * receiver accepted it; failed: refused for good, or out of attempts (last_error says why).
 */
export const NOTIFICATION_STATUSES = ['pending', 'failing', 'sent', 'failed'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** applied: made a transition; ignored: changed nothing; parked: waits for its predecessor. */
export const ALARM_EVENT_STATUSES = ['applied', 'ignored', 'parked'] as const;
export type AlarmEventStatus = (typeof ALARM_EVENT_STATUSES)[number];

/** The LISTEN/NOTIFY channel of a schema's alarm transitions (committed ones only). */
export function alarmChannel(schema: string): string {
  // A channel is an identifier: at most 63 bytes.
  return `geostream_alarms_${schema}`.slice(0, 63);
}
