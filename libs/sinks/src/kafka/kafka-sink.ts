import { JavaCompatiblePartitioner, ensureTopics, errorMessage } from '@geostream/platform';
import type { Admin } from 'kafkajs';
import { SinkClosedError } from '../errors';
import { silentLogger } from '../silent-logger';
import { isTransientKafkaError, kafkaSinkError } from './kafka-errors';
import { topicMessagesFor } from './messages';
import { resolveKafkaOptions } from './options';
import { produceRequests } from './produce-requests';
import { lazyConnect } from './lazy-connect';
import { renewableProducer } from './renewable-producer';
import type { KafkaBatch, KafkaSink, KafkaSinkOptions, KafkaWriteResult } from './types';

/** Kafka sink: per-type, alert and dead-letter topics; sendBatch requests sized under the broker's limit. */
export function createKafkaSink(options: KafkaSinkOptions): KafkaSink {
  const settings = resolveKafkaOptions(options);
  const logger = (options.logger ?? silentLogger()).child({ component: 'kafka-sink' });
  // Idempotent (acks=all, sequence numbers): kafkajs' own retries after a lost ack cannot
  // duplicate a message. It retries without limit by default, as kafkajs requires for
  // idempotence: a broker outage makes write() wait (the partition pauses) rather than fail.
  // The Java-compatible partitioner puts a key in the same partition as Java clients would.
  const producers = renewableProducer(() =>
    options.kafka.producer({
      idempotent: true,
      retry: { retries: settings.sendRetries },
      allowAutoTopicCreation: false,
      createPartitioner: JavaCompatiblePartitioner,
    }),
  );
  const admin: Admin = options.kafka.admin();
  const connectAdmin = lazyConnect(() => admin.connect());
  let closed = false;

  async function guarded<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (closed) throw new SinkClosedError('kafka', operation);
    try {
      return await work();
    } catch (error) {
      throw kafkaSinkError(operation, error);
    }
  }

  return {
    topicNames: settings.topicNames,
    topicFor: (instrument) => settings.topics.perType(instrument),

    ensureTopics: () =>
      guarded('ensureTopics', async () => {
        await connectAdmin();
        const created = await ensureTopics(admin, settings.topicSpecs);
        if (created.length > 0) logger.info({ topics: created }, 'kafka topics created');
        return created;
      }),

    write: (batch: KafkaBatch) =>
      guarded('write', async (): Promise<KafkaWriteResult> => {
        const topicMessages = topicMessagesFor(batch, settings.topics);
        const messages = topicMessages.reduce((n, t) => n + t.messages.length, 0);
        if (messages === 0) return { messages };
        const producer = await producers.connected();
        try {
          // One request at a time: each waits for the previous one's acks, so order holds.
          for (const request of produceRequests(topicMessages, settings.maxRequestBytes))
            await producer.sendBatch({ topicMessages: request, acks: -1 });
        } catch (error) {
          if (!isTransientKafkaError(error)) {
            // Its sequence numbers may now be out of step with the broker: the next write
            // gets a fresh producer rather than failing with out-of-order sequence errors.
            logger.warn(
              { error: errorMessage(error) },
              'kafka send failed for good; the next write uses a new producer',
            );
            await producers.discard(producer);
          }
          throw error;
        }
        return { messages };
      }),

    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([producers.close(), admin.disconnect()]);
    },
  };
}
