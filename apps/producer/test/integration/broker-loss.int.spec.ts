import { createKafka } from '@geostream/platform';
import {
  eventually,
  startDisposableKafkaCluster,
  testServices,
  type DisposableKafkaCluster,
} from '@geostream/platform/testing';
import { itemForms, silent, sorted, startHarness, type Harness } from './harness';

/**
 * Fault test (b), lean: a three-node cluster of the test's own (replication 3, min.insync.replicas
 * 2). The node leading the raw topic's partition 0 is SIGKILLed mid-run: the producer carries on
 * committing on the two left (leaders move, acks=all still has two in-sync replicas), the node
 * restarts and catches up, and every reading the API served is on the raw topic exactly once.
 */
describe('a broker of three lost mid-run (disposable cluster)', () => {
  let cluster: DisposableKafkaCluster | undefined;
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.dispose();
    await cluster?.dispose();
  });

  it('keeps committing on the other two, and loses and duplicates nothing', async () => {
    cluster = await startDisposableKafkaCluster();
    const c = cluster;
    harness = await startHarness({
      kafka: { ...testServices().kafka, brokers: c.brokers },
      apiEnv: { SIM_SEED: '41', SIM_INSTRUMENTS_PER_TYPE: '20', SIM_REPEAT_RATE: '0' },
      producerEnv: { POLL_TYPES: 'all', POLL_INTERVAL_MS: '100' },
    });
    const h = harness;
    const committed = () =>
      h.metric('geostream_producer_transactions_total', { outcome: 'committed' });
    await eventually(async () => ((await committed()) >= 10 ? true : undefined), {
      timeoutMs: 90_000,
      what: 'ten committed transactions',
    });

    // The topics the producer created took the cluster's defaults: three replicas each.
    const admin = createKafka({ ...testServices().kafka, brokers: c.brokers }, silent).admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({
      topics: [h.topic, `${h.topic}.producer-state`],
    });
    await admin.disconnect();
    for (const topic of metadata.topics) {
      for (const partition of topic.partitions) expect(partition.replicas).toHaveLength(3);
    }

    const leader = await c.leaderOf(h.topic, 0);
    await leader.kill();
    const atKill = await committed();
    await eventually(async () => ((await committed()) >= atKill + 10 ? true : undefined), {
      timeoutMs: 90_000,
      what: 'ten more commits with a node down',
    });
    expect((await c.leaderOf(h.topic, 0)).nodeId).not.toBe(leader.nodeId);

    await leader.start();
    await c.awaitInSync(h.topic);
    const atRestart = await committed();
    await eventually(async () => ((await committed()) >= atRestart + 5 ? true : undefined), {
      timeoutMs: 60_000,
      what: 'commits after the node returned',
    });

    const { messages, expected } = await h.verify();
    const onTopic = itemForms(messages);
    expect(new Set(onTopic).size).toBe(onTopic.length);
    expect(sorted(onTopic)).toEqual(sorted([...new Set(expected.items)]));
    expect(h.proxy.responses.every((r) => (r.headers['x-cursor-gap-ms'] ?? '0') === '0')).toBe(
      true,
    );
  });
});
