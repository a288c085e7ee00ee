import { getHeapStatistics } from 'node:v8';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Accounting } from '../core/accounting';

/**
 * The processor's Prometheus metrics. Counters count work done by this process: a record
 * replayed after a crash is counted again, and each processing of it lands in exactly one of
 * counted / duplicate / dead-lettered, so the accounting identity holds for the metrics too.
 */
export interface ProcessorMetrics {
  readonly registry: Registry;
  recordAccounting(partition: number, accounting: Accounting, skipped: number): void;
  readonly sinkWriteSeconds: Histogram<'sink'>;
  readonly sinkRetries: Counter<'sink'>;
  readonly sinkAvailable: Gauge<'sink'>;
  readonly windowCloseToPostgresSeconds: Histogram;
  readonly consumerLag: Gauge<'partition'>;
  readonly checkpointAgeSeconds: Gauge<'partition'>;
  readonly partitionsAssigned: Gauge;
  readonly seeks: Counter<'partition'>;
  readonly deadLetters: Counter<'reason'>;
  /** Records that reached the log later than IDLE_FLUSH_MS allows (core/idle-advance). */
  readonly recordsBehindIdleAdvance: Counter<'partition'>;
  readonly rebalances: Counter;
  readonly partitionStalled: Gauge<'partition'>;
  readonly instrumentsClockSkewed: Gauge<'direction'>;
  /**
   * Drops a revoked partition's gauges (lag, checkpoint age, stalled). Left in place they would
   * show its last values for ever, and summed over worker threads or instances they would add a
   * stale lag to the new owner's (counters stay: they count this process's work).
   */
  forgetPartition(partition: number): void;
}

// Finer around 1 and 2 s: the live latency goals (README, Benchmark) are read from it.
const LATENCY_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 10, 30,
];

