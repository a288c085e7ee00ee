import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import type { Alert, DeadLetter, WindowRecord } from '@geostream/instrument-schemas';
import { createKafka, createLogger, type Logger } from '@geostream/platform';
import { defined, testServices, uniqueName } from '@geostream/platform/testing';
import {
  readingWindowRowToRecord,
  windowIndexTemplateName,
  type ReadingWindowRow,
} from '@geostream/sinks';
import knexFactory, { type Knex } from 'knex';
import type { Kafka, Message, Producer } from 'kafkajs';
import { readStreamProcessorConfig, type StreamProcessorConfig } from '../../../src/config';
import type { RawMessage } from '../../../src/core/raw-message';

export const services = testServices();
export const quietLogger: Logger = createLogger(
  'stream-processor-test',
  (process.env['TEST_LOG_LEVEL'] as never) ?? 'silent',
);
const ROOT = path.resolve(__dirname, '../../../../..');

export function testKafka(): Kafka {
  return createKafka(services.kafka, quietLogger);
}

/** Everything one test writes to, named uniquely so tests run side by side and in any order. */
export interface Isolation {
  readonly id: string;
  readonly rawTopic: string;
  readonly dlqTopic: string;
  readonly alertsTopic: string;
  readonly topicPrefix: string;
  readonly group: string;
  readonly schema: string;
  readonly esPrefix: string;
  /** The environment that points a processor at all of the above. */
  readonly env: Record<string, string>;
}

/** MAX_QUIET_WAIT_MS of the processors under test (the model must share it). */
export const TEST_MAX_QUIET_WAIT_MS = 3_000;

export function isolation(name: string, env: Record<string, string> = {}): Isolation {
  const id = uniqueName(`sp-${name}`).replace(/[^a-z0-9]/g, '');
  const iso = {
    id,
    rawTopic: `${id}.raw`,
    dlqTopic: `${id}.dlq`,
    alertsTopic: `${id}.alerts`,
    topicPrefix: `${id}.`,
    group: `${id}-group`,
    schema: id,
    esPrefix: id,
  };
  return {
    ...iso,
    env: {
      KAFKA_BROKERS: services.kafka.brokers.join(','),
      DATABASE_URL: services.database.url,
      ELASTICSEARCH_URL: services.elasticsearch.enabled ? services.elasticsearch.url : 'off',
      RAW_TOPIC: iso.rawTopic,
      DLQ_TOPIC: iso.dlqTopic,
      ALERTS_TOPIC: iso.alertsTopic,
      OUTPUT_TOPIC_PREFIX: iso.topicPrefix,
      CONSUMER_GROUP: iso.group,
      PG_SCHEMA: iso.schema,
      ES_INDEX_PREFIX: iso.esPrefix,
      WINDOW_SIZE_MS: '1000',
      WINDOW_GRACE_MS: '500',
      IDLE_FLUSH_MS: '1500',
      // The test streams arrive as one burst of history: without a short bound an instrument's
      // last window would wait for the next upload its delays suggest (see the README).
      MAX_QUIET_WAIT_MS: String(TEST_MAX_QUIET_WAIT_MS),
      CHECKPOINT_INTERVAL_MS: '1000',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      SHUTDOWN_TIMEOUT_MS: '5000',
      // One consumer per process, so a test reads a process's partitions from its log; the
      // crash test runs two worker threads.
      PROCESSOR_WORKERS: '1',
      LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'warn',
      PORT: '0',
      ...env,
    },
  };
}

export function configOf(iso: Isolation, env: Record<string, string> = {}): StreamProcessorConfig {
  return readStreamProcessorConfig({ ...iso.env, ...env });
}

export async function createRawTopic(
  kafka: Kafka,
  iso: Isolation,
  partitions: number,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: iso.rawTopic, numPartitions: partitions, replicationFactor: 1 }],
    });
  } finally {
    await admin.disconnect();
  }
}

