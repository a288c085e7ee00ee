import type { Admin } from 'kafkajs';
import { isRetriable } from './errors';
import { retry, type RetryOptions } from './retry';

/** A topic to create if absent. */
export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  /** Replication factor; -1 for the broker's default. */
  readonly replication: number;
  /**
   * Topic configs set when the topic is created (e.g. `retention.ms`, `max.message.bytes`).
   * A topic that already exists keeps its own: check it where it matters.
   */
  readonly configs?: Readonly<Record<string, string>>;
}

/**
 * Creates the topics that are absent, in one request, and returns the names it created.
 * `admin` must be connected. Listing first keeps a restart from asking the broker to create
 * what exists (which kafkajs logs as an error). Another client may create the same topics at
 * the same moment: the broker then answers TOPIC_ALREADY_EXISTS, which is success here, and
 * the answer does not say which topics were ours, so none is returned as created. Either way it
 * returns once every partition of the new topics is served (see untilServed).
 */
export async function ensureTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
  options: EnsureTopicsOptions = {},
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.topic));
  if (missing.length === 0) return [];
  const created = await admin
    .createTopics({
      waitForLeaders: true,
      topics: missing.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.partitions,
        replicationFactor: spec.replication,
        configEntries: Object.entries(spec.configs ?? {}).map(([name, value]) => ({
          name,
          value,
        })),
      })),
    })
    .catch((error: { type?: unknown }) => {
      if (error?.type === 'TOPIC_ALREADY_EXISTS') return false;
      throw error;
    });
  await untilServed(admin, missing, options);
  return created ? missing.map((spec) => spec.topic) : [];
}

/**
 * Waits until every partition of topics just created (by this call or by a racing client) answers
 * for its offsets. The metadata names a leader before that broker has taken the partition on, and
 * for that moment it refuses requests with NOT_LEADER_FOR_PARTITION, which kafkajs' admin does not
 * retry: a caller reading a new topic's offsets right away (the producer's restore) would fail.
 * Bounded: after the retries the refusal goes to the caller, who retries as it does any outage.
 */
async function untilServed(
  admin: Admin,
  specs: readonly TopicSpec[],
  options: EnsureTopicsOptions,
): Promise<void> {
  await retry(() => Promise.all(specs.map((spec) => admin.fetchTopicOffsets(spec.topic))), {
    ...NEW_TOPIC_RETRY,
    ...options.retry,
    shouldRetry: isRetriable,
  });
}

/** About five seconds in all: a broker takes a new partition on within a few hundred ms. */
const NEW_TOPIC_RETRY = { retries: 10, initialDelayMs: 50, maxDelayMs: 1_000 } as const;

export interface EnsureTopicsOptions {
  /** How long to wait for new topics to be served; tests pass `sleep`. */
  readonly retry?: Pick<RetryOptions, 'retries' | 'sleep'>;
}

/** Creates the topic if absent; true if this call created it. See ensureTopics. */
export async function ensureTopic(
  admin: Admin,
  spec: TopicSpec,
  options: EnsureTopicsOptions = {},
): Promise<boolean> {
  return (await ensureTopics(admin, [spec], options)).length > 0;
}
