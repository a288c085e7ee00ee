import {
  createElasticsearchSink,
  createKafkaSink,
  createPostgresSink,
  perTypeTopicNamer,
  type ElasticsearchSink,
  type KafkaSink,
  type PostgresSink,
} from '@geostream/sinks';
import { ensureTopic, errorMessage, retryUntilAborted, type Logger } from '@geostream/platform';
import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import type { StreamProcessorConfig } from '../config';

/** The three outputs; Elasticsearch is absent when ELASTICSEARCH_URL=off. */
export interface Sinks {
  readonly postgres: PostgresSink;
  readonly elasticsearch: ElasticsearchSink | undefined;
  readonly kafka: KafkaSink;
  /** The largest dead letter DLQ_TOPIC takes (its max.message.bytes): larger ones are bounded. */
  readonly maxDeadLetterBytes: number;
  close(): Promise<void>;
}

/**
 * Builds the sinks and prepares what they write to: PostgreSQL migrations, the Elasticsearch
 * index template, the output topics (and the raw topic if absent). Start-up waits for each
 * service with backoff rather than crash-looping; `signal` ends the wait.
 */
export async function openSinks(
  config: StreamProcessorConfig,
  kafka: Kafka,
  admin: Admin,
  logger: Logger,
  signal: AbortSignal,
): Promise<Sinks> {
  const postgres = createPostgresSink({
    connectionString: config.database.url,
    schema: config.outputs.postgresSchema,
    readRole: config.outputs.postgresReadRole,
    drawingsRole: config.outputs.postgresDrawingsRole,
    poolMax: Math.max(2, config.database.poolMax),
    logger,
  });
  const es = config.elasticsearch;
  const elasticsearch = es.enabled
    ? createElasticsearchSink({
        node: es.url,
        ...(es.apiKey !== undefined && { apiKey: es.apiKey }),
        ...(es.caCertificate !== undefined && { caCertificate: es.caCertificate }),
        indexPrefix: config.outputs.elasticsearchIndexPrefix,
        logger,
      })
    : undefined;
  // A dead letter carries its payload twice (base64 and text): the DLQ must take messages
  // about 2.4 times the largest raw message, more than the broker's 1 MiB default.
  const deadLetterBytes = 3 * config.processing.maxMessageBytes + 65_536;
  const kafkaSink = createKafkaSink({
    kafka,
    topics: {
      perType: perTypeTopicNamer({
        prefix: config.outputs.topicPrefix,
        suffix: config.outputs.topicSuffix,
      }),
      alerts: config.topics.alerts,
      deadLetter: config.topics.deadLetter,
    },
    partitions: config.outputs.topicPartitions,
    replication: config.outputs.topicReplication,
    topicConfigs: { deadLetter: { 'max.message.bytes': String(deadLetterBytes) } },
    logger,
  });
  const sinks: { -readonly [K in keyof Sinks]: Sinks[K] } = {
    postgres,
    elasticsearch,
    kafka: kafkaSink,
    maxDeadLetterBytes: deadLetterBytes,
    async close() {
      const results = await Promise.allSettled([
        kafkaSink.close(),
        elasticsearch?.close(),
        postgres.close(),
      ]);
      for (const result of results)
        if (result.status === 'rejected')
          logger.warn({ err: result.reason }, 'closing a sink failed');
    },
  };
  const untilReady = <T>(what: string, step: () => Promise<T>): Promise<T> =>
    retryUntilAborted(step, {
      signal,
      initialDelayMs: 250,
      onRetry: ({ attempt, delayMs, error }) =>
        logger.warn({ attempt, delayMs, error: errorMessage(error) }, `waiting for ${what}`),
    });
  try {
    await untilReady('PostgreSQL migrations', () => postgres.migrate());
    if (elasticsearch)
      await untilReady('the Elasticsearch index template', () =>
        elasticsearch.ensureIndexTemplate(),
      );
    // The raw topic is normally created by the producer; creating it here too lets the
    // processor start first without a failed subscribe. It gets TOPIC_PARTITIONS and
    // TOPIC_REPLICATION and the broker's default retention, not the producer's RAW_TOPIC_*.
    await untilReady('the raw topic', () =>
      ensureTopic(admin, {
        topic: config.topics.raw,
        partitions: config.outputs.topicPartitions,
        replication: config.outputs.topicReplication,
      }),
    );
    await untilReady('the output topics', () => kafkaSink.ensureTopics());
    sinks.maxDeadLetterBytes = await deadLetterLimit(
      admin,
      config.topics.deadLetter,
      deadLetterBytes,
      logger,
    );
  } catch (error) {
    await sinks.close();
    throw error;
  }
  return sinks;
}

/**
 * The dead-letter topic's max.message.bytes (warning when it is smaller than a dead letter of
 * the largest raw message needs: such dead letters will be kept bounded), or `needed` when it
 * cannot be read.
 */
async function deadLetterLimit(
  admin: Admin,
  topic: string,
  needed: number,
  logger: Logger,
): Promise<number> {
  try {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] },
      ],
    });
    const value = Number(described.resources[0]?.configEntries[0]?.configValue);
    if (!Number.isFinite(value) || value <= 0) return needed;
    if (value < needed)
      logger.warn(
        { topic, maxMessageBytes: value, needed },
        'the dead-letter topic takes smaller messages than a dead letter of the largest raw message: larger ones are kept bounded (head of the payload, size, hash); raise its max.message.bytes to keep them whole',
      );
    // Headroom for the record's key and framing.
    return Math.max(4_096, value - 1_024);
  } catch (error) {
    logger.debug(
      { topic, error: errorMessage(error) },
      'could not read the dead-letter topic config',
    );
    return needed;
  }
}