/** What a test produces to one raw partition. */
export interface PartitionStream {
  readonly partition: number;
  readonly payloads: ReadonlyArray<string | Uint8Array | null>;
  /** Kafka timestamps (ms) of the payloads, when the test sets the log's clock itself. */
  readonly timestamps?: readonly number[];
}

/**
 * Produces the streams, `chunk` messages per send, optionally each send in its own
 * transaction (as the real producer does: transaction markers then sit between records).
 */
export async function produce(
  producer: Producer,
  iso: Isolation,
  streams: readonly PartitionStream[],
  options: { chunk?: number; transactional?: boolean; pauseMs?: number } = {},
): Promise<void> {
  const chunk = options.chunk ?? 500;
  const longest = Math.max(...streams.map((s) => s.payloads.length));
  for (let from = 0; from < longest; from += chunk) {
    const messages: Array<Message & { partition: number }> = streams.flatMap((s) =>
      s.payloads.slice(from, from + chunk).map((payload, i) => ({
        partition: s.partition,
        value: payload === null ? null : Buffer.from(payload),
        ...(s.timestamps !== undefined && { timestamp: String(s.timestamps[from + i]) }),
      })),
    );
    if (messages.length === 0) continue;
    if (options.transactional) {
      const transaction = await producer.transaction();
      await transaction.send({ topic: iso.rawTopic, messages, acks: -1 });
      await transaction.commit();
    } else {
      await producer.send({ topic: iso.rawTopic, messages, acks: -1 });
    }
    if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
  }
}

/** Every message of a topic up to its current end, by partition, in log order. */
export async function readTopic(
  kafka: Kafka,
  topic: string,
): Promise<
  Array<{
    partition: number;
    offset: string;
    key: string | null;
    value: Buffer | null;
    timestamp: string;
  }>
> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(
    ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, Number(e.high)]),
  );
  const out: Array<{
    partition: number;
    offset: string;
    key: string | null;
    value: Buffer | null;
    timestamp: string;
  }> = [];
  if (remaining.size === 0) return out;
  const consumer = kafka.consumer({ groupId: uniqueName('sp-reader'), readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages)
            out.push({
              partition: batch.partition,
              offset: m.offset,
              key: m.key?.toString() ?? null,
              value: m.value,
              timestamp: m.timestamp,
            });
          if (Number(batch.lastOffset()) + 1 >= (remaining.get(batch.partition) ?? 0))
            remaining.delete(batch.partition);
          if (remaining.size === 0) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return out.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
}

export function inspector(): Knex {
  return knexFactory({ client: 'pg', connection: services.database.url, pool: { min: 0, max: 2 } });
}

export async function postgresWindows(db: Knex, iso: Isolation): Promise<WindowRecord[]> {
  const rows = (await db
    .withSchema(iso.schema)
    .from('reading_window')
    .orderBy('id')) as ReadingWindowRow[];
  return rows.map(readingWindowRowToRecord);
}

/**
 * The trigger-level alerts in PostgreSQL (what the model predicts): the other conditions (rate,
 * no_data, clock_skew; the test streams' clocks are years behind) are tested on their own.
 */
export async function postgresAlerts(db: Knex, iso: Isolation): Promise<Alert[]> {
  const rows = (await db
    .withSchema(iso.schema)
    .from('alert_event')
    .where({ condition: 'level' })
    .orderBy('id')) as Array<{ payload: Alert }>;
  return rows.map((row) => row.payload);
}

/** Whether an alarm event read from the alerts topic is a trigger-level one. */
export function isLevelAlert(event: { condition?: string }): boolean {
  return (event.condition ?? 'level') === 'level';
}

export async function postgresCheckpoints(
  db: Knex,
  iso: Isolation,
): Promise<
  Array<{ partition: number; next_offset: string; state: { accounting: Record<string, unknown> } }>
> {
  return (await db
    .withSchema(iso.schema)
    .from('processor_checkpoint')
    .where({ consumer_group: iso.group })
    .orderBy('partition')) as never;
}

