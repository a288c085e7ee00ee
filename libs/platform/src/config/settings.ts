import { readFileSync } from 'node:fs';
import { parseSiteConfig, type SiteConfig } from '@geostream/instrument-schemas';
import type { EnvReader } from './env-reader';

/**
 * The shared settings groups. Each app composes the groups it needs, so a variable an app does
 * not use can never stop it. Names and defaults are documented in the root README.
 */

export interface KafkaSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** TLS passthrough: `true`, or CA/cert/key PEM contents for private CAs and mTLS. */
  readonly ssl: boolean | { readonly ca?: string; readonly cert?: string; readonly key?: string };
  readonly sasl?: {
    readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    readonly username: string;
    readonly password: string;
  };
}

const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/;

export function kafkaSettings(env: EnvReader, clientId: string): KafkaSettings {
  const brokers = env.list('KAFKA_BROKERS', ['127.0.0.1:9092']);
  const bad = brokers.filter((broker) => !BROKER.test(broker));
  if (bad.length > 0)
    env.problem(
      'KAFKA_BROKERS',
      `each broker must be host:port, got ${JSON.stringify(bad.join(','))}`,
    );
  const tls = env.bool('KAFKA_SSL', false);
  const ca = readPemFile(env, 'KAFKA_SSL_CA_FILE');
  const cert = readPemFile(env, 'KAFKA_SSL_CERT_FILE');
  const key = readPemFile(env, 'KAFKA_SSL_KEY_FILE');
  const mechanism = env.optionalString('KAFKA_SASL_MECHANISM');
  let sasl: KafkaSettings['sasl'];
  if (mechanism !== undefined) {
    const allowed = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
    const chosen = env.oneOf('KAFKA_SASL_MECHANISM', allowed, 'plain');
    const username = env.optionalString('KAFKA_SASL_USERNAME');
    const password = env.optionalString('KAFKA_SASL_PASSWORD');
    if (username === undefined)
      env.problem('KAFKA_SASL_USERNAME', 'is required when KAFKA_SASL_MECHANISM is set');
    if (password === undefined)
      env.problem('KAFKA_SASL_PASSWORD', 'is required when KAFKA_SASL_MECHANISM is set');
    sasl = { mechanism: chosen, username: username ?? '', password: password ?? '' };
  }
  const hasPem = ca !== undefined || cert !== undefined || key !== undefined;
  return {
    brokers: bad.length > 0 ? ['127.0.0.1:9092'] : brokers,
    clientId: env.string('KAFKA_CLIENT_ID', clientId),
    ssl: hasPem ? { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) } : tls,
    ...(sasl && { sasl }),
  };
}

export interface DatabaseSettings {
  /** A postgres:// URL; TLS passes through libpq-style parameters (sslmode, sslrootcert, ...). */
  readonly url: string;
  readonly poolMax: number;
}

export function databaseSettings(env: EnvReader): DatabaseSettings {
  const url = env.url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/monitoring', [
    'postgres:',
    'postgresql:',
  ]);
  if (url.pathname.length <= 1)
    env.problem('DATABASE_URL', 'must name a database, e.g. postgres://host:5432/monitoring');
  return { url: url.toString(), poolMax: env.int('DATABASE_POOL_MAX', 10, { min: 1, max: 200 }) };
}

export type ElasticsearchSettings =
  | { readonly enabled: false }
  | {
      readonly enabled: true;
      readonly url: string;
      readonly apiKey?: string;
      readonly caCertificate?: string;
    };

/** ELASTICSEARCH_URL=off disables the Elasticsearch sink; the other sinks work alone. */
export function elasticsearchSettings(env: EnvReader): ElasticsearchSettings {
  if (env.raw('ELASTICSEARCH_URL')?.toLowerCase() === 'off') return { enabled: false };
  const url = env.url('ELASTICSEARCH_URL', 'http://127.0.0.1:9200', ['http:', 'https:']);
  const apiKey = env.optionalString('ELASTICSEARCH_API_KEY');
  const caCertificate = readPemFile(env, 'ELASTICSEARCH_CA_FILE');
  return {
    enabled: true,
    url: url.toString(),
    ...(apiKey && { apiKey }),
    ...(caCertificate && { caCertificate }),
  };
}

