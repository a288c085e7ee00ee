import { randomUUID } from 'node:crypto';
import { JavaCompatiblePartitioner, ensureTopics, type Logger } from '@geostream/platform';
import type { Admin, Consumer, IHeaders, Kafka, Producer } from 'kafkajs';
import type { StateRecord } from '../state/cursor-state';
import type {
  KafkaPort,
  OpenTransaction,
  PartitionOffset,
  TransactionalSession,
} from './kafka-port';

/** The raw topic and the transactional producer, on kafkajs. */
export interface KafkaTransportOptions {
  readonly topic: string;
  readonly partitions: number;
  /** -1: the broker's default. */
  readonly replicationFactor: number;
  /** -1: keep forever. */
  readonly retentionMs: number;
  /** The compacted topic of the producer's cursors (one partition). */
  readonly stateTopic: string;
  readonly transactionalId: string;
  readonly transactionTimeoutMs: number;
  /** How long to wait for a read-back that settles an unknown commit before trying again. */
  readonly verifyTimeoutMs: number;
}

export function createKafkaPort(
  kafka: Kafka,
  options: KafkaTransportOptions,
  logger: Logger,
): KafkaPort {
  return {
    ensureTopic: () => ensureProducerTopics(kafka.admin(), options, logger),
    openSession: () => openSession(kafka, options),
    readState: () => readState(kafka, options),
    wasCommitted: (probe) => wasCommitted(kafka, options, probe),
  };
}

/**
 * Creates the raw topic if absent (warns when an existing one has fewer partitions), and the
 * state topic: compacted (the latest cursor per key is all that matters), one partition, small
 * segments so that compaction keeps the topic, and a restart's read, short.
 */
async function ensureProducerTopics(
  admin: Admin,
  options: KafkaTransportOptions,
  logger: Logger,
): Promise<void> {
  await admin.connect();
  try {
    // One CreateTopics request for both: the broker settles them together.
    const created = await ensureTopics(admin, [
      {
        topic: options.topic,
        partitions: options.partitions,
        replication: options.replicationFactor,
        configs: { 'retention.ms': String(options.retentionMs) },
      },
      {
        topic: options.stateTopic,
        partitions: 1,
        replication: options.replicationFactor,
        configs: { 'cleanup.policy': 'compact', 'segment.ms': String(STATE_SEGMENT_MS) },
      },
    ]);
    if (created.includes(options.topic)) {
      logger.info(
        { topic: options.topic, partitions: options.partitions },
        'created the raw topic',
      );
      return;
    }
    const metadata = await admin.fetchTopicMetadata({ topics: [options.topic] });
    const partitions = metadata.topics[0]?.partitions.length ?? 0;
    if (partitions < options.partitions) {
      logger.warn(
        { topic: options.topic, partitions, configured: options.partitions },
        'the raw topic exists with fewer partitions than RAW_TOPIC_PARTITIONS: processors can scale out only that far',
      );
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

const STATE_SEGMENT_MS = 600_000;

// The messages of one response share one headers object: encode its values once, not per message.
const encodedHeaders = new WeakMap<Readonly<Record<string, string>>, IHeaders>();

function encoded(headers: Readonly<Record<string, string>>): IHeaders {
  let result = encodedHeaders.get(headers);
  if (!result) {
    result = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]));
    encodedHeaders.set(headers, result);
  }
  return result;
}

async function openSession(
  kafka: Kafka,
  options: KafkaTransportOptions,
): Promise<TransactionalSession> {
  const producer: Producer = kafka.producer({
    transactionalId: options.transactionalId,
    // No `idempotent: true`: every send goes through producer.transaction(), whose sends kafkajs
    // always makes idempotent (producer id, epoch and sequences from the transactional manager);
    // the flag only governs the plain producer.send(), which we never call. With the flag,
    // kafkajs warns at start that bounded retries "may invalidate EoS guarantees", which is about
    // that plain path: here a failed transaction is aborted and sent again whole.
    maxInFlightRequests: 1,
    transactionTimeout: options.transactionTimeoutMs,
    // murmur2 on the key, as the Java client: every Kafka client agrees on an instrument's partition.
    createPartitioner: JavaCompatiblePartitioner,
    // Bounded, so a long outage returns control to the sender (which reports it and retries
    // with a fresh session).
    retry: { retries: 5 },
  });
  await producer.connect();
  const admin = kafka.admin();
  let adminConnected: Promise<void> | undefined;
  return {
    begin: async (): Promise<OpenTransaction> => {
      const transaction = await producer.transaction();
      return {
        send: async (messages, state = []) => {
          const topicMessages = [];
          if (messages.length > 0) {
            topicMessages.push({
              topic: options.topic,
              messages: messages.map((m) => ({
                key: m.key,
                value: m.value,
                headers: encoded(m.headers),
              })),
            });
          }
          if (state.length > 0) {
            topicMessages.push({
              topic: options.stateTopic,
              messages: state.map((r) => ({ key: r.key, value: r.value, partition: 0 })),
            });
          }
          const metadata = await transaction.sendBatch({ acks: -1, topicMessages });
          // The raw topic's offsets first: the first one is the probe of an unknown commit.
          return metadata
            .map((m) => ({
              topic: m.topicName,
              partition: m.partition,
              baseOffset: String(m.baseOffset),
            }))
            .sort((a, b) => Number(b.topic === options.topic) - Number(a.topic === options.topic));
        },
        commit: () => transaction.commit(),
        abort: () => transaction.abort(),
      };
    },
    awaitCompletion: async (written) => {
      adminConnected ??= admin.connect();
      await adminConnected;
      for (const topic of new Set(written.map((w) => w.topic))) {
        await awaitStableOffsets(
          admin,
          topic,
          written.filter((w) => w.topic === topic),
          options.transactionTimeoutMs,
        );
      }
    },
    close: async () => {
      await producer.disconnect();
      if (adminConnected) await admin.disconnect().catch(() => undefined);
    },
  };
}

