// Idempotent sinks for window records, alerts and dead letters: PostgreSQL (the history the
// dashboard reads, and the processor's checkpoints), Elasticsearch (search), Kafka (per-type,
// alert and dead-letter topics). Every write is keyed, so a replay overwrites or repeats
// identically, never duplicates. I/O lives here; the record formats are instrument-schemas'.

export {
  SINK_ERROR_CODES,
  SinkUnavailableError,
  SinkRejectedError,
  SinkOptionsError,
  SinkClosedError,
  CheckpointSupersededError,
  isRecordRejection,
  type SinkName,
  type SinkErrorCode,
  type SinkErrorContext,
} from './errors';

// PostgreSQL
export { createPostgresSink } from './postgres/postgres-sink';
export type {
  PostgresSink,
  PostgresSinkOptions,
  PostgresBatch,
  PostgresWriteResult,
  PartitionCheckpoint,
  InstrumentCheckpoint,
  StoredCheckpoint,
  MigrationResult,
  UpsertStrategy,
} from './postgres/types';
// The names (tables, columns, per-type topics): also the pure entry `@geostream/sinks/names`.
export * from './names';
export {
  windowRecordToRow,
  readingWindowRowToRecord,
  alertToRow,
  instrumentStateFromWindow,
  type ReadingWindowRow,
  type ReadingWindowValues,
  type AlertEventValues,
  type InstrumentStateValues,
  type TimestampValue,
} from './postgres/rows';

// PostgreSQL: the app schema (users, alarms, audit, notifications; never versioned): also the
// entry `@geostream/sinks/app`. Its table names are in `names` above.
export * from './app';

// Elasticsearch
export { createElasticsearchSink } from './elasticsearch/elasticsearch-sink';
export type {
  ElasticsearchSink,
  ElasticsearchSinkOptions,
  ElasticsearchWriteResult,
  RejectedWindow,
} from './elasticsearch/types';
export {
  DEFAULT_INDEX_PREFIX,
  WINDOW_INDEX_TEMPLATE_VERSION,
  WINDOW_INDEX_MAPPINGS,
  windowIndexName,
  windowIndexTemplateName,
  windowIndexTemplate,
  type WindowIndexSettings,
} from './elasticsearch/index-template';
export type { RejectedDocument } from './elasticsearch/bulk-outcome';
export {
  DEFAULT_ALARM_INDEX,
  ALARM_INDEX_TEMPLATE_VERSION,
  ALARM_INDEX_MAPPINGS,
  alarmIndexTemplate,
  alarmIndexDocuments,
  alarmDocumentId,
  createAlarmIndexWriter,
  type AlarmIndexWriter,
  type AlarmIndexWriterOptions,
  type AlarmIndexDocument,
  type AlarmDocument,
  type TransitionDocument,
} from './elasticsearch/alarm-index';
export {
  classifyBulkItemStatus,
  bulkItemReason,
  type BulkItemOutcome,
  type BulkResponseItem,
} from './elasticsearch/bulk-items';

// Kafka
export { createKafkaSink } from './kafka/kafka-sink';
export type {
  KafkaSink,
  KafkaSinkOptions,
  KafkaSinkTopics,
  KafkaSinkTopicConfigs,
  KafkaBatch,
  KafkaWriteResult,
} from './kafka/types';
export { alertKey, deadLetterKey } from './kafka/message-keys';
export { canonicalJson } from './kafka/canonical-json';
export { DEFAULT_MAX_REQUEST_BYTES } from './kafka/produce-requests';
