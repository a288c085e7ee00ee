import { INSTRUMENT_TYPES, isInstrumentType } from '@geostream/instrument-schemas';
import {
  httpSettings,
  kafkaSettings,
  logFormat,
  logLevel,
  rawTopic,
  readConfig,
  type EnvReader,
  type Environment,
  type HttpSettings,
  type KafkaSettings,
  type LogFormat,
  type LogLevel,
} from '@geostream/platform';
import type { PollTarget } from './polling/poll-targets';

/** Everything the producer reads from the environment, validated once at start. */
export interface ProducerConfig {
  readonly http: HttpSettings;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly kafka: KafkaSettings;
  readonly api: {
    readonly url: URL;
    readonly targets: readonly PollTarget[];
    readonly intervalMs: number;
    readonly timeoutMs: number;
    readonly retries: number;
    /** `limit` of a request after a cursor. */
    readonly pageReadings: number;
    readonly maxResponseBytes: number;
  };
  readonly topic: {
    readonly name: string;
    readonly partitions: number;
    readonly replicationFactor: number;
    readonly retentionMs: number;
    /** The compacted topic of the producer's cursors. */
    readonly stateTopic: string;
  };
  readonly delivery: {
    readonly transactionalId: string;
    readonly producerId: string;
    readonly transactionTimeoutMs: number;
    readonly maxBuffered: number;
    readonly resumeBuffered: number;
    readonly maxBatchMessages: number;
    readonly maxBatchBytes: number;
    readonly maxMessageBytes: number;
    readonly flushTimeoutMs: number;
    readonly verifyTimeoutMs: number;
  };
}

const DAY_MS = 86_400_000;
const TRANSACTIONAL_ID = /^[A-Za-z0-9._-]{1,200}$/;

function pollTargets(env: EnvReader): PollTarget[] {
  const list = env.list('POLL_TYPES', INSTRUMENT_TYPES);
  if (list.length === 1 && list[0] === 'all') return ['all'];
  const unknown = list.filter((t) => !isInstrumentType(t));
  if (unknown.length > 0) {
    env.problem(
      'POLL_TYPES',
      `must be "all" or a list of ${INSTRUMENT_TYPES.join(', ')}; unknown: ${unknown.join(', ')}`,
    );
    return [...INSTRUMENT_TYPES];
  }
  return [...new Set(list)] as PollTarget[];
}

export function readProducerConfig(env: Environment): ProducerConfig {
  return readConfig(env, (r) => {
    const intervalMs = r.int('POLL_INTERVAL_MS', 5_000, { min: 10, max: DAY_MS });
    const timeoutMs = r.int('POLL_TIMEOUT_MS', Math.min(4_000, intervalMs), {
      min: 10,
      max: 600_000,
    });
    const maxBuffered = r.int('PRODUCER_MAX_BUFFERED', 100_000, { min: 1, max: 10_000_000 });
    const resumeBuffered = r.int('PRODUCER_RESUME_BUFFERED', Math.floor(maxBuffered / 2), {
      min: 0,
      max: 10_000_000,
    });
    if (resumeBuffered >= maxBuffered) {
      r.problem('PRODUCER_RESUME_BUFFERED', `must be below PRODUCER_MAX_BUFFERED (${maxBuffered})`);
    }
    const transactionalId = r.string('PRODUCER_TRANSACTIONAL_ID', 'geostream-producer', {
      pattern: TRANSACTIONAL_ID,
      hint: 'must be 1 to 200 letters, digits, . _ -',
    });
    const replicationFactor = r.int('RAW_TOPIC_REPLICATION_FACTOR', -1, { min: -1, max: 100 });
    // The broker refuses a topic with no replicas, and would refuse it on every retry.
    if (replicationFactor === 0)
      r.problem('RAW_TOPIC_REPLICATION_FACTOR', 'must be -1 (the broker default) or at least 1');
    const raw = rawTopic(r);
    const maxBatchBytes = r.int('PRODUCER_MAX_BATCH_BYTES', 900_000, {
      min: 1_000,
      max: 100_000_000,
    });
    return {
      http: httpSettings(r, 9101),
      logLevel: logLevel(r),
      logFormat: logFormat(r),
      kafka: kafkaSettings(r, 'geostream-producer'),
      api: {
        url: r.url('MOCK_API_URL', 'http://127.0.0.1:3000', ['http:', 'https:']),
        targets: pollTargets(r),
        intervalMs,
        timeoutMs,
        retries: r.int('POLL_RETRIES', 2, { min: 0, max: 100 }),
        pageReadings: r.int('POLL_PAGE_READINGS', 5_000, { min: 1, max: 1_000_000 }),
        maxResponseBytes: r.int('POLL_MAX_RESPONSE_BYTES', 32 * 1024 * 1024, {
          min: 1_000,
          max: 1_000_000_000,
        }),
      },
      topic: {
        name: raw,
        stateTopic: r.string('PRODUCER_STATE_TOPIC', `${raw}.producer-state`),
        partitions: r.int('RAW_TOPIC_PARTITIONS', 6, { min: 1, max: 10_000 }),
        replicationFactor,
        retentionMs: r.int('RAW_TOPIC_RETENTION_MS', 30 * DAY_MS, { min: -1 }),
      },
      delivery: {
        transactionalId,
        producerId: r.string('PRODUCER_ID', transactionalId),
        transactionTimeoutMs: r.int('PRODUCER_TRANSACTION_TIMEOUT_MS', 60_000, {
          min: 1_000,
          max: 900_000,
        }),
        maxBuffered,
        resumeBuffered,
        maxBatchMessages: r.int('PRODUCER_MAX_BATCH_MESSAGES', 5_000, { min: 1, max: 1_000_000 }),
        maxBatchBytes,
        maxMessageBytes: r.int('PRODUCER_MAX_MESSAGE_BYTES', Math.min(900_000, maxBatchBytes), {
          min: 1_000,
          max: maxBatchBytes,
        }),
        flushTimeoutMs: r.int('PRODUCER_FLUSH_TIMEOUT_MS', 20_000, { min: 0, max: 600_000 }),
        verifyTimeoutMs: r.int('PRODUCER_VERIFY_TIMEOUT_MS', 30_000, { min: 1_000, max: 600_000 }),
      },
    };
  });
}