/**
 * Waits until the last stable offset of every written partition is past what was written there.
 * kafkajs' admin lists offsets with isolation READ_COMMITTED, which answers the last stable
 * offset: it passes an offset only once the transaction that wrote it has its marker on that
 * partition. The coordinator answers a commit as soon as it has logged its decision, then writes
 * the markers; a transaction that adds a partition before they are written is refused with
 * CONCURRENT_TRANSACTIONS (which kafkajs logs at error, then retries after 200 ms or more).
 */
async function awaitStableOffsets(
  admin: Admin,
  topic: string,
  written: readonly PartitionOffset[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delayMs = 2; ; delayMs = Math.min(delayMs * 2, 100)) {
    const stable = new Map(
      (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.offset)]),
    );
    if (written.every((w) => (stable.get(w.partition) ?? -1n) > BigInt(w.baseOffset))) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `the previous transaction was not complete on ${topic} after ${timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

/**
 * Reads one offset back with read_committed, in a throw-away consumer group: visible means the
 * transaction that wrote it committed. A fetch that covers the offset without returning it
 * means it was aborted (kafkajs drops aborted records and the transaction markers).
 */
async function wasCommitted(
  kafka: Kafka,
  options: KafkaTransportOptions,
  probe: { topic: string; partition: number; offset: string },
): Promise<boolean> {
  const groupId = `${options.transactionalId}.verify.${randomUUID()}`;
  const consumer: Consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    maxWaitTimeInMs: 250,
    retry: { retries: 3 },
  });
  const target = BigInt(probe.offset);
  let settle: (committed: boolean) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const decided = new Promise<boolean>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  // A crash can reject it before it is awaited (consumer.run itself failing first, say while a
  // group coordinator is loading after a failover): never an unhandled rejection.
  decided.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      // eachBatch has already seen this batch's visible messages (and settled "committed").
      if (payload.partition !== probe.partition || payload.firstOffset === null) return;
      if (BigInt(payload.firstOffset) <= target && BigInt(payload.lastOffset) >= target)
        settle(false);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));
    await consumer.connect();
    await consumer.subscribe({ topic: probe.topic, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (batch.partition !== probe.partition) return;
        if (batch.messages.some((m) => BigInt(m.offset) === target)) settle(true);
      },
    });
    consumer.seek({ topic: probe.topic, partition: probe.partition, offset: probe.offset });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `no answer reading back offset ${probe.offset} within ${options.verifyTimeoutMs} ms`,
            ),
          ),
        options.verifyTimeoutMs,
      );
    });
    return await Promise.race([decided, timeout]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => undefined)
      .finally(() => admin.disconnect().catch(() => undefined));
  }
}

/**
 * Every record of the state topic a read_committed consumer sees, in a throw-away consumer
 * group: reads until each partition's last stable offset (taken first; after our session's
 * registration, our own transactions are all settled below it).
 */
async function readState(kafka: Kafka, options: KafkaTransportOptions): Promise<StateRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    ends = new Map(
      (await admin.fetchTopicOffsets(options.stateTopic)).map((o) => [
        o.partition,
        BigInt(o.offset),
      ]),
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  if ([...ends.values()].every((end) => end === 0n)) return [];
  const groupId = `${options.transactionalId}.state.${randomUUID()}`;
  const consumer: Consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    maxWaitTimeInMs: 250,
    retry: { retries: 3 },
  });
  const records: StateRecord[] = [];
  const progress = new Map<number, bigint>();
  const done = () => [...ends].every(([p, end]) => (progress.get(p) ?? 0n) >= end);
  let finish: () => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  finished.catch(() => undefined); // as in wasCommitted: a crash before it is awaited

  let timer: NodeJS.Timeout | undefined;
  try {
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      progress.set(payload.partition, BigInt(payload.lastOffset) + 1n);
      if (done()) finish();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));
    await consumer.connect();
    await consumer.subscribe({ topic: options.stateTopic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        if (message.key && message.value) {
          records.push({ key: message.key.toString('utf8'), value: message.value });
        }
      },
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `could not read ${options.stateTopic} to its end within ${options.verifyTimeoutMs} ms`,
            ),
          ),
        options.verifyTimeoutMs,
      );
    });
    await Promise.race([finished, timeout]);
    return records;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    const cleanup = kafka.admin();
    await cleanup
      .connect()
      .then(() => cleanup.deleteGroups([groupId]))
      .catch(() => undefined)
      .finally(() => cleanup.disconnect().catch(() => undefined));
  }
}
