import type { Admin, ITopicConfig } from 'kafkajs';
import { ensureTopic, ensureTopics } from '../../src';

/**
 * A stand-in admin: `existing` topics, what createTopics does, and how many offset requests a new
 * topic refuses (as a broker that has not yet taken its partitions on) before it answers.
 */
function fakeAdmin(
  existing: string[],
  create: (topics: ITopicConfig[]) => Promise<boolean>,
  refusals = 0,
) {
  const requests: ITopicConfig[][] = [];
  const offsetRequests: string[] = [];
  let refused = 0;
  const admin = {
    listTopics: async () => existing,
    createTopics: async ({ topics }: { topics: ITopicConfig[] }) => {
      requests.push(topics);
      return create(topics);
    },
    fetchTopicOffsets: async (topic: string) => {
      offsetRequests.push(topic);
      if (refused++ < refusals) throw notLeader();
      return [{ partition: 0, offset: '0', high: '0', low: '0' }];
    },
  } as unknown as Admin;
  return { admin, requests, offsetRequests };
}

/** kafkajs' error for a partition its leader has not taken on yet (a KafkaJSProtocolError). */
const notLeader = () =>
  Object.assign(new Error('This server is not the leader for that topic-partition'), {
    type: 'NOT_LEADER_FOR_PARTITION',
    retriable: true,
  });

const noWait = { retry: { sleep: async () => undefined } };

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

  it('returns only once every new topic answers for its offsets, retrying a leader not ready yet', async () => {
    const { admin, offsetRequests } = fakeAdmin([], async () => true, 3);
    const created = await ensureTopics(
      admin,
      [
        { topic: 'raw', partitions: 6, replication: 1 },
        { topic: 'state', partitions: 1, replication: 1 },
      ],
      noWait,
    );
    expect(created).toEqual(['raw', 'state']);
    // Three refused, then both topics answered.
    expect(offsetRequests.slice(-2).sort()).toEqual(['raw', 'state']);
    expect(offsetRequests.length).toBeGreaterThan(3);
  });

  it('waits as well for topics a racing client created, and asks nothing of existing ones', async () => {
    const raced = fakeAdmin([], async () => false, 1);
    expect(
      await ensureTopic(raced.admin, { topic: 'raw', partitions: 6, replication: 1 }, noWait),
    ).toBe(false);
    expect(raced.offsetRequests).toEqual(['raw', 'raw']);
    const present = fakeAdmin(['raw'], async () => true);
    await ensureTopic(present.admin, { topic: 'raw', partitions: 6, replication: 1 }, noWait);
    expect(present.offsetRequests).toEqual([]);
  });

  it('gives up after its retries, passing the refusal on', async () => {
    const { admin } = fakeAdmin([], async () => true, Number.POSITIVE_INFINITY);
    await expect(
      ensureTopic(
        admin,
        { topic: 'raw', partitions: 6, replication: 1 },
        {
          retry: { retries: 2, sleep: async () => undefined },
        },
      ),
    ).rejects.toMatchObject({ type: 'NOT_LEADER_FOR_PARTITION' });
  });

  it('passes any other error on', async () => {
    const refused = Object.assign(new Error('Policy violation'), { type: 'POLICY_VIOLATION' });
    const { admin } = fakeAdmin([], () => Promise.reject(refused));
    await expect(ensureTopic(admin, { topic: 'raw', partitions: 6, replication: 1 })).rejects.toBe(
      refused,
    );
  });
});
