import type { KafkaSink, KafkaSinkOptions } from './types';

/** Kafka sink: per-type, alert and dead-letter topics; one sendBatch per write. */
export function createKafkaSink(_options: KafkaSinkOptions): KafkaSink {
  throw new Error('createKafkaSink: being implemented (issue 6)');
}
