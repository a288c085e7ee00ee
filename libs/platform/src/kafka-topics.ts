import type { Admin } from 'kafkajs';

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
 * the answer does not say which topics were ours, so none is returned as created.
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<string[]> {
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
  return created ? missing.map((spec) => spec.topic) : [];
}

/** Creates the topic if absent; true if this call created it. See ensureTopics. */
export async function ensureTopic(admin: Admin, spec: TopicSpec): Promise<boolean> {
  return (await ensureTopics(admin, [spec])).length > 0;
}
