import { readFileSync } from 'node:fs';
import {
  INSTRUMENT_TYPES,
  parseSiteConfig,
  type InstrumentType,
  type SiteConfig,
} from '@geostream/instrument-schemas';
import {
  databaseSettings,
  httpSettings,
  kafkaSettings,
  logLevel,
  readConfig,
  topicSettings,
  type DatabaseSettings,
  type EnvReader,
  type Environment,
  type HttpSettings,
  type KafkaSettings,
  type LogLevel,
} from '@geostream/platform';

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

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const TOPIC_AFFIX = /^[A-Za-z0-9._-]{0,100}$/;

/** Per-type topic names: the type's wire name, optionally with a prefix and suffix (isolation, versioned outputs). */
export function windowTopicNames(prefix: string, suffix: string): LiveTopics['windows'] {
  return Object.fromEntries(
    INSTRUMENT_TYPES.map((type) => [type, `${prefix}${type}${suffix}`]),
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

function siteConfigFrom(env: EnvReader): SiteConfig | undefined {
  const file = env.optionalString('SITE_CONFIG_FILE');
  if (file === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    env.problem(
      'SITE_CONFIG_FILE',
      `cannot read ${JSON.stringify(file)}: ${(error as Error).message}`,
    );
    return undefined;
  }
  const parsed = parseSiteConfig(json);
  if (!parsed.ok) {
    const reasons = parsed.problems.map((p) => p.message).join('; ');
    env.problem(
      'SITE_CONFIG_FILE',
      `${JSON.stringify(file)} is not a valid site config: ${reasons}`,
    );
    return undefined;
  }
  return parsed.value;
}

export function readDashboardConfig(env: Environment): DashboardConfig {
  return readConfig(env, (r) => ({
    http: httpSettings(r, 8000),
    database: databaseSettings(r),
    pgSchema: r.string('PG_SCHEMA', 'public', {
      pattern: SCHEMA_NAME,
      hint: 'must be a lower-case PostgreSQL schema name (letters, digits, _)',
    }),
    kafka: kafkaSettings(r, 'batch-dashboard'),
    liveEnabled: r.bool('LIVE', true),
    topics: {
      alerts: topicSettings(r).alerts,
      windows: windowTopicNames(
        r.string('OUTPUT_TOPIC_PREFIX', '', {
          pattern: TOPIC_AFFIX,
          hint: 'must be topic-name characters',
        }),
        r.string('OUTPUT_TOPIC_SUFFIX', '', {
          pattern: TOPIC_AFFIX,
          hint: 'must be topic-name characters',
        }),
      ),
    },
    accessToken: accessToken(r),
    staleness: {
      multiplier: positiveNumber(r, 'STALE_MULTIPLIER', 3),
      fallbackIntervalMs: r.int('STALE_FALLBACK_INTERVAL_MS', 3_600_000, { min: 1_000 }),
    },
    siteConfig: siteConfigFrom(r),
    logLevel: logLevel(r),
  }));
}
