import type { FastifyInstance } from 'fastify';
import type { Consumer, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import {
  buildOpsServer,
  createKafka,
  createLogger,
  createMetricsRegistry,
  errorMessage,
  type HealthReport,
  type Logger,
} from '@geostream/platform';
import { windowSpecFromSettings } from '@geostream/windowed-aggregator';
import type { StreamProcessorConfig } from '../config';
import type { Accounting } from '../core/accounting';
import type { PartitionProcessorOptions } from '../core/partition-processor';
import { alarmRulesFromSiteConfig } from '../core/trigger-levels';
import { FetchHealth } from './fetch-health';
import { fetchSettings } from './fetch-settings';
import { compactionAfterBacklogs } from './heap-compaction';
import { withHeartbeats } from './keep-alive';
import { createProcessorMetrics, type ProcessorMetrics } from './metrics';
import { createOutputWriter } from './output-writer';
import { PartitionRunner } from './partition-runner';
import type { PartitionSlot } from './partition-slot';
import { openSinks, type Sinks } from './sinks';

export interface StreamProcessorDeps {
  readonly logger?: Logger;
  /** The processor's clock (idle flush, checkpoint interval, latency metrics). */
  readonly now?: () => number;
  readonly registry?: Registry;
  readonly kafka?: Kafka;
  /** Benchmarks: replace sinks to measure each alone. */
  readonly wrapSinks?: (sinks: Sinks) => Sinks;
  /** Benchmarks: each window's close-to-PostgreSQL latency, as it is measured. */
  readonly onWindowLatency?: (ms: number) => void;
}

export interface PartitionStatus {
  readonly partition: number;
  readonly nextOffset: number | undefined;
  readonly checkpointedOffset: number;
  readonly openWindows: number;
  /** Nothing processed is waiting to be written, and no work runs on the partition. */
  readonly settled: boolean;
  /** Every output produced so far is written (progress alone may still await a checkpoint). */
  readonly written: boolean;
  readonly accounting: Readonly<Accounting> | undefined;
}

export interface StreamProcessor {
  readonly metrics: ProcessorMetrics;
  /** /health and /metrics; main.ts listens on it. */
  readonly ops: FastifyInstance;
  health(): HealthReport;
  partitions(): PartitionStatus[];
  /** Settles with the error that made the processor give up (a bad checkpoint, a dead consumer). */
  readonly failed: Promise<Error>;
  /** Finishes the batch in flight, checkpoints every partition, leaves the group, closes. */
  stop(): Promise<void>;
}

const TICK_MS = 250;
const LAG_REFRESH_MS = 5_000;
const HEARTBEAT_MS = 1_000;
/** How much longer than its max wait a healthy fetch may take to answer. */
const FETCH_ANSWER_SLACK_MS = 5_000;

/**
 * Starts consuming RAW_TOPIC: validated, windowed readings to the per-type topics,
 * Elasticsearch and PostgreSQL, alerts and dead letters to theirs. Resolves once the sinks are
 * ready and the consumer runs (waiting for services with backoff).
 */
export async function startStreamProcessor(
  config: StreamProcessorConfig,
  deps: StreamProcessorDeps = {},
): Promise<StreamProcessor> {
  const logger = deps.logger ?? createLogger('stream-processor', config.logLevel, config.logFormat);
  const now = deps.now ?? Date.now;
  const registry = deps.registry ?? createMetricsRegistry('stream-processor');
  const metrics = createProcessorMetrics(registry);
  const kafka = deps.kafka ?? createKafka(config.kafka, logger);
  const rawTopic = config.topics.raw;
  const lifetime = new AbortController();

  let resolveFailed: (error: Error) => void = () => undefined;
  const failed = new Promise<Error>((resolve) => (resolveFailed = resolve));
  let fatalError: Error | undefined;
  const failingSinks = new Map<string, string>();
  let consumerRunning = false;

  const admin = kafka.admin();
  // Its offsets are the high watermarks, open transactions included (patches/: kafkajs's admin
  // asks for the last stable offsets only).
  const logEndAdmin = kafka.admin({ readUncommitted: true });
  await Promise.all([admin.connect(), logEndAdmin.connect()]);
  const disconnectAdmins = () =>
    Promise.all([admin.disconnect(), logEndAdmin.disconnect()]).then(() => undefined);
  let sinks: Sinks;
  try {
    sinks = await openSinks(config, kafka, admin, logger, lifetime.signal);
    if (deps.wrapSinks) sinks = deps.wrapSinks(sinks);
  } catch (error) {
    await disconnectAdmins();
    throw error;
  }

  const spec = windowSpecFromSettings(config.window);
  const alarmRules = alarmRulesFromSiteConfig(config.siteConfig);
  const processorOptions = (partition: number): PartitionProcessorOptions => ({
    topic: rawTopic,
    partition,
    spec,
    siteConfig: config.siteConfig,
    alerting: {
      raiseAfterWindows: config.processing.raiseAfterWindows,
      clearAfterWindows: config.processing.clearAfterWindows,
    },
    maxMessageBytes: config.processing.maxMessageBytes,
    maxOpenWindows: config.processing.maxOpenWindowsPerPartition,
    ...(config.processing.maxEventTimeAheadMs > 0 && {
      maxEventTimeAheadMs: config.processing.maxEventTimeAheadMs,
    }),
    clockToleranceMs: config.processing.clockToleranceMs,
    alarmRules,
    maxLogStepMs: config.processing.silenceMaxLogStepMs,
    keyRetentionMs: config.window.keyRetentionMs,
    maxQuietWaitMs: config.window.maxQuietWaitMs,
  });

  const logBounds = async (): Promise<Map<number, { low: number; high: number }>> => {
    const offsets = await admin.fetchTopicOffsets(rawTopic);
    return new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
  };
  const logEnds = async (): Promise<Map<number, number>> => {
    const offsets = await logEndAdmin.fetchTopicOffsets(rawTopic);
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  };

  const fatal = (error: Error): void => {
    if (fatalError !== undefined) return;
    fatalError = error;
    logger.fatal({ err: error }, 'stream processor cannot continue');
    resolveFailed(error);
  };

  // A fetch waits up to maxWaitTimeInMs for records; the request timeout is slack on top.
  const fetchHealth = new FetchHealth(
    fetchSettings(config.consumer).maxWaitTimeInMs + FETCH_ANSWER_SLACK_MS,
  );
  const runner = new PartitionRunner({
    consumerGroup: config.consumerGroup,
    rawTopic,
    processorOptions,
    sinks,
    writeOutputs: createOutputWriter({
      sinks,
      metrics,
      logger,
      consumerGroup: config.consumerGroup,
      rawTopic,
      now,
      maxDeadLetterBytes: sinks.maxDeadLetterBytes,
      ...(deps.onWindowLatency && { onWindowLatency: deps.onWindowLatency }),
      onSinkState: (sink, failing, error) => {
        if (failing) failingSinks.set(sink, errorMessage(error));
        else failingSinks.delete(sink);
      },
    }),
    metrics,
    logger,
    now,
    idleAdvanceMs: config.window.idleFlushMs,
    checkpointIntervalMs: config.consumer.checkpointIntervalMs,
    maxWriteDelayMs: config.consumer.maxWriteDelayMs,
    maxPendingOutputs: config.consumer.maxPendingOutputs,
    logBounds,
    logEnds,
    lastFetchTroubleAtMs: () => fetchHealth.lastTroubleAtMs(now()),
    lifetime: lifetime.signal,
    onFatal: fatal,
  });

  const consumer: Consumer = kafka.consumer({
    groupId: config.consumerGroup,
    allowAutoTopicCreation: false,
    ...fetchSettings(config.consumer),
    sessionTimeout: config.consumer.sessionTimeoutMs,
    heartbeatInterval: Math.min(3_000, Math.floor(config.consumer.sessionTimeoutMs / 3)),
  });
  consumer.on(consumer.events.FETCH_START, ({ payload }) =>
    fetchHealth.fetchStarted(payload.nodeId, now()),
  );
  consumer.on(consumer.events.FETCH, ({ payload }) => fetchHealth.fetchAnswered(payload.nodeId));
  // Idle flushes wait while the group is rebalancing: the partition may already be someone else's.
  let groupStable = false;
  consumer.on(consumer.events.REBALANCING, () => {
    groupStable = false;
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const partitions = payload.memberAssignment[rawTopic] ?? [];
    metrics.rebalances.inc();
    logger.info({ partitions, memberId: payload.memberId }, 'joined the consumer group');
    runner.onAssignment(partitions);
    groupStable = true;
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    // A batch of transaction markers only never reaches eachBatch; note that we are past it.
    if (payload.batchSize === 0 && payload.topic === rawTopic) {
      const slot = runner.slot(payload.partition);
      slot.filteredPosition = Math.max(slot.filteredPosition, Number(payload.lastOffset) + 1);
    }
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    logger.error({ err: payload.error, restart: payload.restart }, 'kafka consumer crashed');
    if (!payload.restart) {
      consumerRunning = false;
      fatal(payload.error);
    }
  });

  try {
    await consumer.connect();
    await consumer.subscribe({ topic: rawTopic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: config.consumer.partitionsConcurrently,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isStale }) => {
        if (runner.stopping) return;
        const slot = runner.slot(batch.partition);
        await withHeartbeats(heartbeat, HEARTBEAT_MS, lifetime.signal, (signal) =>
          slot.lock.run(() =>
            runner.handleBatch({ batch, consumer, resolveOffset, isStale }, signal),
          ),
        );
      },
    });
    consumerRunning = true;
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    await disconnectAdmins().catch(() => undefined);
    await sinks.close();
    throw error;
  }

  // Two periodic jobs, each at most once at a time and neither waiting for the other: an idle
  // advance whose write waits out an outage must not stop the lag refresh that lets /health
  // see the partitions stall.
  const periodic = (job: () => Promise<void>): (() => void) => {
    let running = false;
    return () => {
      if (running || runner.stopping) return;
      running = true;
      job()
        .catch((error: unknown) =>
          logger.warn({ error: errorMessage(error) }, 'periodic check failed'),
        )
        .finally(() => {
          running = false;
        });
    };
  };
  let lastLagRefresh = 0;
  const tick = periodic(async () => {
    if (groupStable) await runner.tick(consumer, lifetime.signal);
  });
  const refresh = periodic(async () => {
    const at = now();
    if (at - lastLagRefresh < LAG_REFRESH_MS) return;
    lastLagRefresh = at;
    await refreshLag();
  });
  // After a backlog, the heap catching up grew is given back (COMPACT_HEAP_AFTER_BACKLOG_MS).
  const compactAfterBacklog = compactionAfterBacklogs(runner, {
    minBacklogMs: config.memory.compactHeapAfterBacklogMs,
    now,
    logger,
  });
  const ticker = setInterval(() => {
    tick();
    refresh();
    compactAfterBacklog();
  }, TICK_MS);
  ticker.unref();

  async function refreshLag(): Promise<void> {
    const bounds = await logBounds();
    const at = now();
    let ahead = 0;
    let behind = 0;
    for (const slot of runner.assigned()) {
      const partition = String(slot.partition);
      const high = bounds.get(slot.partition)?.high;
      if (high !== undefined) slot.highWatermark = Math.max(slot.highWatermark ?? 0, high);
      const lag = slot.lag;
      if (lag !== undefined) metrics.consumerLag.set({ partition }, lag);
      metrics.checkpointAgeSeconds.set({ partition }, (at - slot.lastCheckpointAtMs) / 1000);
      slot.observeProgress(at);
      metrics.partitionStalled.set({ partition }, stallOf(slot, at) === undefined ? 0 : 1);
      const skewed = slot.processor?.skewedClocks;
      ahead += skewed?.ahead ?? 0;
      behind += skewed?.behind ?? 0;
    }
    metrics.instrumentsClockSkewed.set({ direction: 'ahead' }, ahead);
    metrics.instrumentsClockSkewed.set({ direction: 'behind' }, behind);
  }

  /**
   * Why a partition with records to read has not moved for STALL_TIMEOUT_MS, if it has not:
   * what a site engineer sees in /health instead of a quiet site.
   */
  function stallOf(slot: PartitionSlot, at: number): string | undefined {
    const lag = slot.lag ?? (slot.processor === undefined ? undefined : 0);
    const stalledMs = at - slot.progressAtMs;
    if (stalledMs < config.consumer.stallTimeoutMs || lag === 0) return undefined;
    const why =
      slot.processor === undefined
        ? 'its checkpoint is not loaded'
        : failingSinks.size > 0
          ? `writing to ${[...failingSinks.keys()].join(', ')} keeps failing`
          : slot.inflight !== undefined
            ? 'a write has not finished'
            : 'no records are delivered';
    return `${lag ?? 'unknown'} records behind, no progress for ${Math.round(stalledMs / 1000)} s: ${why}`;
  }

  const ops = buildOpsServer({
    service: 'stream-processor',
    registry,
    health: () => health(),
  });

  function health(): HealthReport {
    const checks: Record<string, { ok: boolean; detail?: string }> = {
      consumer: consumerRunning
        ? { ok: true, detail: `${runner.assigned().length} partition(s) assigned` }
        : { ok: false, detail: fatalError?.message ?? 'not running' },
    };
    const sinkNames = ['kafka', 'postgres', ...(sinks.elasticsearch ? ['elasticsearch'] : [])];
    for (const sink of sinkNames) {
      const failure = failingSinks.get(sink);
      checks[sink] =
        failure === undefined ? { ok: true } : { ok: false, detail: `retrying: ${failure}` };
    }
    const at = now();
    let stalled = false;
    for (const slot of runner.assigned()) {
      const stall = stallOf(slot, at);
      if (stall === undefined) continue;
      stalled = true;
      checks[`partition ${slot.partition}`] = { ok: false, detail: stall };
    }
    const status =
      fatalError !== undefined || !consumerRunning
        ? 'down'
        : failingSinks.size > 0 || stalled
          ? 'degraded'
          : 'ok';
    return { status, checks };
  }

  let stopping: Promise<void> | undefined;
  async function stop(): Promise<void> {
    runner.stopping = true;
    clearInterval(ticker);
    const deadline = setTimeout(
      () => lifetime.abort(new Error('shutdown timed out waiting for a sink')),
      config.consumer.shutdownTimeoutMs,
    );
    try {
      await runner.checkpointAll(consumer, lifetime.signal);
      await consumer.disconnect();
      consumerRunning = false;
      await disconnectAdmins();
    } finally {
      clearTimeout(deadline);
      lifetime.abort(new Error('stopped'));
      await sinks.close();
      await ops.close();
      logger.info('stream processor stopped');
    }
  }

  return {
    metrics,
    ops,
    health,
    failed,
    partitions: () =>
      runner.assigned().map((slot) => ({
        partition: slot.partition,
        nextOffset: slot.processor?.nextOffset,
        checkpointedOffset: slot.checkpointedOffset,
        openWindows: slot.processor?.openWindows ?? 0,
        settled: slot.processor !== undefined && !slot.lock.busy && !slot.hasUncheckpointedProgress,
        written:
          slot.processor !== undefined &&
          !slot.lock.busy &&
          slot.inflight === undefined &&
          slot.pending.isEmpty,
        accounting: slot.processor?.accounting,
      })),
    stop: () => (stopping ??= stop()),
  };
}
