import type { Kafka, Producer } from 'kafkajs';
import {
  CONTROL_HEADER,
  LEVEL_CHANGE_CONTROL,
  LEVEL_CHANGE_KEY,
  encodeTriggerLevelChange,
} from '@geostream/instrument-schemas';
import { abortableSleep, errorMessage, retryUntilAborted, type Logger } from '@geostream/platform';
import type { LevelChangeStore } from '@geostream/sinks/app';

export interface LevelPublisher {
  /** A change was recorded: publish now rather than at the next poll. */
  wake(): void;
  stop(): Promise<void>;
}

/** Changes per produce request. */
const BATCH = 100;

/**
 * Writes recorded trigger-level changes to every partition of the raw topic, oldest first, then
 * takes them off the outbox. Each partition is processed on its own, so each needs its copy at
 * its own position. A crash between the write and the outbox update writes a change again:
 * processors ignore a change whose id they have passed (per scope), so that is harmless.
 * Keeps trying while Kafka is away (the admin page shows what waits); polls every
 * `pollIntervalMs` for changes another dashboard instance recorded.
 */
export function startLevelPublisher(options: {
  readonly kafka: Kafka;
  readonly store: LevelChangeStore;
  readonly rawTopic: string;
  readonly logger: Logger;
  readonly pollIntervalMs?: number;
}): LevelPublisher {
  const { kafka, store, rawTopic, logger } = options;
  const lifetime = new AbortController();
  let producer: Producer | undefined;
  let woken: AbortController = new AbortController();

  const connected = async (): Promise<Producer> => {
    if (producer !== undefined) return producer;
    const created = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await created.connect();
    return (producer = created);
  };

  const partitionsOf = async (): Promise<number[]> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [rawTopic] });
      return (metadata.topics[0]?.partitions ?? []).map((p) => p.partitionId).sort((a, b) => a - b);
    } finally {
      await admin.disconnect();
    }
  };

  const publishPending = async (): Promise<void> => {
    for (;;) {
      const changes = await store.pending(BATCH);
      if (changes.length === 0) return;
      const partitions = await partitionsOf();
      if (partitions.length === 0) throw new Error(`the raw topic ${rawTopic} has no partitions`);
      const headers = { [CONTROL_HEADER]: LEVEL_CHANGE_CONTROL };
      // One request, in id order per partition: a partition never sees a later change first.
      await (
        await connected()
      ).send({
        topic: rawTopic,
        acks: -1,
        messages: changes.flatMap((change) => {
          const value = encodeTriggerLevelChange(change);
          return partitions.map((partition) => ({
            partition,
            key: LEVEL_CHANGE_KEY,
            value,
            headers,
          }));
        }),
      });
      await store.published(changes.map((c) => c.change_id));
      for (const change of changes)
        logger.info(
          { changeId: change.change_id, partitions: partitions.length },
          'trigger-level change written to the raw topic',
        );
    }
  };

  const loop = (async () => {
    while (!lifetime.signal.aborted) {
      try {
        await retryUntilAborted(publishPending, {
          signal: lifetime.signal,
          onRetry: ({ error, delayMs }) => {
            logger.warn(
              { err: errorMessage(error), delayMs },
              'trigger-level changes not written to the raw topic yet; retrying',
            );
          },
        });
        await abortableSleep(
          options.pollIntervalMs ?? 30_000,
          AbortSignal.any([lifetime.signal, woken.signal]),
        );
      } catch {
        // Woken (publish now) or stopped (the loop ends).
      }
      if (woken.signal.aborted) woken = new AbortController();
    }
  })();

  return {
    wake: () => woken.abort(),
    async stop() {
      lifetime.abort();
      await loop;
      await producer?.disconnect().catch(() => undefined);
    },
  };
}