export interface TopicSettings {
  readonly raw: string;
  readonly deadLetter: string;
  readonly alerts: string;
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const TOPIC_HINT = 'must be a Kafka topic name (letters, digits, . _ -)';

function topicName(env: EnvReader, name: string, fallback: string): string {
  return env.string(name, fallback, { pattern: TOPIC_NAME, hint: TOPIC_HINT });
}

/** RAW_TOPIC: the raw readings topic (the producer writes it, the stream-processor reads it). */
export function rawTopic(env: EnvReader): string {
  return topicName(env, 'RAW_TOPIC', 'monitoring');
}

/** DLQ_TOPIC: where the stream-processor puts the records it cannot process. */
export function deadLetterTopic(env: EnvReader): string {
  return topicName(env, 'DLQ_TOPIC', 'monitoring.dlq');
}

/** ALERTS_TOPIC: the alerts topic (the stream-processor writes it, the dashboard reads it). */
export function alertsTopic(env: EnvReader): string {
  return topicName(env, 'ALERTS_TOPIC', 'monitoring.alerts');
}

/** All three topics, for an app that uses all three; an app using one reads only that one. */
export function topicSettings(env: EnvReader): TopicSettings {
  return { raw: rawTopic(env), deadLetter: deadLetterTopic(env), alerts: alertsTopic(env) };
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** LOG_FORMAT: `json`, `pretty` (one coloured line per event), or `auto`: pretty on a terminal. */
export type LogFormat = 'auto' | 'json' | 'pretty';

export function logFormat(env: EnvReader): LogFormat {
  return env.oneOf('LOG_FORMAT', ['auto', 'json', 'pretty'] as const, 'auto');
}

export function logLevel(env: EnvReader): LogLevel {
  return env.oneOf(
    'LOG_LEVEL',
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
    'info',
  );
}

export interface HttpSettings {
  readonly host: string;
  readonly port: number;
}

/** HOST defaults to 127.0.0.1: a site laptop should not expose its services unless asked. */
export function httpSettings(env: EnvReader, defaultPort: number): HttpSettings {
  return { host: env.string('HOST', '127.0.0.1'), port: env.port('PORT', defaultPort) };
}

function readPemFile(env: EnvReader, name: string): string | undefined {
  const file = env.optionalString(name);
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    env.problem(name, `cannot read ${JSON.stringify(file)}: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * Where the stream-processor's outputs live in PostgreSQL and Kafka. The processor writes them and
 * the dashboard reads them, so both read these variables here, with the same rules; a Kappa
 * reprocessing run sets a new versioned set (e.g. `PG_SCHEMA=geostream_v2`,
 * `OUTPUT_TOPIC_SUFFIX=.v2`). ES_INDEX_PREFIX is the processor's own: the dashboard reads no index.
 */
export interface OutputNameSettings {
  /** PG_SCHEMA: the schema of reading_window, alert_event, instrument_state. */
  readonly postgresSchema: string;
  /** PG_READ_ROLE: the read-only role granted that schema; the dashboard reads as it. */
  readonly postgresReadRole: string;
  /** PG_DRAWINGS_ROLE: the role that may write plan_underlay alone; the dashboard stores site drawings as it. */
  readonly postgresDrawingsRole: string;
  /** OUTPUT_TOPIC_PREFIX, OUTPUT_TOPIC_SUFFIX: per-type topics are `<prefix><type><suffix>`. */
  readonly topicPrefix: string;
  readonly topicSuffix: string;
}

const TOPIC_AFFIX = /^[A-Za-z0-9._-]{0,100}$/;
const TOPIC_AFFIX_HINT = 'must be topic-name characters (letters, digits, . _ -)';

/** A lower-case PostgreSQL identifier (a schema or role name we create and always quote). */
export const POSTGRES_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** The read-only role the sinks' migrations create and the dashboard uses (PG_READ_ROLE). */
export const DEFAULT_READ_ROLE = 'geostream_reader';

/** The role the sinks' migrations let write site drawings (plan_underlay) alone (PG_DRAWINGS_ROLE). */
export const DEFAULT_DRAWINGS_ROLE = 'geostream_drawings_writer';

export function outputNameSettings(env: EnvReader): OutputNameSettings {
  const settings: OutputNameSettings = {
    postgresSchema: env.string('PG_SCHEMA', 'public', {
      pattern: POSTGRES_IDENTIFIER,
      hint: 'must be a lower-case PostgreSQL identifier, e.g. geostream_v2',
    }),
    postgresReadRole: env.string('PG_READ_ROLE', DEFAULT_READ_ROLE, {
      pattern: POSTGRES_IDENTIFIER,
      hint: 'must be a lower-case PostgreSQL identifier, e.g. geostream_reader',
    }),
    postgresDrawingsRole: env.string('PG_DRAWINGS_ROLE', DEFAULT_DRAWINGS_ROLE, {
      pattern: POSTGRES_IDENTIFIER,
      hint: 'must be a lower-case PostgreSQL identifier, e.g. geostream_drawings_writer',
    }),
    topicPrefix: env.string('OUTPUT_TOPIC_PREFIX', '', {
      pattern: TOPIC_AFFIX,
      hint: TOPIC_AFFIX_HINT,
    }),
    topicSuffix: env.string('OUTPUT_TOPIC_SUFFIX', '', {
      pattern: TOPIC_AFFIX,
      hint: TOPIC_AFFIX_HINT,
    }),
  };
  if (settings.postgresDrawingsRole === settings.postgresReadRole) {
    env.problem('PG_DRAWINGS_ROLE', 'must differ from PG_READ_ROLE (the read role writes nothing)');
  }
  return settings;
}

/** Where tools/reprocess keeps the views readers use and its registry, unless told otherwise. */
export const DEFAULT_READ_SCHEMA = 'geostream_read';

/**
 * READ_PG_SCHEMA: the read schema of a Kappa reprocessing set-up (tools/reprocess): the views a
 * switch-over moves, and the registry naming the current version's outputs. `fallback` is the
 * app's own default (the dashboard reads PG_SCHEMA directly when nothing is versioned).
 */
export function readSchema(env: EnvReader, fallback: string = DEFAULT_READ_SCHEMA): string {
  return env.string('READ_PG_SCHEMA', fallback, {
    pattern: POSTGRES_IDENTIFIER,
    hint: 'must be a lower-case PostgreSQL identifier, e.g. geostream_read',
  });
}

/**
 * Operational data that is not derived from the log: named users and their sessions, the alarm
 * lifecycle and its audit log, the notification routes and outbox. It must survive a Kappa
 * reprocessing run (which versions PG_SCHEMA), so it lives in a schema of its own that is never
 * versioned. Every app that reads or writes it (alarm-manager, dashboard) reads these here.
 */
export interface AppDatabaseSettings {
  /** APP_PG_SCHEMA: the schema of users, sessions, alarms, audit and notifications. */
  readonly schema: string;
  /**
   * APP_PG_ROLE: the role the apps act as in that schema (its migrations create it and grant
   * it what it needs: no UPDATE or DELETE on the audit log). The login role is made a member.
   */
  readonly role: string;
}

export function appDatabaseSettings(env: EnvReader): AppDatabaseSettings {
  return {
    schema: env.string('APP_PG_SCHEMA', 'geostream_app', {
      pattern: POSTGRES_IDENTIFIER,
      hint: 'must be a lower-case PostgreSQL identifier, e.g. geostream_app',
    }),
    role: env.string('APP_PG_ROLE', 'geostream_operator', {
      pattern: POSTGRES_IDENTIFIER,
      hint: 'must be a lower-case PostgreSQL identifier, e.g. geostream_operator',
    }),
  };
}

export interface SiteConfigSettings {
  /** SITE_CONFIG_FILE, as given. */
  readonly file: string | undefined;
  /** Its trigger levels, validated; undefined means the library defaults. */
  readonly config: SiteConfig | undefined;
}

/**
 * SITE_CONFIG_FILE read and validated with `parseSiteConfig`: an unreadable file, bad JSON or an
 * invalid configuration is a problem of that variable, listing every path that is wrong.
 */
export function siteConfigSettings(env: EnvReader): SiteConfigSettings {
  const file = env.optionalString('SITE_CONFIG_FILE');
  if (file === undefined) return { file, config: undefined };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    env.problem(
      'SITE_CONFIG_FILE',
      `cannot read ${JSON.stringify(file)} as JSON: ${(error as Error).message}`,
    );
    return { file, config: undefined };
  }
  const parsed = parseSiteConfig(json);
  if (!parsed.ok) {
    const where = parsed.problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ');
    env.problem('SITE_CONFIG_FILE', `${file} is not a valid site configuration: ${where}`);
    return { file, config: undefined };
  }
  return { file, config: parsed.value };
}