export function elasticsearch(): Client {
  if (!services.elasticsearch.enabled) throw new Error('these tests need Elasticsearch');
  return new Client({ node: services.elasticsearch.url });
}

export async function elasticsearchWindows(
  client: Client,
  iso: Isolation,
): Promise<WindowRecord[]> {
  await client.indices.refresh({ index: `${iso.esPrefix}-*`, allow_no_indices: true });
  const docs: WindowRecord[] = [];
  let response = await client.search<WindowRecord>({
    index: `${iso.esPrefix}-*`,
    size: 5_000,
    scroll: '30s',
    query: { match_all: {} },
    allow_no_indices: true,
  });
  while (response.hits.hits.length > 0) {
    for (const hit of response.hits.hits) {
      expectIdMatches(hit._id, hit._source);
      docs.push(hit._source);
    }
    if (!response._scroll_id) break;
    response = await client.scroll<WindowRecord>({ scroll_id: response._scroll_id, scroll: '30s' });
  }
  if (response._scroll_id)
    await client.clearScroll({ scroll_id: response._scroll_id }).catch(() => undefined);
  return docs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function expectIdMatches(
  id: string | undefined,
  doc: WindowRecord | undefined,
): asserts doc is WindowRecord {
  if (doc === undefined || id !== doc.id)
    throw new Error(`elasticsearch _id ${id} is not the window id ${doc?.id}`);
}

export async function cleanup(
  kafka: Kafka,
  iso: Isolation,
  db: Knex,
  client?: Client,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(iso.id));
  if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.deleteGroups([iso.group]).catch(() => undefined);
  await admin.disconnect();
  await db.raw('drop schema if exists ?? cascade', [iso.schema]);
  if (client) {
    await client.indices
      .delete({ index: `${iso.esPrefix}-*`, allow_no_indices: true })
      .catch(() => undefined);
    await client.indices
      .deleteIndexTemplate({ name: windowIndexTemplateName(iso.esPrefix) })
      .catch(() => undefined);
  }
}

export function deadLettersOf(messages: Awaited<ReturnType<typeof readTopic>>): DeadLetter[] {
  return messages.map(
    (m) =>
      JSON.parse(
        defined(m.value, `value of dead letter ${m.partition}:${m.offset}`).toString(),
      ) as DeadLetter,
  );
}

/** The payloads of one raw partition as the RawMessages the oracle reads (offsets from 0). */
export function asRawMessages(
  produced: Awaited<ReturnType<typeof readTopic>>,
  partition: number,
): RawMessage[] {
  return produced
    .filter((m) => m.partition === partition)
    .map((m) => ({ offset: m.offset, key: null, value: m.value, timestamp: m.timestamp }));
}

/** A processor as its own OS process (the esbuild bundle), so SIGKILL is a real crash. */
export interface ProcessorProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  kill(signal?: NodeJS.Signals): Promise<void>;
  readonly exited: Promise<number | null>;
}

export function startProcessorProcess(
  iso: Isolation,
  name: string,
  env: Record<string, string> = {},
): ProcessorProcess {
  const bundle = path.join(ROOT, 'dist/apps/stream-processor/main.js');
  const logDir = path.join(tmpdir(), 'geostream-stream-processor-tests');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${iso.id}-${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--enable-source-maps', bundle], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...iso.env,
      LOG_LEVEL: process.env['CHILD_LOG_LEVEL'] ?? 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    logFile,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Code-unit order, as JavaScript sorts (PostgreSQL's collation may differ). */
export const byId = (a: { id: string }, b: { id: string }) =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One piezometer reading of 280 kPa (above the library's alert at 250) as the producer sends it. */
export function piezometerReading(borehole: string, atMs: number): string {
  return JSON.stringify({
    borehole_number: borehole,
    instrument: 'piezometer',
    surface_level: 40,
    northing: 5_812_000,
    easting: 320_000,
    reading: 280,
    timestamp: new Date(atMs).toISOString(),
  });
}
