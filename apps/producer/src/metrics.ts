import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The producer's Prometheus metrics, registered on the app's registry. */
export function createProducerMetrics(registry: Registry) {
  const registers = [registry];
  return {
    polls: new Counter({
      name: 'geostream_producer_polls_total',
      help: 'Polls of the instrument API by target and outcome (ok, unparsed, failed, skipped: back-pressure)',
      labelNames: ['target', 'outcome'] as const,
      registers,
    }),
    apiErrors: new Counter({
      name: 'geostream_producer_api_errors_total',
      help: 'Failed API requests by target and kind (http_<status>, timeout, network, garbage); each is retried',
      labelNames: ['target', 'kind'] as const,
      registers,
    }),
    readingsFetched: new Counter({
      name: 'geostream_producer_readings_fetched_total',
      help: 'Envelope items received from the API (each becomes one message)',
      labelNames: ['target'] as const,
      registers,
    }),
    unparsedResponses: new Counter({
      name: 'geostream_producer_unparsed_responses_total',
      help: 'Responses that were not an envelope, forwarded whole for the dead-letter queue',
      labelNames: ['target'] as const,
      registers,
    }),
    sourceGaps: new Counter({
      name: 'geostream_producer_source_gap_ms_total',
      help: 'Milliseconds of readings the API no longer kept when asked after a cursor: lost at the source',
      labelNames: ['target'] as const,
      registers,
    }),
    truncatedMessages: new Counter({
      name: 'geostream_producer_truncated_messages_total',
      help: 'Messages cut to PRODUCER_MAX_MESSAGE_BYTES (garbage larger than Kafka accepts)',
      registers,
    }),
    produced: new Counter({
      name: 'geostream_producer_messages_produced_total',
      help: 'Messages acknowledged by Kafka (committed transactions)',
      registers,
    }),
    failed: new Counter({
      name: 'geostream_producer_messages_failed_total',
      help: 'Messages in transactions that failed; they stay buffered and are sent again (not lost)',
      registers,
    }),
    buffered: new Gauge({
      name: 'geostream_producer_buffered_messages',
      help: 'Messages fetched but not yet acknowledged by Kafka',
      registers,
    }),
    bufferedBytes: new Gauge({
      name: 'geostream_producer_buffered_bytes',
      help: 'Bytes of the buffered messages',
      registers,
    }),
    paused: new Gauge({
      name: 'geostream_producer_polling_paused',
      help: '1 while polling is stopped because the buffer is full (back-pressure)',
      registers,
    }),
    transactions: new Counter({
      name: 'geostream_producer_transactions_total',
      help: 'Kafka transactions by outcome (committed, aborted, unknown, verified_committed, verified_aborted)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    kafkaFailures: new Counter({
      name: 'geostream_producer_kafka_failures_total',
      help: 'Failed Kafka interactions by stage (connect, send, commit, verify); each is retried',
      labelNames: ['stage'] as const,
      registers,
    }),
    pollDuration: new Histogram({
      name: 'geostream_producer_poll_duration_seconds',
      help: 'API request duration',
      labelNames: ['target'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    transactionDuration: new Histogram({
      name: 'geostream_producer_transaction_duration_seconds',
      help: 'Send plus commit of one transaction',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    }),
  };
}

export type ProducerMetrics = ReturnType<typeof createProducerMetrics>;
