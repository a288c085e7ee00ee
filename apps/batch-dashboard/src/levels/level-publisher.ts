import type { Kafka, Producer } from 'kafkajs';
import {
  CONTROL_HEADER,
  LEVEL_CHANGE_CONTROL,
  LEVEL_CHANGE_KEY,
  encodeTriggerLevelChange,
} from '@geostream/instrument-schemas';
import {
  JavaCompatiblePartitioner,
  abortableSleep,
  errorMessage,
  retryUntilAborted,
  type Logger,
} from '@geostream/platform';
import type { LevelChangeStore } from '@geostream/sinks/app';

export interface LevelPublisher {
  /** A change was recorded: publish now rather than at the next poll. */
  wake(): void;
  stop(): Promise<void>;
}

/** Changes per produce request. */
const BATCH = 100;
/** How long stop() waits for a publish in flight. */
const STOP_WAIT_MS = 5_000;

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

  // Not kafkajs's idempotent producer: it rewinds its sequence numbers after a failed send, and
  // a retry rebuilt from the outbox (other changes, another instance having published some)
  // would then be refused as out of order for good, or acknowledged as a duplicate unwritten.
  // Copies are harmless here (processors ignore a change id they have passed); order holds
  // with one request in flight. A producer whose send failed is dropped, never reused.
  const connected = async (): Promise<Producer> => {
    if (producer !== undefined) return producer;
    // Every message names its partition; the partitioner is set only as the other producers'
    // (kafkajs warns at every start when none is).
    const created = kafka.producer({
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: JavaCompatiblePartitioner,
    });
    await created.connect();
    return (producer = created);
  };
  const dropProducer = async (): Promise<void> => {
    const dropped = producer;
    producer = undefined;
    await dropped?.disconnect().catch(() => undefined);
  };

  const partitionsOf = async (): Promise<number[]> => {
    const admin = kafka.admin();
    await admin.connect();
    // A mistyped RAW_TOPIC must fail (and show in /health), not create a topic nobody reads.
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [rawTopic] });
      if (metadata.topics.length === 0) throw new Error(`the raw topic ${rawTopic} does not exist`);
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
      const sending = await connected();
      try {
        await sending.send({
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
      } catch (error) {
        await dropProducer();
        throw error;
      }
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
      // A send in flight may take kafkajs's retries (minutes) to give up: shutdown does not wait.
      // The wait's timer goes with it, or it would hold the process up to STOP_WAIT_MS longer.
      const waited = new AbortController();
      try {
        await Promise.race([loop, abortableSleep(STOP_WAIT_MS, waited.signal)]);
      } finally {
        waited.abort();
      }
      await dropProducer();
    },
  };
}
