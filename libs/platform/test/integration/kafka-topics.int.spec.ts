import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { createKafka, createLogger, ensureTopic, ensureTopics } from '../../src';
import { testServices, uniqueName } from '../../src/testing';

describe('ensureTopics (shared broker, topics of its own)', () => {
  const kafka = createKafka(testServices().kafka, createLogger('platform-topics', 'silent'));
  let admin: Admin;
  let prefix: string;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });

  beforeEach(() => {
    prefix = uniqueName('platform-topics');
  });

  afterEach(async () => {
    const ours = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours });
  });

  afterAll(() => admin.disconnect());

  async function maxMessageBytes(topic: string): Promise<string | undefined> {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] },
      ],
    });
    return described.resources[0]?.configEntries[0]?.configValue;
  }

  it('creates absent topics with their partitions and configs; again creates nothing and keeps them', async () => {
    const specs = [
      { topic: `${prefix}.a`, partitions: 2, replication: 1 },
      {
        topic: `${prefix}.b`,
        partitions: 1,
        replication: -1,
        configs: { 'max.message.bytes': '3000000' },
      },
    ];
    expect(await ensureTopics(admin, specs)).toEqual([`${prefix}.a`, `${prefix}.b`]);
    const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
    // The broker lists topics in no particular order.
    const partitionsByTopic = topics
      .map((t) => [t.name, t.partitions.length] as const)
      .sort(([a], [b]) => a.localeCompare(b));
    expect(partitionsByTopic).toEqual([
      [`${prefix}.a`, 2],
      [`${prefix}.b`, 1],
    ]);
    expect(await maxMessageBytes(`${prefix}.b`)).toBe('3000000');

    const again = specs.map((s) => ({ ...s, configs: { 'max.message.bytes': '5000' } }));
    expect(await ensureTopics(admin, again)).toEqual([]);
    expect(await maxMessageBytes(`${prefix}.b`)).toBe('3000000');
  });

  it('lets several clients create the same topic at once: it exists, created once', async () => {
    const others = [kafka.admin(), kafka.admin()];
    await Promise.all(others.map((a) => a.connect()));
    try {
      const spec = { topic: `${prefix}.raced`, partitions: 3, replication: 1 };
      const created = await Promise.all([admin, ...others].map((a) => ensureTopic(a, spec)));
      expect(created.filter(Boolean).length).toBeLessThanOrEqual(1);
      expect(await admin.listTopics()).toContain(spec.topic);
    } finally {
      await Promise.all(others.map((a) => a.disconnect()));
    }
  });
});
