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
  logFormat,
  logLevel,
  outputNameSettings,
  rawTopic,
  readConfig,
  readSchema,
  siteConfigSettings,
  type DatabaseSettings,
  type EnvReader,
  type Environment,
  type HttpSettings,
  type KafkaSettings,
  type LogFormat,
  type LogLevel,
} from '@geostream/platform';
import { perTypeTopicNamer } from '@geostream/sinks/names';
import { passwordProblem } from './auth/passwords';
import { USERNAME_PATTERN } from './auth/users';
import { DEFAULT_CSV_LIMITS } from './api/csv-response';
import { DEFAULT_SSE_SETTINGS } from './api/live-routes';
import { DEFAULT_SESSION_MAX_AGE_S } from './http/access-token';

/** Everything the dashboard reads from its environment, parsed once at start-up. */
export interface DashboardConfig {
  readonly http: HttpSettings;
  readonly database: DatabaseSettings;
  /**
   * The PostgreSQL schema it reads reading_window, alert_event and instrument_state in:
   * READ_PG_SCHEMA (the read schema of views a reprocessing switch-over moves), else PG_SCHEMA.
   */
  readonly pgSchema: string;
  readonly kafka: KafkaSettings;
  /** LIVE=off runs the dashboard without Kafka: history, drill-down and overview only. */
  readonly liveEnabled: boolean;
  readonly topics: LiveTopics;
  /** RAW_TOPIC: where admins' trigger-level changes are written, one copy per partition. */
  readonly rawTopic: string;
  /** LIVE_FOLLOW_INTERVAL_MS: how often the live feed checks the reprocessing registry for a switch. */
  readonly liveFollowIntervalMs: number;
  /** PG_READ_ROLE: the read-only role every connection sets (the sinks' migrations create it). */
  readonly readRole: string;
  /** PG_DRAWINGS_ROLE: the role the admin routes store site drawings as (plan_underlay alone). */
  readonly drawingsRole: string;
  /** When set, the page and the API require it (see README, "Access token"). */
  readonly accessToken: string | undefined;
  /** Named users and alarms: the app schema and role, sessions, the first admin. */
  readonly operations: OperationsSettings;
  /** DASHBOARD_SESSION_MAX_AGE_S: how long a signed-in browser stays signed in. */
  readonly sessionMaxAgeS: number;
  /** TRUST_PROXY: whose X-Forwarded-* headers to believe (fastify's trustProxy). */
  readonly trustProxy: TrustProxy;
  readonly limits: DashboardLimits;
  readonly staleness: StalenessSettings;
  /** The site's trigger levels (SITE_CONFIG_FILE), or undefined for the library defaults. */
  readonly siteConfig: SiteConfig | undefined;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
}

/** false: none; true: any; a number: that many hops; a list: those addresses or CIDR ranges. */
export type TrustProxy = boolean | number | string[];

export interface DashboardLimits {
  /** CSV_MAX_ROWS: rows in one export; past it the export ends with a line saying so. */
  readonly csvMaxRows: number;
  /** CSV_MAX_DURATION_MS: how long one export may run (a slow client holds a connection). */
  readonly csvMaxDurationMs: number;
  /** CSV_MAX_CONCURRENT: exports at once (each holds a pooled connection); more get a 503. */
  readonly csvMaxConcurrent: number;
  /** LIVE_MAX_CONNECTIONS: live (SSE) streams at once; more get a 503. */
  readonly liveMaxConnections: number;
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
  env.noteDefault(name, fallback);
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

function trustProxy(env: EnvReader): TrustProxy {
  env.noteDefault('TRUST_PROXY', false);
  const raw = env.raw('TRUST_PROXY')?.trim();
  if (raw === undefined || raw === '') return false;
  if (/^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  if (/^\d+$/.test(raw)) return Number(raw);
  const list = raw.split(',').map((item) => item.trim());
  if (list.every((item) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(item))) return list;
  env.problem(
    'TRUST_PROXY',
    'must be true, false, a number of proxy hops, or a comma list of proxy addresses (CIDR allowed)',
  );
  return false;
}

function limits(env: EnvReader, poolMax: number): DashboardLimits {
  const csvMaxConcurrent = env.int('CSV_MAX_CONCURRENT', DEFAULT_CSV_LIMITS.maxConcurrent, {
    min: 1,
    max: 100,
  });
  if (csvMaxConcurrent >= poolMax) {
    // Exports hold their connection for their whole stream: the pages need one left.
    env.problem('CSV_MAX_CONCURRENT', `must be below DATABASE_POOL_MAX (${poolMax})`);
  }
  return {
    csvMaxRows: env.int('CSV_MAX_ROWS', DEFAULT_CSV_LIMITS.maxRows, { min: 1, max: 100_000_000 }),
    csvMaxDurationMs: env.int('CSV_MAX_DURATION_MS', DEFAULT_CSV_LIMITS.maxDurationMs, {
      min: 1_000,
      max: 3_600_000,
    }),
    csvMaxConcurrent,
    liveMaxConnections: env.int('LIVE_MAX_CONNECTIONS', DEFAULT_SSE_SETTINGS.maxConnections, {
      min: 1,
      max: 100_000,
    }),
  };
}

export interface OperationsSettings {
  /** APP_PG_SCHEMA, APP_PG_ROLE (shared with the alarm-manager). */
  readonly app: AppDatabaseSettings;
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
    const database = databaseSettings(r);
    return {
      http: httpSettings(r, 8000),
      database,
      // Its own variable, so one environment (npm start) can give the processor its PG_SCHEMA
      // and every reader the read schema.
      pgSchema: readSchema(r, outputs.postgresSchema),
      readRole: outputs.postgresReadRole,
      drawingsRole: outputs.postgresDrawingsRole,
      sessionMaxAgeS: r.int('DASHBOARD_SESSION_MAX_AGE_S', DEFAULT_SESSION_MAX_AGE_S, {
        min: 60,
        max: 2_592_000,
      }),
      trustProxy: trustProxy(r),
      limits: limits(r, database.poolMax),
      kafka: kafkaSettings(r, 'batch-dashboard'),
      liveEnabled: r.bool('LIVE', true),
      liveFollowIntervalMs: r.int('LIVE_FOLLOW_INTERVAL_MS', 5_000, { min: 100, max: 600_000 }),
      rawTopic: rawTopic(r),
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
      logFormat: logFormat(r),
    };
  });
}
