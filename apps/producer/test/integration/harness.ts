import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKafka, createLogger, type KafkaSettings, type Logger } from '@geostream/platform';
import pino from 'pino';
import { uniqueName } from '@geostream/platform/testing';
import { Registry } from 'prom-client';
import { readProducerConfig } from '../../src/config';
import { startProducer, type RunningProducer } from '../../src/producer';
import { expectedMessages } from './expectations';
import { startMockApi, type MockApiProcess } from './mock-api-process';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy';
import { readTopic, type ReadMessage } from './topic-reader';

/** One test's world: a seeded mock-api, the recording proxy, a producer, its own topic. */
export interface Harness {
  readonly topic: string;
  readonly api: MockApiProcess;
  readonly proxy: RecordingProxy;
  readonly producer: RunningProducer;
  readonly registry: Registry;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** Stops the producer (flushing) and the API. */
  stop(): Promise<void>;
  /** Reads the topic and compares it with what the proxy delivered. */
  verify(): Promise<{ messages: ReadMessage[]; expected: ReturnType<typeof expectedMessages> }>;
  dispose(): Promise<void>;
}

export const silent = createLogger(
  'producer-it',
  (process.env['TEST_LOG_LEVEL'] as 'silent') ?? 'silent',
);

/**
 * The producer's log of one test, at info, in a file of its own (named in the test's output
 * when it fails): what a fault test that timed out was doing is otherwise lost.
 */
function testLogger(topic: string): Logger {
  const dir = path.join(tmpdir(), 'geostream-producer-tests');
  mkdirSync(dir, { recursive: true });
  return pino(
    { level: 'info', base: { service: 'producer-it', topic } },
    pino.destination({ dest: path.join(dir, `${topic}.log`), sync: true }),
  );
}

export async function startHarness(options: {
  kafka: KafkaSettings;
  apiEnv: Record<string, string>;
  producerEnv: Record<string, string>;
}): Promise<Harness> {
  const topic = uniqueName('producer-it');
  // Loggers that scan often, so that a short test polls a log that grows at every tick.
  const api = await startMockApi({ SIM_SCAN_INTERVAL_MS: '100', ...options.apiEnv });
  const proxy = await startRecordingProxy(api.url);
  const config = readProducerConfig({
    MOCK_API_URL: proxy.url,
    RAW_TOPIC: topic,
    PRODUCER_TRANSACTIONAL_ID: topic,
    RAW_TOPIC_PARTITIONS: '6',
    POLL_INTERVAL_MS: '200',
    POLL_TIMEOUT_MS: '10000',
    PRODUCER_FLUSH_TIMEOUT_MS: '60000',
    ...options.producerEnv,
  });
  const logger = testLogger(topic);
  const kafka = createKafka(options.kafka, logger);
  const registry = new Registry();
  const producer = startProducer(config, { kafka, logger, registry });
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
    return values
      .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
      .reduce((sum, v) => sum + v.value, 0);
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const report = await producer.stop();
    await api.stop();
    expect(report).toEqual({ unflushed: 0, unresolved: 0 });
  };
  return {
    topic,
    api,
    proxy,
    producer,
    registry,
    metric,
    stop,
    async verify() {
      await stop();
      const messages = await readTopic(kafka, topic);
      const expected = expectedMessages(proxy.responses);
      return { messages, expected };
    },
    async dispose() {
      await producer.stop().catch(() => undefined);
      await api.stop();
      await proxy.close();
      const admin = kafka.admin();
      await admin
        .connect()
        .then(() => admin.deleteTopics({ topics: [topic, `${topic}.producer-state`] }))
        .catch(() => undefined)
        .finally(() => admin.disconnect());
    },
  };
}

/** Item messages as `key json` (canonical JSON), the same form as expectedMessages. */
export function itemForms(messages: readonly ReadMessage[]): string[] {
  return messages
    .filter((m) => m.headers['payload'] === undefined)
    .map((m) => `${m.key} ${JSON.stringify(JSON.parse(m.value.toString('utf8')))}`);
}

export function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}
