import { availableParallelism } from 'node:os';
import type { SiteConfig } from '@geostream/instrument-schemas';
import {
  databaseSettings,
  elasticsearchSettings,
  httpSettings,
  kafkaSettings,
  logFormat,
  logLevel,
  outputNameSettings,
  readConfig,
  siteConfigSettings,
  topicSettings,
  type DatabaseSettings,
  type ElasticsearchSettings,
  type EnvReader,
  type Environment,
  type HttpSettings,
  type KafkaSettings,
  type LogFormat,
  type LogLevel,
  type OutputNameSettings,
  type TopicSettings,
} from '@geostream/platform';

/** The window definition and the processor's time rules (WINDOW_*, IDLE_FLUSH_MS, ...). */
export interface WindowSettings {
  readonly kind: 'tumbling' | 'hopping' | 'session';
  readonly sizeMs: number;
  /** Hopping windows only: how far each window starts after the previous one. */
  readonly advanceMs: number;
  /** Session windows only: the inactivity gap that closes a session. */
  readonly gapMs: number;
  readonly graceMs: number;
  /**
   * IDLE_FLUSH_MS: the longest a record may reach the log after its Kafka timestamp. A caught-up
   * partition's log clock is at least this before the processor's clock, so the windows of
   * instruments gone quiet close (core/idle-advance).
   */
  readonly idleFlushMs: number;
  /** KEY_RETENTION_MS: how long (log time) a silent instrument's clock and state are kept. */
  readonly keyRetentionMs: number;
  /** MAX_QUIET_WAIT_MS: the longest an open window waits for its instrument past its last reading. */
  readonly maxQuietWaitMs: number;
}

const DAY_MS = 86_400_000;

export function windowSettings(env: EnvReader): WindowSettings {
  const kind = env.oneOf('WINDOW_KIND', ['tumbling', 'hopping', 'session'] as const, 'tumbling');
  const sizeMs = env.int('WINDOW_SIZE_MS', 10_000, { min: 1, max: DAY_MS });
  const advanceMs = env.int('WINDOW_ADVANCE_MS', sizeMs, { min: 1, max: DAY_MS });
  if (kind === 'hopping' && advanceMs > sizeMs)
    env.problem('WINDOW_ADVANCE_MS', `must not exceed WINDOW_SIZE_MS (${sizeMs})`);
  return {
    kind,
    sizeMs,
    advanceMs,
    gapMs: env.int('WINDOW_GAP_MS', sizeMs, { min: 1, max: DAY_MS }),
    graceMs: env.int('WINDOW_GRACE_MS', 5_000, { min: 0, max: DAY_MS }),
    idleFlushMs: env.int('IDLE_FLUSH_MS', 15_000, { min: 1, max: DAY_MS }),
    keyRetentionMs: env.int('KEY_RETENTION_MS', 7 * DAY_MS, { min: 60_000, max: 365 * DAY_MS }),
    maxQuietWaitMs: env.int('MAX_QUIET_WAIT_MS', 2 * DAY_MS, { min: 1_000, max: 365 * DAY_MS }),
  };
}

