import { createHash } from 'node:crypto';
import { errorMessage, isRetriable, retryUntilAborted, type Logger } from '@geostream/platform';
import {
  boundDeadLetter,
  type AlarmEvent,
  type DeadLetter,
  type InstrumentClock,
  type WindowRecord,
} from '@geostream/instrument-schemas';
import type { PartitionCheckpointWrite } from '../core/checkpoint-state';
import type { WindowOrigin } from '../core/partition-processor';
import { CheckpointSupersededError, isRecordRejection } from '@geostream/sinks';
import { sinkRejectedDeadLetter, type SinkRejection } from '../core/sink-rejections';
import { writeIsolatingRefusals, type Refused } from './isolate-refusals';
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
  /** The largest dead letter the dead-letter topic takes; larger ones are bounded. */
  readonly maxDeadLetterBytes: number;
  /** Called when a sink starts failing (true) and when it recovers (false). */
  readonly onSinkState?: (sink: string, failing: boolean, error?: unknown) => void;
  readonly onWindowLatency?: (ms: number) => void;
}

export type WriteOutputs = (
  partition: number,
  batch: OutputBatch,
  checkpoint: PartitionCheckpointWrite | undefined,
  signal: AbortSignal,
  /**
   * The next offset of the checkpoint the partition's state was loaded from or last wrote
   * (-1: none). The checkpoint is refused (CheckpointSupersededError, not retried) when the
   * stored one has moved on: another instance owns the partition now. Absent: no check.
   */
  follows?: number,
) => Promise<void>;

type Output =
  | { readonly kind: 'window'; readonly window: WindowRecord; readonly index: number }
  | { readonly kind: 'alert'; readonly alert: AlarmEvent }
  | { readonly kind: 'deadLetter'; readonly deadLetter: DeadLetter };

/**
 * Writes one partition's outputs: Kafka (per-type topics, alerts, dead letters), Elasticsearch
 * and ONE PostgreSQL transaction with the windows, alerts and instrument states, all three at
 * once. A write that carries the partition's checkpoint writes it after all three are done, in
 * a PostgreSQL transaction of its own, so whatever a checkpoint covers is in every sink; a crash
 * before it replays and rewrites the same keys with the same content.
 *
 * Each step retries with backoff until it succeeds or `signal` aborts (shutdown): an outage
 * pauses the partition, it never drops or reorders its outputs. A sink's refusal of particular
 * records for what they hold is narrowed to those records, which are dead-lettered
 * (`sink_rejected`) while the rest is written: one bad record never holds up a partition.
 */
