import type { Consumer, Kafka } from 'kafkajs';
import { errorMessage, retryUntilAborted, type Logger } from '@geostream/platform';
import type { AlarmStore } from '@geostream/sinks';
import { createAlarmEventDecoder } from '../core/alarm-event-decoding';
import { applyEventFromLog } from './event-applier';
import type { AlarmManagerMetrics } from './metrics';

export interface AlertsConsumerOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  readonly store: AlarmStore;
  readonly metrics: AlarmManagerMetrics;
  readonly logger: Logger;
  readonly clock: () => number;
  /** Events whose record is older than this when read notify nobody (a catch-up). */
  readonly maxEventAgeMs: number;
  readonly signal: AbortSignal;
}

export interface AlertsConsumer {
  /** False after a crash kafkajs does not restart from, or before the first fetch. */
  isConsuming(): boolean;
  lastError(): string | undefined;
  stop(): Promise<void>;
}

/**
 * Reads ALERTS_TOPIC in its own consumer group (read_committed, from the beginning for a new
 * group), applies each event in its own PostgreSQL transaction (waiting out a database outage,
 * heartbeating meanwhile), and commits the Kafka offset only after the batch's transactions
 * committed. A crash in between makes Kafka deliver those events again: their ids are recorded,
 * so the repeats change nothing. A record that is not an alarm event is logged and counted.
 */
export async function startAlertsConsumer(options: AlertsConsumerOptions): Promise<AlertsConsumer> {
  const { store, metrics, logger, signal } = options;
  const log = logger.child({ component: 'alerts-consumer', topic: options.topic });
  const decode = createAlarmEventDecoder();
  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    sessionTimeout: options.sessionTimeoutMs,
    heartbeatInterval: Math.min(3_000, Math.floor(options.sessionTimeoutMs / 3)),
    maxWaitTimeInMs: 500,
  });
  let consuming = false;
  let lastError: string | undefined;
  consumer.on(consumer.events.FETCH, () => {
    consuming = true;
  });
  consumer.on(consumer.events.CRASH, (event) => {
    consuming = false;
    lastError = errorMessage(event.payload.error);
    log.error({ err: event.payload.error, restart: event.payload.restart }, 'consumer crashed');
  });

  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      let processed: string | undefined;
      for (const message of batch.messages) {
        if (!isRunning() || isStale() || signal.aborted) break;
        const source = `${batch.topic}:${batch.partition}:${message.offset}`;
        const decoded = decode(message.value);
        if (!decoded.ok) {
          metrics.events.inc({ outcome: 'invalid' });
          log.error({ source, reason: decoded.reason }, 'record on the alerts topic ignored');
        } else {
          const now = options.clock();
          const recordAgeMs = now - Number(message.timestamp);
          const result = await retryUntilAborted(
            () =>
              applyEventFromLog(store, decoded.event, {
                source,
                notify: recordAgeMs <= options.maxEventAgeMs,
                nowMs: options.clock(),
              }),
            {
              signal,
              onRetry: ({ error, delayMs }) => {
                lastError = errorMessage(error);
                log.warn({ source, err: lastError, delayMs }, 'applying an alarm event; retrying');
                void heartbeat().catch(() => undefined);
              },
            },
          );
          metrics.events.inc({ outcome: result.outcome });
          for (const t of result.transitions) metrics.transitions.inc({ action: t.action });
          if (result.outcome === 'parked' || result.outcome === 'late')
            log.info(
              { source, id: decoded.event.id, outcome: result.outcome },
              result.outcome === 'parked'
                ? 'alarm event waits for the event before it'
                : 'alarm event older than its point: recorded, not applied',
            );
        }
        resolveOffset(message.offset);
        processed = message.offset;
        await heartbeat();
      }
      // Only what was processed: a batch cut short by a stop or a rebalance is read again.
      if (processed !== undefined && !isStale()) {
        await consumer.commitOffsets([
          {
            topic: batch.topic,
            partition: batch.partition,
            offset: (BigInt(processed) + 1n).toString(),
          },
        ]);
      }
    },
  });
  log.info({ group: options.groupId }, 'consuming alarm events');
  return {
    isConsuming: () => consuming,
    lastError: () => lastError,
    async stop() {
      consuming = false;
      await consumer.disconnect();
    },
  };
}
