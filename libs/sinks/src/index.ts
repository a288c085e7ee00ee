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
export {
  POSTGRES_TABLES,
  MIGRATIONS_TABLE,
  READING_WINDOW_COLUMNS,
  READING_WINDOW_KEY,
  ALERT_EVENT_COLUMNS,
  INSTRUMENT_STATE_COLUMNS,
  PROCESSOR_CHECKPOINT_COLUMNS,
  PROCESSOR_INSTRUMENT_CHECKPOINT_COLUMNS,
  RECORD_VIEW_COLUMNS,
  type ReadingWindowColumn,
  type AlertEventColumn,
  type InstrumentStateColumn,
  type ProcessorCheckpointColumn,
  type ProcessorInstrumentCheckpointColumn,
  type RecordViewColumn,
} from './postgres/tables';
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
export { perTypeTopicNamer, perTypeTopicNames, defaultPerTypeTopic } from './kafka/topic-names';
export { deadLetterKey } from './kafka/message-keys';
export { canonicalJson } from './kafka/canonical-json';
export { DEFAULT_MAX_REQUEST_BYTES } from './kafka/produce-requests';
