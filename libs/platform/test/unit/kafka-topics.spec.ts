import type { Admin, ITopicConfig } from 'kafkajs';
import { ensureTopic, ensureTopics } from '../../src';

/** A stand-in admin: `existing` topics, and what createTopics does. */
function fakeAdmin(existing: string[], create: (topics: ITopicConfig[]) => Promise<boolean>) {
  const requests: ITopicConfig[][] = [];
  const admin = {
    listTopics: async () => existing,
    createTopics: async ({ topics }: { topics: ITopicConfig[] }) => {
      requests.push(topics);
      return create(topics);
    },
  } as unknown as Admin;
  return { admin, requests };
}

describe('ensureTopics', () => {
  it('creates only the absent topics, in one request, with their partitions, replication and configs', async () => {
    const { admin, requests } = fakeAdmin(['raw'], async () => true);
    const created = await ensureTopics(admin, [
      { topic: 'raw', partitions: 6, replication: -1 },
      { topic: 'dlq', partitions: 3, replication: 1, configs: { 'max.message.bytes': '3211264' } },
      { topic: 'alerts', partitions: 3, replication: 1 },
    ]);
    expect(created).toEqual(['dlq', 'alerts']);
    expect(requests).toEqual([
      [
        {
          topic: 'dlq',
          numPartitions: 3,
          replicationFactor: 1,
          configEntries: [{ name: 'max.message.bytes', value: '3211264' }],
        },
        { topic: 'alerts', numPartitions: 3, replicationFactor: 1, configEntries: [] },
      ],
    ]);
  });

  it('asks nothing when every topic exists', async () => {
    const { admin, requests } = fakeAdmin(['raw'], async () => true);
    expect(await ensureTopic(admin, { topic: 'raw', partitions: 6, replication: 1 })).toBe(false);
    expect(requests).toEqual([]);
  });

  it('takes a topic created by someone else meanwhile as present, and claims none as created', async () => {
    const exists = Object.assign(new Error('Topic already exists'), {
      type: 'TOPIC_ALREADY_EXISTS',
    });
    for (const create of [async () => false, () => Promise.reject(exists)]) {
      const { admin } = fakeAdmin([], create);
      expect(await ensureTopic(admin, { topic: 'raw', partitions: 6, replication: 1 })).toBe(false);
    }
  });

  it('passes any other error on', async () => {
    const refused = Object.assign(new Error('Policy violation'), { type: 'POLICY_VIOLATION' });
    const { admin } = fakeAdmin([], () => Promise.reject(refused));
    await expect(ensureTopic(admin, { topic: 'raw', partitions: 6, replication: 1 })).rejects.toBe(
      refused,
    );
  });
});
