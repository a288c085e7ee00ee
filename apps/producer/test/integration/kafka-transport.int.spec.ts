import { Writable } from 'node:stream';
import { createKafka } from '@geostream/platform';
import { testServices, uniqueName } from '@geostream/platform/testing';
import pino from 'pino';
import type { PartitionOffset } from '../../src/delivery/kafka-port';
import { createKafkaPort } from '../../src/delivery/kafka-transport';
import { MessageQueue } from '../../src/delivery/message-queue';
import { TransactionalSender } from '../../src/delivery/transactional-sender';
import { messageBytes } from '../../src/messages/outgoing-message';
import { silent } from './harness';
import { readTopic } from './topic-reader';

const message = (key: string, value: string) => {
  const buffer = Buffer.from(value);
  return {
    key,
    value: buffer,
    headers: { source: 'test' },
    bytes: messageBytes(key, buffer, { source: 'test' }),
  };
};

/** The kafkajs adapter: topic creation, transactions, and reading a commit's outcome back. */
describe('createKafkaPort (shared broker)', () => {
  const kafka = createKafka(testServices().kafka, silent);
  const topic = uniqueName('producer-port');
  const port = createKafkaPort(
    kafka,
    {
      topic,
      partitions: 3,
      replicationFactor: -1,
      retentionMs: 7 * 86_400_000,
      stateTopic: `${topic}.state`,
      transactionalId: topic,
      transactionTimeoutMs: 60_000,
      verifyTimeoutMs: 30_000,
    },
    silent,
  );

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, `${topic}.state`] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates the raw topic with its partitions and retention, and accepts it existing', async () => {
    await port.ensureTopic();
    await port.ensureTopic();
    const admin = kafka.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const configs = await admin.describeConfigs({
      resources: [{ type: 2, name: topic, configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    await admin.disconnect();
    expect(metadata.topics[0]?.partitions).toHaveLength(3);
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe(String(7 * 86_400_000));
  });

  it('reads back a committed transaction as committed, and an aborted or fenced one as not', async () => {
    const session = await port.openSession();
    const committed = await session.begin();
    const [committedAt] = await committed.send([message('k', 'committed')]);
    await committed.commit();

    const aborted = await session.begin();
    const [abortedAt] = await aborted.send([message('k', 'aborted')]);
    await aborted.abort();

    // Left open, then settled by the next session's registration: what a lost commit reply leaves.
    const leftOpen = await session.begin();
    const [leftOpenAt] = await leftOpen.send([message('k', 'left open')]);
    const next = await port.openSession();
    const settling = await next.begin();
    await session.close().catch(() => undefined);

    const readBack = (at: PartitionOffset | undefined) => {
      if (!at) throw new Error('the send reported no offset');
      return port.wasCommitted({ topic, partition: at.partition, offset: at.baseOffset });
    };
    expect(await readBack(committedAt)).toBe(true);
    expect(await readBack(abortedAt)).toBe(false);
    expect(await readBack(leftOpenAt)).toBe(false);

    await settling.commit();
    await next.close();
    expect((await readTopic(kafka, topic)).map((m) => m.value.toString())).toEqual(['committed']);
  });

  it('runs back-to-back transactions without overlapping a commit, and kafkajs logs nothing at warn', async () => {
    // Every line kafkajs and the sender log at info or above, through the same bridge as the apps.
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const logger = pino({ level: 'info' }, sink);
    const backToBackTopic = uniqueName('producer-back-to-back');
    const backToBack = createKafkaPort(
      createKafka(testServices().kafka, logger),
      {
        topic: backToBackTopic,
        partitions: 6,
        replicationFactor: -1,
        retentionMs: 86_400_000,
        stateTopic: `${backToBackTopic}.state`,
        transactionalId: backToBackTopic,
        transactionTimeoutMs: 60_000,
        verifyTimeoutMs: 30_000,
      },
      logger,
    );
    const queue = new MessageQueue();
    const sender = new TransactionalSender(
      queue,
      backToBack,
      {
        maxBatchMessages: 20,
        maxBatchBytes: 1_000_000,
        initialRetryDelayMs: 50,
        maxRetryDelayMs: 500,
      },
      { transaction: () => undefined, failure: () => undefined },
      logger,
    );
    // 40 transactions of 20 messages over 6 partitions, each begun as soon as the last commits:
    // before the sender waited for completion, most of them were refused at first.
    queue.push(Array.from({ length: 800 }, (_, i) => message(`k${i % 50}`, `v${i}`)));
    sender.start();
    expect(await sender.stop(60_000)).toEqual({ unflushed: 0, unresolved: 0 });
    const admin = kafka.admin();
    await admin.connect();
    await admin
      .deleteTopics({ topics: [backToBackTopic, `${backToBackTopic}.state`] })
      .catch(() => undefined);
    await admin.disconnect();
    const entries = lines.map((line) => JSON.parse(line) as { level: number; error?: string });
    expect(entries.filter((entry) => entry.level >= 40)).toEqual([]);
    // The coordinator records a commit complete only after its markers, so a refusal can slip
    // past the wait for the last stable offsets now and then (logged at info); without the wait,
    // most of the 40 were refused.
    const refusals = entries.filter((entry) =>
      entry.error?.startsWith('The producer attempted to update a transaction while another'),
    );
    expect(refusals.length).toBeLessThanOrEqual(10);
  });
});
