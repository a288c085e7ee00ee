import { INSTRUMENT_TYPES } from '@geostream/instrument-schemas';
import { createKafka, type Logger } from '@geostream/platform';
import { testServices, uniqueName } from '@geostream/platform/testing';
import type { Kafka } from 'kafkajs';
import { windowTopicNames, type LiveTopics } from '../../src/config';
import { createLiveHub, type LiveHub } from '../../src/live/live-hub';
import { startKafkaLiveSource, type KafkaLiveSource } from '../../src/live/kafka-live-source';

/**
 * A live feed of a browser test's own: per-type and alert topics with a unique prefix on the real
 * Kafka, the dashboard's Kafka bridge reading them into a hub, and a way to produce to them.
 */
export interface TestLiveFeed {
  readonly topics: LiveTopics;
  readonly hub: LiveHub;
  produce(topic: string, key: string, value: unknown): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestLiveFeed(name: string, logger: Logger): Promise<TestLiveFeed> {
  const prefix = `${uniqueName(name)}.`;
  const topics: LiveTopics = { alerts: `${prefix}alerts`, windows: windowTopicNames(prefix, '') };
  const allTopics = [topics.alerts, ...INSTRUMENT_TYPES.map((t) => topics.windows[t])];
  const kafka: Kafka = createKafka(testServices().kafka, logger);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: allTopics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
  });
  await admin.disconnect();
  const hub = createLiveHub({ instanceId: name, initialStatus: 'connecting' });
  const source: KafkaLiveSource = await startKafkaLiveSource({
    kafka,
    topics,
    hub,
    logger,
    groupId: uniqueName(`${name}-live`),
  });
  await source.ready;
  return {
    topics,
    hub,
    async produce(topic, key, value) {
      const producer = kafka.producer();
      await producer.connect();
      try {
        await producer.send({ topic, acks: -1, messages: [{ key, value: JSON.stringify(value) }] });
      } finally {
        await producer.disconnect();
      }
    },
    async stop() {
      await source.stop();
      const cleanup = kafka.admin();
      await cleanup.connect();
      await cleanup.deleteTopics({ topics: allTopics }).catch(() => undefined);
      await cleanup.disconnect();
    },
  };
}
