import type { HealthReport, Logger } from '@geostream/platform';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { nextFlowState, type FlowState } from './delivery/backpressure';
import { createKafkaPort } from './delivery/kafka-transport';
import type { KafkaPort } from './delivery/kafka-port';
import { MessageQueue } from './delivery/message-queue';
import {
  StateNotReadableYetError,
  SupersededError,
  TransactionalSender,
  type StopReport,
} from './delivery/transactional-sender';
import type { ProducerConfig } from './config';
import { healthReport } from './health';
import type { OutgoingMessage } from './messages/outgoing-message';
import { createProducerMetrics, type ProducerMetrics } from './metrics';
import type { Fetch } from './polling/fetch-response';
import { targetUrl, type PollTarget } from './polling/poll-targets';
import { Poller } from './polling/poller';
import {
  cursorRecord,
  restoreCursors,
  stateKey,
  type SavedCursor,
  type StateRecord,
} from './state/cursor-state';

/** How many of its own last commits per key a producer remembers (see checkOwnership). */
const REMEMBERED_COMMITS = 64;
/**
 * Beyond the transaction timeout, how long the state topic may go on answering an own earlier
 * commit (see checkOwnership): the restarted broker's coordinator aborts a transaction its
 * crash left open once the transaction timeout has passed, checking every 10 s by default.
 */
const STALE_STATE_MARGIN_MS = 30_000;

export interface ProducerDeps {
  /** The kafkajs client; or give `kafkaPort` instead (tests). */
  readonly kafka?: Kafka;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly fetch?: Fetch;
  readonly now?: () => number;
  /** Replaces the kafkajs adapter (tests). */
  readonly kafkaPort?: KafkaPort;
}

export interface RunningProducer {
  readonly metrics: ProducerMetrics;
  health(): HealthReport;
  /** Messages fetched but not yet acknowledged. */
  buffered(): number;
  /** Stops polling, flushes the buffer (until PRODUCER_FLUSH_TIMEOUT_MS), disconnects. */
  stop(): Promise<StopReport>;
  /**
   * Settles if the producer stopped for good: another instance with the same transactional id
   * took over (SupersededError). The process should exit; polling has stopped.
   */
  readonly failed: Promise<SupersededError>;
}

/**
 * The producer, composed: one poller per target feeding a bounded buffer, one transactional
 * sender draining it into the raw topic. Returns at once; Kafka being down at start only means
 * readings wait in the buffer.
 */
