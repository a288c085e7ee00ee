import {
  alertsTopic,
  appDatabaseSettings,
  databaseSettings,
  elasticsearchSettings,
  httpSettings,
  kafkaSettings,
  logLevel,
  readConfig,
  readSchema,
  type AppDatabaseSettings,
  type DatabaseSettings,
  type ElasticsearchSettings,
  type EnvReader,
  type Environment,
  type HttpSettings,
  type KafkaSettings,
  type LogLevel,
  type RetryPolicy,
} from '@geostream/platform';

/** Everything the alarm-manager reads from its environment, once, at start-up. */
export interface AlarmManagerConfig {
  readonly kafka: KafkaSettings;
  /** ALERTS_TOPIC: the alarm events the stream-processor writes (until a version is current, below). */
  readonly alertsTopic: string;
  /**
   * READ_PG_SCHEMA: where tools/reprocess keeps its registry. Once it names a current version,
   * the alerts topic read is that version's, and it follows every switch-over (and rollback).
   */
  readonly readSchema: string;
  /** ALERTS_TOPIC_FOLLOW_MS: how often the registry is asked; 0: ALERTS_TOPIC, always. */
  readonly alertsTopicFollowMs: number;
  /** ALARM_MANAGER_GROUP: its consumer group (a new group starts at the topic's beginning). */
  readonly consumerGroup: string;
  /** KAFKA_SESSION_TIMEOUT_MS: how long a silent (killed) instance keeps its partitions. */
  readonly sessionTimeoutMs: number;
  readonly database: DatabaseSettings;
  readonly app: AppDatabaseSettings;
  readonly elasticsearch: ElasticsearchSettings;
  /** ALERTS_INDEX: the Elasticsearch index of alarms and transitions. */
  readonly alertsIndex: string;
  readonly notifications: NotificationSettings;
  /** PARKED_EVENT_TIMEOUT_MS: an event waiting this long for its predecessor is applied anyway. */
  readonly parkedEventTimeoutMs: number;
  readonly http: HttpSettings;
  readonly logLevel: LogLevel;
}

export interface NotificationSettings {
  /** SMTP_URL, e.g. smtp://user:pass@mail.example:587; undefined: e-mail routes fail, visibly. */
  readonly smtpUrl: string | undefined;
  /** SMTP_FROM: the From of every e-mail; its domain also names the Message-IDs. */
  readonly from: string;
  /** DASHBOARD_URL: linked from e-mails. */
  readonly dashboardUrl: string;
  /** NOTIFY_POLL_MS: how often the outbox is looked at. */
  readonly pollMs: number;
  /** NOTIFY_TIMEOUT_MS: one webhook request or SMTP conversation. */
  readonly timeoutMs: number;
  /** NOTIFY_LEASE_MS: a claimed row is the sender's this long (more than the timeout). */
  readonly leaseMs: number;
  /** NOTIFY_MAX_ATTEMPTS: after this many, a failing notification is given up (failed). */
  readonly maxAttempts: number;
  /** NOTIFY_RETRY_INITIAL_MS, NOTIFY_RETRY_MAX_MS: the backoff between attempts. */
  readonly retry: RetryPolicy;
  /** NOTIFY_MAX_EVENT_AGE_MS: events older than this when read (a catch-up) notify nobody. */
  readonly maxEventAgeMs: number;
}

const DAY_MS = 86_400_000;

function notificationSettings(env: EnvReader): NotificationSettings {
  const smtp = env.optionalString('SMTP_URL');
  if (smtp !== undefined) env.url('SMTP_URL', 'smtp://127.0.0.1:25', ['smtp:', 'smtps:']);
  const timeoutMs = env.int('NOTIFY_TIMEOUT_MS', 10_000, { min: 100, max: 300_000 });
  const leaseMs = env.int('NOTIFY_LEASE_MS', 60_000, { min: 1_000, max: 3_600_000 });
  if (leaseMs <= timeoutMs + 1_000)
    env.problem(
      'NOTIFY_LEASE_MS',
      `must exceed NOTIFY_TIMEOUT_MS (${timeoutMs}) by more than 1000: a claim must outlast its send`,
    );
  const initialDelayMs = env.int('NOTIFY_RETRY_INITIAL_MS', 1_000, { min: 10, max: DAY_MS });
  const maxDelayMs = env.int('NOTIFY_RETRY_MAX_MS', 600_000, { min: 10, max: DAY_MS });
  if (maxDelayMs < initialDelayMs)
    env.problem(
      'NOTIFY_RETRY_MAX_MS',
      `must be at least NOTIFY_RETRY_INITIAL_MS (${initialDelayMs})`,
    );
  const maxAttempts = env.int('NOTIFY_MAX_ATTEMPTS', 12, { min: 1, max: 1_000 });
  return {
    smtpUrl: smtp,
    from: env.string('SMTP_FROM', 'geostream <alarms@geostream.local>', {
      pattern: /^[^\r\n]*@[^\r\n]+$/,
      hint: 'must be an address, e.g. "geostream <alarms@site.example>"',
    }),
    dashboardUrl: env.url('DASHBOARD_URL', 'http://127.0.0.1:8000/dashboard/', ['http:', 'https:'])
      .href,
    pollMs: env.int('NOTIFY_POLL_MS', 500, { min: 50, max: 60_000 }),
    timeoutMs,
    leaseMs,
    maxAttempts,
    retry: { retries: maxAttempts - 1, initialDelayMs, maxDelayMs, factor: 2 },
    maxEventAgeMs: env.int('NOTIFY_MAX_EVENT_AGE_MS', DAY_MS, { min: 1_000, max: 365 * DAY_MS }),
  };
}

function alertsTopicFollowMs(env: EnvReader): number {
  const ms = env.int('ALERTS_TOPIC_FOLLOW_MS', 10_000, { min: 0, max: 3_600_000 });
  if (ms > 0 && ms < 1_000)
    env.problem('ALERTS_TOPIC_FOLLOW_MS', 'must be 0 (do not follow) or at least 1000');
  return ms;
}

export function alarmManagerSettings(env: EnvReader): AlarmManagerConfig {
  return {
    kafka: kafkaSettings(env, 'alarm-manager'),
    alertsTopic: alertsTopic(env),
    readSchema: readSchema(env),
    alertsTopicFollowMs: alertsTopicFollowMs(env),
    consumerGroup: env.string('ALARM_MANAGER_GROUP', 'alarm-manager', {
      pattern: /^[A-Za-z0-9._-]{1,200}$/,
      hint: 'must be a consumer group id (letters, digits, . _ -)',
    }),
    sessionTimeoutMs: env.int('KAFKA_SESSION_TIMEOUT_MS', 30_000, { min: 6_000, max: 300_000 }),
    database: databaseSettings(env),
    app: appDatabaseSettings(env),
    elasticsearch: elasticsearchSettings(env),
    alertsIndex: env.string('ALERTS_INDEX', 'alerts', {
      pattern: /^[a-z0-9][a-z0-9._-]{0,200}$/,
      hint: 'must be a lower-case Elasticsearch index name, e.g. alerts',
    }),
    notifications: notificationSettings(env),
    parkedEventTimeoutMs: env.int('PARKED_EVENT_TIMEOUT_MS', 300_000, {
      min: 1_000,
      max: 7 * DAY_MS,
    }),
    http: httpSettings(env, 9103),
    logLevel: logLevel(env),
  };
}

/** @throws ConfigError naming every bad variable */
export function readAlarmManagerConfig(env: Environment): AlarmManagerConfig {
  return readConfig(env, alarmManagerSettings);
}