export function createOutputWriter(options: OutputWriterOptions): WriteOutputs {
  const { sinks, metrics, logger } = options;

  async function step<T>(sink: string, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    let failing = false;
    const result = await retryUntilAborted(
      async () => {
        const started = options.now();
        const value = await work();
        metrics.sinkWriteSeconds.observe({ sink }, (options.now() - started) / 1000);
        return value;
      },
      {
        signal,
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

  /** A dead letter as the topic takes it: bounded (head of payload, size, hash) when too large. */
  function fitting(deadLetter: DeadLetter, maxBytes = options.maxDeadLetterBytes): DeadLetter {
    const bounded = boundDeadLetter(deadLetter, maxBytes, sha256Hex);
    if (bounded !== deadLetter)
      logger.warn(
        { id: deadLetter.id, bytes: deadLetter.payload_bytes, maxBytes },
        'dead letter larger than its topic allows: kept with the head of its payload, its size and hash',
      );
    return bounded;
  }

  return async (partition, batch, checkpoint, signal, follows) => {
    const { windows, alerts } = batch;
    const deadLetters = batch.deadLetters.map((d) => fitting(d));
    const startedAt = options.now();
    const origins = new Map<string, WindowOrigin>();
    windows.forEach((window, i) => {
      const origin = batch.windowOrigins[i];
      if (origin !== undefined) origins.set(window.id, origin);
    });
    const rejectionsOf = (sink: string, refused: readonly Refused<Output>[]): DeadLetter[] =>
      refused.flatMap(({ item, error }) =>
        item.kind === 'deadLetter'
          ? []
          : [rejectedDeadLetter(sink, item, error, partition, origins, checkpoint, options)],
      );

    // Kafka: a refused window or alert becomes a dead letter; a refused dead letter (too large
    // for a topic configured smaller than we think) is bounded harder and sent again.
    const writeKafka = async (): Promise<DeadLetter[]> => {
      const outputs: Output[] = [
        ...windows.map((window, index) => ({ kind: 'window' as const, window, index })),
        ...alerts.map((alert) => ({ kind: 'alert' as const, alert })),
        ...deadLetters.map((deadLetter) => ({ kind: 'deadLetter' as const, deadLetter })),
      ];
      if (outputs.length === 0) return [];
      const refused = await step('kafka', signal, () =>
        writeIsolatingRefusals(outputs, (some) => sinks.kafka.write(kafkaBatch(some))),
      );
      return [
        ...rejectionsOf('kafka', refused),
        ...refused.flatMap(({ item }) =>
          item.kind === 'deadLetter' ? [fitting(item.deadLetter, 65_536)] : [],
        ),
      ];
    };

    // Elasticsearch: it answers per item, so refused windows come back by themselves.
    const writeElasticsearch = async (): Promise<DeadLetter[]> => {
      const elasticsearch = sinks.elasticsearch;
      if (elasticsearch === undefined || windows.length === 0) return [];
      const { rejected } = await step('elasticsearch', signal, () =>
        elasticsearch.writeWindows(windows),
      );
      return rejected.map((r) =>
        sinkRejectedDeadLetter(
          {
            sink: 'elasticsearch',
            recordId: r.record.id,
            record: r.record,
            reason: `${r.status} ${r.reason}`,
            atMs: Date.parse(r.record.window_end),
          },
          sourceOf(r.record.id, partition, origins, checkpoint, options.rawTopic),
        ),
      );
    };

    // PostgreSQL: one transaction with the windows, alerts and instrument states. Should it
    // refuse records, they are found (written half by half) and dead-lettered.
    const clocks = clockMap(windows, batch.windowClocks);
    const writePostgres = async (): Promise<Refused<Output>[]> => {
      if (windows.length + alerts.length === 0) return [];
      const outputs: Output[] = [
        ...windows.map((window, index) => ({ kind: 'window' as const, window, index })),
        ...alerts.map((alert) => ({ kind: 'alert' as const, alert })),
      ];
      return step('postgres', signal, async () => {
        try {
          await sinks.postgres.writeBatch({ windows, alerts, clocks });
          return [];
        } catch (error) {
          if (!isRecordRejection(error)) throw error;
          return writeIsolatingRefusals(outputs, (some) =>
            sinks.postgres.writeBatch({ ...postgresBatch(some), clocks }),
          );
        }
      });
    };

    // The three sinks are written at once: a crash before all are done replays these outputs
    // into all three, identically. The checkpoint says everything before it is out, so it is
    // written after all three have acknowledged, in a transaction of its own: the windows do
    // not wait for Kafka and Elasticsearch, nor for the checkpoint's instrument rows (at a live
    // site, every instrument changed since the last one), to be visible in PostgreSQL.
    const [kafkaRefusals, elasticsearchRefusals, postgresRefused] = await allOrFirstError([
      writeKafka(),
      writeElasticsearch(),
      writePostgres(),
    ]);
    const refusedDeadLetters = [
      ...kafkaRefusals,
      ...elasticsearchRefusals,
      ...rejectionsOf('postgres', postgresRefused),
    ].map((d) => fitting(d));
    if (refusedDeadLetters.length > 0) {
      logger.error(
        {
          partition,
          rejected: refusedDeadLetters.length,
          first: refusedDeadLetters[0]?.message,
        },
        'records refused by a sink; dead-lettered as sink_rejected',
      );
      await step('kafka', signal, () => sinks.kafka.write({ deadLetters: refusedDeadLetters }));
      metrics.deadLetters.inc({ reason: 'sink_rejected' }, refusedDeadLetters.length);
    }
    const committedAt = options.now();
    logger.trace(
      {
        partition,
        windows: windows.length,
        alerts: alerts.length,
        deadLetters: deadLetters.length,
        checkpoint: checkpoint?.header.nextOffset,
        instruments: checkpoint?.upserts.length,
        ms: committedAt - startedAt,
      },
      'outputs written',
    );
    for (const closedAt of batch.closedAtMs) {
      metrics.windowCloseToPostgresSeconds.observe((committedAt - closedAt) / 1000);
      options.onWindowLatency?.(committedAt - closedAt);
    }
    // The checkpoint follows once every output it covers, and the dead letters of any refused,
    // are out. Should it be refused (no output to blame), it is retried like an outage: the
    // partition shows as stalled rather than moving on without its instruments' state.
    if (checkpoint !== undefined) {
      const checkpoints = [
        { ...checkpointRow(checkpoint, partition, options), ...followed(follows) },
      ];
      // Superseded is an answer, not a failure: retrying cannot change it.
      const superseded = await step('postgres', signal, async () => {
        try {
          await sinks.postgres.writeBatch({ checkpoints });
          return undefined;
        } catch (error) {
          if (error instanceof CheckpointSupersededError) return error;
          throw error;
        }
      });
      if (superseded !== undefined) {
        logger.warn(
          { partition, err: superseded },
          'checkpoint not written: another instance wrote this partition since (this one is no longer its owner); dropping the state',
        );
        throw superseded;
      }
    }
  };
}

function followed(follows: number | undefined): { follows?: string | null } {
  if (follows === undefined) return {};
  return { follows: follows < 0 ? null : String(follows) };
}

/**
 * Like Promise.all, but waits for every write to settle before throwing the first error: a
 * write still running must not outlive the call that retries or abandons the whole batch.
 */
async function allOrFirstError<T extends readonly unknown[]>(
  writes: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const settled = await Promise.allSettled(writes);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

function kafkaBatch(outputs: readonly Output[]) {
  const windows: WindowRecord[] = [];
  const alerts: AlarmEvent[] = [];
  const deadLetters: DeadLetter[] = [];
  for (const output of outputs)
    if (output.kind === 'window') windows.push(output.window);
    else if (output.kind === 'alert') alerts.push(output.alert);
    else deadLetters.push(output.deadLetter);
  return { windows, alerts, deadLetters };
}

function postgresBatch(outputs: readonly Output[]) {
  const { windows, alerts } = kafkaBatch(outputs);
  return { windows, alerts };
}

function clockMap(
  windows: readonly WindowRecord[],
  clocks: readonly InstrumentClock[],
): Map<string, InstrumentClock> {
  const map = new Map<string, InstrumentClock>();
  windows.forEach((window, i) => {
    const clock = clocks[i];
    if (clock !== undefined) map.set(window.id, clock);
  });
  return map;
}

function checkpointRow(
  checkpoint: PartitionCheckpointWrite,
  partition: number,
  options: OutputWriterOptions,
) {
  return {
    consumerGroup: options.consumerGroup,
    topic: options.rawTopic,
    partition,
    nextOffset: String(checkpoint.header.nextOffset),
    state: checkpoint.header,
    instruments: { upserts: checkpoint.upserts, deletes: checkpoint.deletes },
  };
}

function sourceOf(
  recordId: string,
  partition: number,
  origins: ReadonlyMap<string, WindowOrigin>,
  checkpoint: PartitionCheckpointWrite | undefined,
  topic: string,
) {
  const origin = origins.get(recordId) ?? {
    offset: Math.max(0, (checkpoint?.header.nextOffset ?? 1) - 1),
    item: null,
  };
  return { topic, partition, origin };
}

function rejectedDeadLetter(
  sink: string,
  output: Exclude<Output, { kind: 'deadLetter' }>,
  error: unknown,
  partition: number,
  origins: ReadonlyMap<string, WindowOrigin>,
  checkpoint: PartitionCheckpointWrite | undefined,
  options: OutputWriterOptions,
): DeadLetter {
  const record = output.kind === 'window' ? output.window : output.alert;
  // An alarm event without a window (no_data, clock_skew) is traced by its own id and time.
  const window =
    output.kind === 'window'
      ? output.window
      : 'window' in output.alert
        ? output.alert.window
        : undefined;
  const windowId = window?.id ?? record.id;
  const windowEnd = window?.window_end ?? (record as AlarmEvent).occurred_at;
  const rejection: SinkRejection = {
    sink,
    recordId: record.id,
    record,
    reason: errorMessage(error),
    atMs: Date.parse(windowEnd),
  };
  return sinkRejectedDeadLetter(
    rejection,
    sourceOf(windowId, partition, origins, checkpoint, options.rawTopic),
  );
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
