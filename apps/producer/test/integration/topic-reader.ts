import { uniqueName } from '@geostream/platform/testing';
import type { Kafka } from 'kafkajs';

export interface ReadMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

/**
 * Everything a read_committed consumer sees on a topic, in partition order: reads until every
 * partition has been consumed up to its end offset (aborted records and transaction markers
 * included in that progress, though never delivered).
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  timeoutMs = 60_000,
  /** Aborted and open transactions' records too (a failing test's report). */
  readUncommitted = false,
): Promise<ReadMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map(
    (await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]),
  );
  await admin.disconnect();
  const progress = new Map<number, bigint>();
  const messages: ReadMessage[] = [];
  const consumer = kafka.consumer({
    groupId: uniqueName('producer-it-reader'),
    readUncommitted,
    maxWaitTimeInMs: 200,
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    progress.set(payload.partition, BigInt(payload.lastOffset) + 1n);
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      messages.push({
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? '',
        value: message.value ?? Buffer.alloc(0),
        headers: Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, v?.toString() ?? '']),
        ),
      });
    },
  });
  const deadline = Date.now() + timeoutMs;
  const done = () => [...ends].every(([p, end]) => end === 0n || (progress.get(p) ?? 0n) >= end);
  while (!done()) {
    if (Date.now() > deadline) {
      await consumer.disconnect();
      throw new Error(`read ${messages.length} messages, but not to the end of ${topic}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await consumer.disconnect();
  return messages;
}
