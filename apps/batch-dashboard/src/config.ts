import {
  INSTRUMENT_TYPES,
  type InstrumentType,
  type SiteConfig,
} from '@geostream/instrument-schemas';
import { DEFAULT_MAX_SHELVE_MS } from '@geostream/alerting';
import {
  alertsTopic,
  appDatabaseSettings,
  type AppDatabaseSettings,
  databaseSettings,
  httpSettings,
  kafkaSettings,
  logLevel,
  outputNameSettings,
  readConfig,
  siteConfigSettings,
  type DatabaseSettings,
  type EnvReader,
  type Environment,
  type HttpSettings,
  type KafkaSettings,
  type LogLevel,
} from '@geostream/platform';
import { perTypeTopicNamer } from '@geostream/sinks/names';
import { passwordProblem } from './auth/passwords';
import { USERNAME_PATTERN } from './auth/users';

/** Everything the dashboard reads from its environment, parsed once at start-up. */
export interface DashboardConfig {
  readonly http: HttpSettings;
  readonly database: DatabaseSettings;
  /** The PostgreSQL schema holding reading_window, alert_event and instrument_state. */
  readonly pgSchema: string;
  readonly kafka: KafkaSettings;
  /** LIVE=off runs the dashboard without Kafka: history, drill-down and overview only. */
  readonly liveEnabled: boolean;
  readonly topics: LiveTopics;
  /** When set, the page and the API require it (see README, "Access token"). */
  readonly accessToken: string | undefined;
  /** Named users and alarms: the app schema and role, sessions, the first admin. */
  readonly operations: OperationsSettings;
  readonly staleness: StalenessSettings;
  /** The site's trigger levels (SITE_CONFIG_FILE), or undefined for the library defaults. */
  readonly siteConfig: SiteConfig | undefined;
  readonly logLevel: LogLevel;
}

export interface LiveTopics {
  readonly alerts: string;
  readonly windows: { readonly [T in InstrumentType]: string };
}

export interface StalenessSettings {
  /** An instrument is stale when silent for longer than this multiple of its usual interval. */
  readonly multiplier: number;
  /** The usual interval assumed for an instrument with too little history to measure one. */
  readonly fallbackIntervalMs: number;
}

/**
 * Per-type topic names: the type's wire name, optionally with a prefix and suffix (isolation,
 * versioned outputs). Named by `perTypeTopicNamer`, the rule the stream-processor writes them by.
 */
export function windowTopicNames(prefix: string, suffix: string): LiveTopics['windows'] {
  const topicOf = perTypeTopicNamer({ prefix, suffix });
  return Object.fromEntries(
    INSTRUMENT_TYPES.map((type) => [type, topicOf(type)]),
  ) as LiveTopics['windows'];
}

function positiveNumber(env: EnvReader, name: string, fallback: number): number {
  const raw = env.raw(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    env.problem(name, `must be a positive number, got ${JSON.stringify(raw)}`);
    return fallback;
  }
  return value;
}

function accessToken(env: EnvReader): string | undefined {
  const token = env.optionalString('DASHBOARD_TOKEN');
  if (token !== undefined && token.length < 16) {
    env.problem('DASHBOARD_TOKEN', 'must be at least 16 characters (a long random value)');
  }
  return token;
}

export interface OperationsSettings {
  /** APP_PG_SCHEMA, APP_PG_ROLE (shared with the alarm-manager). */
  readonly app: AppDatabaseSettings;
  /** DASHBOARD_SESSION_MAX_AGE_S: how long a named user's session lasts. */
  readonly sessionMaxAgeS: number;
  /** MAX_SHELVE_MS: the longest an alarm may be shelved. */
  readonly maxShelveMs: number;
  /** DASHBOARD_ADMIN_USER, DASHBOARD_ADMIN_PASSWORD: the first admin of a new site. */
  readonly firstAdmin: { readonly username: string; readonly password: string } | undefined;
}

function operationsSettings(env: EnvReader): OperationsSettings {
  const username = env.optionalString('DASHBOARD_ADMIN_USER');
  const password = env.optionalString('DASHBOARD_ADMIN_PASSWORD');
  if ((username === undefined) !== (password === undefined))
    env.problem(
      username === undefined ? 'DASHBOARD_ADMIN_USER' : 'DASHBOARD_ADMIN_PASSWORD',
      'DASHBOARD_ADMIN_USER and DASHBOARD_ADMIN_PASSWORD go together',
    );
  if (username !== undefined && !new RegExp(USERNAME_PATTERN).test(username))
    env.problem(
      'DASHBOARD_ADMIN_USER',
      'must be 2 to 64 characters: lower-case letters, digits, . _ -',
    );
  const weak = password === undefined ? undefined : passwordProblem(password);
  if (weak !== undefined) env.problem('DASHBOARD_ADMIN_PASSWORD', weak);
  return {
    app: appDatabaseSettings(env),
    sessionMaxAgeS: env.int('DASHBOARD_SESSION_MAX_AGE_S', 12 * 3600, { min: 60, max: 2_592_000 }),
    maxShelveMs: env.int('MAX_SHELVE_MS', DEFAULT_MAX_SHELVE_MS, {
      min: 60_000,
      max: 90 * 86_400_000,
    }),
    firstAdmin:
      username !== undefined && password !== undefined ? { username, password } : undefined,
  };
}

export function readDashboardConfig(env: Environment): DashboardConfig {
  return readConfig(env, (r) => {
    const outputs = outputNameSettings(r);
    return {
      http: httpSettings(r, 8000),
      database: databaseSettings(r),
      pgSchema: outputs.postgresSchema,
      kafka: kafkaSettings(r, 'batch-dashboard'),
      liveEnabled: r.bool('LIVE', true),
      topics: {
        alerts: alertsTopic(r),
        windows: windowTopicNames(outputs.topicPrefix, outputs.topicSuffix),
      },
      accessToken: accessToken(r),
      operations: operationsSettings(r),
      staleness: {
        multiplier: positiveNumber(r, 'STALE_MULTIPLIER', 3),
        fallbackIntervalMs: r.int('STALE_FALLBACK_INTERVAL_MS', 3_600_000, { min: 1_000 }),
      },
      siteConfig: siteConfigSettings(r).config,
      logLevel: logLevel(r),
    };
  });
}
