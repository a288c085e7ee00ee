import type {
  AlarmEvent,
  DeadLetter,
  InstrumentType,
  WindowRecord,
} from '@geostream/instrument-schemas';
import type { Logger } from '@geostream/platform';
import type { Kafka } from 'kafkajs';

export interface KafkaSinkTopics {
  /** The topic of one type's windows. Default: the type's name (`water_standpipe`, ...). */
  readonly perType?: (instrument: InstrumentType) => string;
  /** ALERTS_TOPIC */
  readonly alerts: string;
  /** DLQ_TOPIC */
  readonly deadLetter: string;
}

/** Topic configs (`max.message.bytes`, `retention.ms`, ...) for the topics ensureTopics() creates. */
export interface KafkaSinkTopicConfigs {
  /** Each of the five per-type topics. */
  readonly perType?: Readonly<Record<string, string>>;
  readonly alerts?: Readonly<Record<string, string>>;
  readonly deadLetter?: Readonly<Record<string, string>>;
}

export interface KafkaSinkOptions {
  /** From createKafka() of @geostream/platform. */
  readonly kafka: Kafka;
  readonly topics: KafkaSinkTopics;
  /** Partitions of topics created by ensureTopics(). Default 3. */
  readonly partitions?: number;
  /** Replication factor of topics created by ensureTopics(). Default 1 (-1 = broker default). */
  readonly replication?: number;
  /**
   * Configs of topics created by ensureTopics() (none by default: the broker's). A topic that
   * exists keeps its own. The processor gives the dead-letter topic a `max.message.bytes` that
   * takes a dead letter of its largest raw message.
   */
  readonly topicConfigs?: KafkaSinkTopicConfigs;
  /**
   * kafkajs retries of one send. Default unlimited (what the idempotent producer needs to keep
   * its guarantees): during a broker outage write() waits for the broker. A finite number
   * makes write() fail with SinkUnavailableError instead (kafkajs then logs that limiting
   * retries may invalidate idempotence: repeats stay possible, which consumers tolerate).
   */
  readonly sendRetries?: number;
  /**
   * Upper bound of one produce request's records (keys, values and per-record overhead, as
   * encoded). Default 900 KiB, under the broker's default 1 MiB `message.max.bytes`. A write
   * larger than this is sent as several requests in order; a single larger message (a big
   * dead letter, on a topic created with a larger `max.message.bytes`) is sent alone.
   */
  readonly maxRequestBytes?: number;
  readonly logger?: Logger;
}

export interface KafkaBatch {
  readonly windows?: readonly WindowRecord[];
  readonly alerts?: readonly AlarmEvent[];
  readonly deadLetters?: readonly DeadLetter[];
}

export interface KafkaWriteResult {
  /** Messages acknowledged by all in-sync replicas. */
  readonly messages: number;
}

export interface KafkaSink {
  /** Every topic this sink writes: the five per-type topics, alerts, dead letters. */
  readonly topicNames: readonly string[];
  topicFor(instrument: InstrumentType): string;
  /**
   * Creates the topics that are absent (with `topicConfigs`); returns the ones it created (none
   * when another client created them at the same moment). Idempotent.
   */
  ensureTopics(): Promise<readonly string[]>;
  /**
   * sendBatch across all topics, acks=all, idempotent producer: one request, or several in
   * order when the messages exceed `maxRequestBytes`. At-least-once: a replay (or a retry of a
   * write that failed after some requests) repeats messages with the same key and identical
   * bytes (consumers dedupe by key).
   */
  write(batch: KafkaBatch): Promise<KafkaWriteResult>;
  close(): Promise<void>;
}
