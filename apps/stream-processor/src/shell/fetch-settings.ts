import type { ConsumerConfig } from 'kafkajs';
import type { StreamProcessorConfig } from '../config';

/**
 * How the processor's consumer fetches: one place, so the benchmark's plain consumer (the
 * kafkajs consume rate the processor is measured against) fetches exactly as it does.
 */
export function fetchSettings(
  consumer: Pick<StreamProcessorConfig['consumer'], 'maxBytesPerPartition'>,
): Pick<ConsumerConfig, 'readUncommitted' | 'maxBytesPerPartition' | 'maxBytes'> & {
  readonly maxWaitTimeInMs: number;
} {
  return {
    readUncommitted: false,
    maxBytesPerPartition: consumer.maxBytesPerPartition,
    // Room for every partition a fetch may carry, but at least Kafka's own default (fetch.max.bytes).
    maxBytes: Math.max(10 * 1_048_576, consumer.maxBytesPerPartition * 4),
    // A fetch long-polls this long on a quiet log; shutdown waits for it, so keep it short.
    maxWaitTimeInMs: 1_000,
  };
}
