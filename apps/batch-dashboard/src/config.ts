import {
  INSTRUMENT_TYPES,
  type InstrumentType,
  type SiteConfig,
} from '@geostream/instrument-schemas';
import {
  alertsTopic,
  databaseSettings,
  httpSettings,
  kafkaSettings,
  logFormat,
  logLevel,
  outputNameSettings,
  readConfig,
  siteConfigSettings,
  type DatabaseSettings,
  type EnvReader,
  type Environment,
  type HttpSettings,
  type KafkaSettings,
  type LogFormat,
  type LogLevel,
} from '@geostream/platform';
import { perTypeTopicNamer } from '@geostream/sinks';

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
  readonly staleness: StalenessSettings;
  /** The site's trigger levels (SITE_CONFIG_FILE), or undefined for the library defaults. */
  readonly siteConfig: SiteConfig | undefined;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
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
