import { errorMessage, isRetriable, retry, type Logger } from '@geostream/platform';
import type { DeadLetter } from '@geostream/instrument-schemas';
import type { PartitionCheckpointState } from '../core/checkpoint-state';
import type { WindowOrigin } from '../core/partition-processor';
import { sinkRejectedDeadLetter } from '../core/sink-rejections';
import type { ProcessorMetrics } from './metrics';
import type { OutputBatch } from './pending-outputs';
import type { Sinks } from './sinks';

export interface OutputWriterOptions {
  readonly sinks: Sinks;
  readonly metrics: ProcessorMetrics;
  readonly logger: Logger;
  readonly consumerGroup: string;
  readonly rawTopic: string;
  readonly now: () => number;
  /** Called when a sink starts failing (true) and when it recovers (false). */
  readonly onSinkState?: (sink: string, failing: boolean, error?: unknown) => void;
  readonly onWindowLatency?: (ms: number) => void;
}

export type WriteOutputs = (
  partition: number,
  batch: OutputBatch,
  checkpoint: PartitionCheckpointState,
  signal: AbortSignal,
) => Promise<void>;

/**
 * Writes one partition's outputs in the agreed order: Kafka (per-type topics, alerts, dead
 * letters), Elasticsearch, then ONE PostgreSQL transaction with the windows, alerts,
 * instrument states and the partition's checkpoint. The checkpoint commits last, so whatever
 * it covers is already in Kafka and Elasticsearch; a crash before it replays and rewrites the
 * same keys with the same content.
 *
 * Each step retries with backoff until it succeeds or `signal` aborts (shutdown, rebalance):
 * an outage pauses the partition, it never drops or reorders its outputs.
 */
export function createOutputWriter(options: OutputWriterOptions): WriteOutputs {
  const { sinks, metrics, logger } = options;

  async function step<T>(sink: string, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    let failing = false;
    const result = await retry(
      async () => {
        const started = options.now();
        const value = await work();
        metrics.sinkWriteSeconds.observe({ sink }, (options.now() - started) / 1000);
        return value;
      },
      {
        retries: Infinity,
        initialDelayMs: 100,
        maxDelayMs: 5_000,
        signal,
        // Permanent refusals are retried too: dropping the batch would lose data, crashing
        // would loop. The partition waits, logged as an error, until someone fixes the cause.
        shouldRetry: () => !signal.aborted,
        onRetry: ({ attempt, delayMs, error }) => {
          metrics.sinkRetries.inc({ sink });
          metrics.sinkAvailable.set({ sink }, 0);
          if (!failing) options.onSinkState?.(sink, true, error);
          failing = true;
          const log = isRetriable(error) ? logger.warn.bind(logger) : logger.error.bind(logger);
          log(
            { sink, attempt, delayMs, retriable: isRetriable(error), error: errorMessage(error) },
            `${sink} write failed; retrying`,
          );
        },
      },
    );
    metrics.sinkAvailable.set({ sink }, 1);
    if (failing) {
      options.onSinkState?.(sink, false);
      logger.info({ sink }, `${sink} write succeeded again`);
    }
    return result;
  }

  return async (partition, batch, checkpoint, signal) => {
    const { windows, alerts, deadLetters } = batch;
    const startedAt = options.now();
    // The sink keeps each produce request under the broker's message size limit; a retry
    // repeats the requests already sent, with the same keys and bytes (at-least-once, identical).
    if (windows.length + alerts.length + deadLetters.length > 0)
      await step('kafka', signal, () => sinks.kafka.write({ windows, alerts, deadLetters }));
    const kafkaDoneAt = options.now();

    const elasticsearch = sinks.elasticsearch;
    if (elasticsearch !== undefined && windows.length > 0) {
      const { rejected } = await step('elasticsearch', signal, () =>
        elasticsearch.writeWindows(windows),
      );
      if (rejected.length > 0) {
        const origins = new Map<string, WindowOrigin>();
        windows.forEach((window, i) => {
          const origin = batch.windowOrigins[i];
          if (origin !== undefined) origins.set(window.id, origin);
        });
        const rejections: DeadLetter[] = rejected.map((r) =>
          sinkRejectedDeadLetter(
            { sink: 'elasticsearch', record: r.record, status: r.status, reason: r.reason },
            {
              topic: options.rawTopic,
              partition,
              origin: origins.get(r.record.id) ?? { offset: checkpoint.nextOffset - 1, item: null },
            },
          ),
        );
        logger.error(
          { partition, rejected: rejected.length, first: rejections[0]?.message },
          'elasticsearch rejected windows; dead-lettered as sink_rejected',
        );
        await step('kafka', signal, () => sinks.kafka.write({ deadLetters: rejections }));
        metrics.deadLetters.inc({ reason: 'sink_rejected' }, rejections.length);
      }
    }

    const elasticsearchDoneAt = options.now();
    await step('postgres', signal, () =>
      sinks.postgres.writeBatch({
        windows,
        alerts,
        checkpoints: [
          {
            consumerGroup: options.consumerGroup,
            topic: options.rawTopic,
            partition,
            nextOffset: String(checkpoint.nextOffset),
            state: checkpoint,
          },
        ],
      }),
    );
    const committedAt = options.now();
    logger.trace(
      {
        partition,
        windows: windows.length,
        alerts: alerts.length,
        deadLetters: deadLetters.length,
        nextOffset: checkpoint.nextOffset,
        ms: committedAt - startedAt,
        kafkaMs: kafkaDoneAt - startedAt,
        elasticsearchMs: elasticsearchDoneAt - kafkaDoneAt,
        postgresMs: committedAt - elasticsearchDoneAt,
      },
      'outputs written',
    );
    for (const closedAt of batch.closedAtMs) {
      metrics.windowCloseToPostgresSeconds.observe((committedAt - closedAt) / 1000);
      options.onWindowLatency?.(committedAt - closedAt);
    }
  };
}