export function startProducer(config: ProducerConfig, deps: ProducerDeps): RunningProducer {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const metrics = createProducerMetrics(deps.registry);
  const queue = new MessageQueue();
  const limits = { pauseAt: config.delivery.maxBuffered, resumeAt: config.delivery.resumeBuffered };
  let flow: FlowState = 'flowing';

  const observeBuffer = (): void => {
    metrics.buffered.set(queue.size);
    metrics.bufferedBytes.set(queue.bytes);
    const next = nextFlowState(flow, queue.size, limits);
    if (next === flow) return;
    flow = next;
    metrics.paused.set(flow === 'paused' ? 1 : 0);
    if (flow === 'paused') {
      logger.warn(
        { buffered: queue.size, limit: limits.pauseAt },
        'buffer full: polling paused until Kafka catches up',
      );
    } else {
      logger.info({ buffered: queue.size }, 'buffer drained: polling resumed');
    }
  };

  if (!deps.kafka && !deps.kafkaPort) throw new Error('startProducer needs a Kafka client');
  const kafkaPort =
    deps.kafkaPort ??
    createKafkaPort(
      deps.kafka as Kafka,
      {
        topic: config.topic.name,
        partitions: config.topic.partitions,
        replicationFactor: config.topic.replicationFactor,
        retentionMs: config.topic.retentionMs,
        stateTopic: config.topic.stateTopic,
        transactionalId: config.delivery.transactionalId,
        transactionTimeoutMs: config.delivery.transactionTimeoutMs,
        verifyTimeoutMs: config.delivery.verifyTimeoutMs,
      },
      logger,
    );

  const sender = new TransactionalSender(
    queue,
    kafkaPort,
    {
      maxBatchMessages: config.delivery.maxBatchMessages,
      maxBatchBytes: config.delivery.maxBatchBytes,
      initialRetryDelayMs: 200,
      maxRetryDelayMs: 5_000,
      restore: async () => startPolling(await restoreSaved()),
      checkOwnership: (pendingState) => checkOwnership(pendingState),
    },
    {
      transaction: (outcome, messages, durationMs) => {
        metrics.transactions.inc({ outcome });
        if (outcome === 'committed' || outcome === 'verified_committed')
          metrics.produced.inc(messages);
        if (outcome === 'aborted' || outcome === 'unknown') metrics.failed.inc(messages);
        if (outcome === 'committed') metrics.transactionDuration.observe(durationMs / 1000);
        observeBuffer();
      },
      failure: (stage) => metrics.kafkaFailures.inc({ stage }),
      committedState: (state) => {
        for (const record of state) {
          const value = record.value.toString('utf8');
          believed.set(record.key, value);
          rememberCommitted(record.key, value);
        }
      },
      fatal: (error) => {
        logger.error(
          { err: error, ...error.details },
          'another producer with the same PRODUCER_TRANSACTIONAL_ID took over: this one stops polling and sending (its buffer is refetched by the other from the committed cursors)',
        );
        stopRequested = true;
        void Promise.all(pollers.map((p) => p.stop()));
        reportFailed(error);
      },
    },
    logger,
    now,
  );

  const deliverFor =
    (target: PollTarget, source: string) =>
    (messages: OutgoingMessage[], cursor?: string): void => {
      const state =
        cursor === undefined
          ? undefined
          : cursorRecord(config.delivery.transactionalId, target, { cursor, source });
      queue.push(messages, state);
      observeBuffer();
      sender.notify();
    };

  /**
   * What this instance believes the state topic holds for its own keys: what it restored, then
   * what it committed. A later registration compares it with the topic (checkOwnership).
   */
  const believed = new Map<string, string>();
  /**
   * The last values this instance committed per key. Right after a broker restart the state
   * topic can still answer an earlier one of them (the last commit not yet readable): that is
   * this instance's own past, not another producer, so the check waits for the topic instead of
   * stopping. Seen for longer than the transaction timeout plus STALE_STATE_MARGIN_MS (a
   * transaction the broker's crash left open holds the topic's readable end back until the
   * coordinator aborts it), it is taken as a takeover. Counted in time, not in checks: with the
   * sender's jittered backoff, 20 checks took 33 s in one run, and the producer stopped while
   * the topic still answered its earlier commit.
   */
  const committedHere = new Map<string, string[]>();
  const rememberCommitted = (key: string, value: string): void => {
    const values = committedHere.get(key) ?? [];
    values.push(value);
    if (values.length > REMEMBERED_COMMITS) values.shift();
    committedHere.set(key, values);
  };
  /** When the state topic first answered an own earlier commit, in the current run of them. */
  let staleSinceMs: number | undefined;
  const staleLimitMs = config.delivery.transactionTimeoutMs + STALE_STATE_MARGIN_MS;
  let reportFailed: (error: SupersededError) => void = () => undefined;
  const failed = new Promise<SupersededError>((resolve) => (reportFailed = resolve));

  const latestOwn = (records: readonly StateRecord[]): Map<string, string> => {
    const own = new Set(
      config.api.targets.map((t) => stateKey(config.delivery.transactionalId, t)),
    );
    const latest = new Map<string, string>();
    for (const r of records) if (own.has(r.key)) latest.set(r.key, r.value.toString('utf8'));
    return latest;
  };

  const checkOwnership = async (pendingState: readonly StateRecord[]): Promise<void> => {
    const onTopic = latestOwn(await kafkaPort.readState());
    const pending = latestOwn(pendingState);
    for (const [key, value] of onTopic) {
      if (value === believed.get(key)) continue;
      // A commit whose outcome is not known yet may have gone through: that is still ours.
      if (value === pending.get(key)) continue;
      if (committedHere.get(key)?.includes(value)) {
        staleSinceMs ??= now();
        if (now() - staleSinceMs <= staleLimitMs)
          throw new StateNotReadableYetError({
            key,
            onTopic: value,
            committedHere: believed.get(key),
          });
      }
      throw new SupersededError({ key, onTopic: value, committedHere: believed.get(key) });
    }
    staleSinceMs = undefined;
  };

  /** The cursors the last run committed (read from the state topic once the sender registered). */
  const restoreSaved = async (): Promise<Map<PollTarget, SavedCursor>> => {
    const records = await kafkaPort.readState();
    for (const [key, value] of latestOwn(records)) believed.set(key, value);
    const saved = restoreCursors(config.delivery.transactionalId, config.api.targets, records);
    for (const [target, { source }] of saved) {
      const url = targetUrl(config.api.url, target);
      if (source !== url) {
        logger.warn(
          { target, saved: source, url },
          'the saved cursor is from another API URL: starting from the current readings',
        );
        saved.delete(target);
      }
    }
    logger.info(
      {
        stateTopic: config.topic.stateTopic,
        resuming: Object.fromEntries([...saved].map(([t, s]) => [t, s.cursor])),
      },
      saved.size > 0
        ? 'resuming polling from the cursors committed with the last readings'
        : 'no saved cursor: polling starts from the current readings',
    );
    return saved;
  };

  let pollers: Poller[] = [];
  const startPolling = (saved: ReadonlyMap<PollTarget, SavedCursor>): void => {
    if (pollers.length > 0 || stopRequested) return;
    pollers = makePollers(saved);
    for (const poller of pollers) poller.start();
  };

  const makePollers = (saved: ReadonlyMap<PollTarget, SavedCursor>): Poller[] =>
    config.api.targets.map(
      (target) =>
        new Poller(
          {
            target,
            url: targetUrl(config.api.url, target),
            intervalMs: config.api.intervalMs,
            timeoutMs: config.api.timeoutMs,
            retries: config.api.retries,
            producerId: config.delivery.producerId,
            maxMessageBytes: config.delivery.maxMessageBytes,
            pageReadings: config.api.pageReadings,
            maxResponseBytes: config.api.maxResponseBytes,
            resumeFrom: saved.get(target)?.cursor,
          },
          {
            fetch: deps.fetch ?? fetch,
            now,
            metrics,
            logger,
            deliver: deliverFor(target, targetUrl(config.api.url, target)),
            mayPoll: () => flow === 'flowing',
          },
        ),
    );

  let stopRequested = false;
  // Polling starts once the sender has registered and read the cursors (`restore`).
  sender.start();
  logger.info(
    {
      api: config.api.url.href,
      targets: config.api.targets,
      intervalMs: config.api.intervalMs,
      topic: config.topic.name,
      transactionalId: config.delivery.transactionalId,
    },
    'producer started',
  );

  let stopping: Promise<StopReport> | undefined;
  return {
    metrics,
    failed,
    buffered: () => queue.size,
    health: () =>
      healthReport({
        flow,
        buffered: queue.size,
        maxBuffered: limits.pauseAt,
        sender: sender.status(),
        polls: pollers.map((p, i) => ({
          target: config.api.targets[i] as string,
          outcome: p.lastOutcome,
        })),
      }),
    stop: () =>
      (stopping ??= (async () => {
        stopRequested = true;
        await Promise.all(pollers.map((p) => p.stop()));
        const report = await sender.stop(config.delivery.flushTimeoutMs);
        if (report.unflushed > 0 || report.unresolved > 0) {
          logger.error(
            report,
            'stopped before Kafka acknowledged everything fetched: those readings are lost',
          );
        } else {
          logger.info('producer stopped; every fetched reading is in Kafka');
        }
        return report;
      })()),
  };
}