/** Everything the stream processor reads from its environment, once, at start-up. */
export interface StreamProcessorConfig {
  readonly kafka: KafkaSettings;
  readonly database: DatabaseSettings;
  readonly elasticsearch: ElasticsearchSettings;
  readonly topics: TopicSettings;
  readonly window: WindowSettings;
  readonly http: HttpSettings;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  /** CONSUMER_GROUP: also the key of the checkpoints in PostgreSQL. */
  readonly consumerGroup: string;
  /**
   * PROCESSOR_WORKERS: worker threads, each a member of the consumer group with its own
   * partitions and its own connections (`auto`: one per CPU, at most MAX_AUTO_WORKERS).
   */
  readonly workers: number;
  /** Versioned outputs (Kappa reprocessing) and test isolation: the names the dashboard reads too. */
  readonly outputs: OutputNameSettings & {
    /** ES_INDEX_PREFIX: indices are `<prefix>-<type>`. */
    readonly elasticsearchIndexPrefix: string;
    /** TOPIC_PARTITIONS, TOPIC_REPLICATION: for topics the processor creates. */
    readonly topicPartitions: number;
    readonly topicReplication: number;
  };
  /** SITE_CONFIG_FILE parsed (trigger levels); undefined means the library defaults. */
  readonly siteConfig: SiteConfig | undefined;
  readonly siteConfigFile: string | undefined;
  readonly processing: {
    /** MAX_MESSAGE_BYTES: larger raw messages are dead-lettered unread. */
    readonly maxMessageBytes: number;
    /** MAX_OPEN_WINDOWS_PER_PARTITION: beyond it the oldest windows are emitted early. */
    readonly maxOpenWindowsPerPartition: number;
    /** MAX_EVENT_TIME_AHEAD_MS: readings further ahead of their Kafka timestamp are invalid (0: off). */
    readonly maxEventTimeAheadMs: number;
    /** CLOCK_SKEW_TOLERANCE_MS: an instrument's clock off by more than this is reported. */
    readonly clockToleranceMs: number;
    /**
     * SILENCE_MAX_LOG_STEP_MS: the most one record moves the clock silence is judged on, so a
     * producer back from an outage does not make every instrument silent at once.
     */
    readonly silenceMaxLogStepMs: number;
    /** ALERT_RAISE_AFTER_WINDOWS, ALERT_CLEAR_AFTER_WINDOWS: debounce. */
    readonly raiseAfterWindows: number;
    readonly clearAfterWindows: number;
  };
  readonly consumer: {
    /** CHECKPOINT_INTERVAL_MS: longest time progress goes unrecorded when nothing is emitted. */
    readonly checkpointIntervalMs: number;
    /** MAX_WRITE_DELAY_MS: while catching up, how long outputs may wait to be written together. */
    readonly maxWriteDelayMs: number;
    /** MAX_PENDING_OUTPUTS: while catching up, how many outputs may wait to be written together. */
    readonly maxPendingOutputs: number;
    /** PARTITIONS_CONSUMED_CONCURRENTLY */
    readonly partitionsConcurrently: number;
    /** FETCH_MAX_BYTES_PER_PARTITION: the size of one batch, and of memory per partition. */
    readonly maxBytesPerPartition: number;
    /** SHUTDOWN_TIMEOUT_MS: how long a graceful stop may wait for a sink to come back. */
    readonly shutdownTimeoutMs: number;
    /** KAFKA_SESSION_TIMEOUT_MS: how long a silent (killed) instance keeps its partitions. */
    readonly sessionTimeoutMs: number;
    /** STALL_TIMEOUT_MS: a partition with lag and no progress for this long makes /health degraded. */
    readonly stallTimeoutMs: number;
  };
  readonly memory: {
    /**
     * COMPACT_HEAP_AFTER_BACKLOG_MS: a thread caught up after a backlog this long compacts
     * its heap once, giving back what catching up grew it to (0: never).
     */
    readonly compactHeapAfterBacklogMs: number;
  };
}