export function createProcessorMetrics(registry: Registry): ProcessorMetrics {
  const registers = [registry];
  const perPartitionGauges: Array<Gauge<'partition'>> = [];
  const partitionGauge = (name: string, help: string): Gauge<'partition'> => {
    const gauge = new Gauge({ name, help, labelNames: ['partition'], registers });
    perPartitionGauges.push(gauge);
    return gauge;
  };
  const messages = new Counter({
    name: 'stream_processor_messages_consumed_total',
    help: 'Raw Kafka messages processed',
    labelNames: ['partition'],
    registers,
  });
  const readings = new Counter({
    name: 'stream_processor_readings_consumed_total',
    help: 'Input readings processed (a single reading, one envelope item, or a message rejected whole)',
    registers,
  });
  const counted = new Counter({
    name: 'stream_processor_readings_counted_total',
    help: 'Readings aggregated into a window',
    registers,
  });
  const duplicates = new Counter({
    name: 'stream_processor_readings_duplicate_total',
    help: 'Readings not aggregated: the instrument already had a reading at that instant in the window',
    registers,
  });
  const deadLetters = new Counter({
    name: 'stream_processor_dead_letters_total',
    help: 'Dead letters written, by reason code (late included; sink_rejected counts refused windows and alerts, not readings)',
    labelNames: ['reason'],
    registers,
  });
  const late = new Counter({
    name: 'stream_processor_readings_late_total',
    help: 'Readings dead-lettered because their window had already been emitted',
    registers,
  });
  const partiallyLate = new Counter({
    name: 'stream_processor_readings_partially_late_total',
    help: 'Counted readings that missed some older (hopping) windows',
    registers,
  });
  const windows = new Counter({
    name: 'stream_processor_windows_emitted_total',
    help: 'Windows closed and emitted',
    registers,
  });
  const alerts = new Counter({
    name: 'stream_processor_alerts_emitted_total',
    help: 'Trigger-level raises and clears emitted',
    registers,
  });
  const flushes = new Counter({
    name: 'stream_processor_idle_flushes_total',
    help: 'Idle flushes that closed open windows',
    registers,
  });
  const skipped = new Counter({
    name: 'stream_processor_records_skipped_total',
    help: 'Records below the checkpoint offset, skipped as already processed',
    registers,
  });
  return {
    registry,
    recordAccounting(partition, accounting, skippedRecords) {
      messages.inc({ partition: String(partition) }, accounting.messages);
      readings.inc(accounting.readings);
      counted.inc(accounting.counted);
      duplicates.inc(accounting.duplicates);
      for (const [reason, count] of Object.entries(accounting.deadLettered))
        if (count) deadLetters.inc({ reason }, count);
      late.inc(accounting.deadLettered.late ?? 0);
      partiallyLate.inc(accounting.partiallyLate);
      windows.inc(accounting.windows);
      alerts.inc(accounting.alerts);
      flushes.inc(accounting.flushes);
      skipped.inc(skippedRecords);
    },
    deadLetters,
    recordsBehindIdleAdvance: new Counter({
      name: 'stream_processor_records_behind_idle_advance_total',
      help: 'Records whose Kafka timestamp was before the log clock an idle advance had set: they reached the log later than IDLE_FLUSH_MS allows',
      labelNames: ['partition'],
      registers,
    }),
    sinkWriteSeconds: new Histogram({
      name: 'stream_processor_sink_write_seconds',
      help: 'Duration of one successful sink write (one batch of one partition)',
      labelNames: ['sink'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    sinkRetries: new Counter({
      name: 'stream_processor_sink_retries_total',
      help: 'Failed sink writes retried with backoff',
      labelNames: ['sink'],
      registers,
    }),
    sinkAvailable: new Gauge({
      name: 'stream_processor_sink_available',
      help: '1 when the last write to the sink succeeded, 0 while it is being retried',
      labelNames: ['sink'],
      registers,
    }),
    windowCloseToPostgresSeconds: new Histogram({
      name: 'stream_processor_window_close_to_postgres_seconds',
      help: 'From a window closing in the processor to its row committed in PostgreSQL, observed once all three sinks acknowledged it',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    consumerLag: partitionGauge(
      'stream_processor_consumer_lag',
      'Records between the processed position and the log end, per partition',
    ),
    checkpointAgeSeconds: partitionGauge(
      'stream_processor_checkpoint_age_seconds',
      'Time since the partition last checkpointed',
    ),
    partitionsAssigned: new Gauge({
      name: 'stream_processor_partitions_assigned',
      help: 'Input partitions this instance holds',
      registers,
    }),
    seeks: new Counter({
      name: 'stream_processor_seeks_total',
      help: 'Seeks to a checkpoint offset after an assignment',
      labelNames: ['partition'],
      registers,
    }),
    rebalances: new Counter({
      name: 'stream_processor_rebalances_total',
      help: 'Consumer group joins (start and every rebalance)',
      registers,
    }),
    partitionStalled: partitionGauge(
      'stream_processor_partition_stalled',
      '1 while a partition with lag has made no progress for STALL_TIMEOUT_MS',
    ),
    instrumentsClockSkewed: new Gauge({
      name: 'stream_processor_instruments_clock_skewed',
      help: 'Instruments whose clock is off by more than CLOCK_SKEW_TOLERANCE_MS, by direction',
      labelNames: ['direction'],
      registers,
    }),
    forgetPartition(partition) {
      for (const gauge of perPartitionGauges) gauge.remove({ partition: String(partition) });
    },
  };
}

/**
 * A worker thread's own V8 heap, labelled with the worker's number. Each thread has a heap of
 * its own, and the default `nodejs_heap_*` metrics (the main thread's registry) describe only the
 * main thread's: without these, the heaps holding the partitions' state were not in /metrics.
 */
export function registerWorkerHeapMetrics(registry: Registry, worker: number): void {
  const labels = { worker: String(worker) };
  new Gauge({
    name: 'stream_processor_worker_heap_used_bytes',
    help: "A worker thread's V8 heap in use (the main thread's is nodejs_heap_size_used_bytes)",
    labelNames: ['worker'],
    registers: [registry],
    collect() {
      this.set(labels, getHeapStatistics().used_heap_size);
    },
  });
  new Gauge({
    name: 'stream_processor_worker_heap_size_bytes',
    help: "A worker thread's V8 heap reserved (the main thread's is nodejs_heap_size_total_bytes)",
    labelNames: ['worker'],
    registers: [registry],
    collect() {
      this.set(labels, getHeapStatistics().total_heap_size);
    },
  });
}