export function streamProcessorSettings(env: EnvReader): StreamProcessorConfig {
  const site = siteConfigSettings(env);
  return {
    kafka: kafkaSettings(env, 'stream-processor'),
    database: databaseSettings(env),
    elasticsearch: elasticsearchSettings(env),
    topics: topicSettings(env),
    window: windowSettings(env),
    http: httpSettings(env, 9102),
    logLevel: logLevel(env),
    logFormat: logFormat(env),
    consumerGroup: env.string('CONSUMER_GROUP', 'stream-processor', {
      pattern: /^[A-Za-z0-9._-]{1,200}$/,
      hint: 'must be a consumer group id (letters, digits, . _ -)',
    }),
    workers: workerCount(env),
    outputs: {
      ...outputNameSettings(env),
      elasticsearchIndexPrefix: env.string('ES_INDEX_PREFIX', 'readings', {
        pattern: /^[a-z0-9][a-z0-9._-]{0,100}$/,
        hint: 'must be a lower-case index name prefix, e.g. readings_v2',
      }),
      topicPartitions: env.int('TOPIC_PARTITIONS', 3, { min: 1, max: 1000 }),
      topicReplication: env.int('TOPIC_REPLICATION', -1, { min: -1, max: 10 }),
    },
    siteConfig: site.config,
    siteConfigFile: site.file,
    processing: {
      maxMessageBytes: env.int('MAX_MESSAGE_BYTES', 1_048_576, { min: 1_024, max: 64 * 1_048_576 }),
      maxOpenWindowsPerPartition: env.int('MAX_OPEN_WINDOWS_PER_PARTITION', 100_000, {
        min: 1,
        max: 100_000_000,
      }),
      maxEventTimeAheadMs: env.int('MAX_EVENT_TIME_AHEAD_MS', 3_600_000, {
        min: 0,
        max: 31_536_000_000,
      }),
      clockToleranceMs: env.int('CLOCK_SKEW_TOLERANCE_MS', 300_000, {
        min: 1_000,
        max: 31_536_000_000,
      }),
      silenceMaxLogStepMs: env.int('SILENCE_MAX_LOG_STEP_MS', 60_000, {
        min: 1_000,
        max: 86_400_000,
      }),
      raiseAfterWindows: env.int('ALERT_RAISE_AFTER_WINDOWS', 1, { min: 1, max: 1_000 }),
      clearAfterWindows: env.int('ALERT_CLEAR_AFTER_WINDOWS', 1, { min: 1, max: 1_000 }),
    },
    consumer: {
      checkpointIntervalMs: env.int('CHECKPOINT_INTERVAL_MS', 10_000, { min: 100, max: 3_600_000 }),
      maxWriteDelayMs: env.int('MAX_WRITE_DELAY_MS', 1_000, { min: 0, max: 60_000 }),
      maxPendingOutputs: env.int('MAX_PENDING_OUTPUTS', 20_000, { min: 1, max: 1_000_000 }),
      partitionsConcurrently: env.int('PARTITIONS_CONSUMED_CONCURRENTLY', 3, { min: 1, max: 64 }),
      // Kafka's own default (max.partition.fetch.bytes). 4 MiB fetches were slower to process:
      // each response is one fresh buffer, paged in as it is filled (bench: 'none').
      maxBytesPerPartition: env.int('FETCH_MAX_BYTES_PER_PARTITION', 1_048_576, {
        min: 1_024,
        max: 64 * 1_048_576,
      }),
      shutdownTimeoutMs: env.int('SHUTDOWN_TIMEOUT_MS', 20_000, { min: 0, max: 600_000 }),
      sessionTimeoutMs: env.int('KAFKA_SESSION_TIMEOUT_MS', 30_000, { min: 6_000, max: 300_000 }),
      stallTimeoutMs: env.int('STALL_TIMEOUT_MS', 60_000, { min: 1_000, max: 3_600_000 }),
    },
    memory: {
      compactHeapAfterBacklogMs: env.int('COMPACT_HEAP_AFTER_BACKLOG_MS', 5_000, {
        min: 0,
        max: DAY_MS,
      }),
    },
  };
}

/**
 * `auto` stops here: past a few workers the processor waits on PostgreSQL and Kafka, not on
 * its own threads, and each worker costs its own connections and memory.
 */
const MAX_AUTO_WORKERS = 4;

function workerCount(env: EnvReader): number {
  const value = env.string('PROCESSOR_WORKERS', 'auto', {
    pattern: /^(auto|[1-9]|[1-5][0-9]|6[0-4])$/,
    hint: 'must be auto or a number of worker threads from 1 to 64',
  });
  return value === 'auto' ? Math.min(availableParallelism(), MAX_AUTO_WORKERS) : Number(value);
}

/** @throws ConfigError naming every bad variable */
export function readStreamProcessorConfig(env: Environment): StreamProcessorConfig {
  return readConfig(env, streamProcessorSettings);
}
