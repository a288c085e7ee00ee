import type { Client } from '@elastic/elasticsearch';
import { eventually } from '@geostream/platform/testing';
import type { Knex } from 'knex';
import type { Kafka, Producer } from 'kafkajs';
import { startStreamProcessor, type StreamProcessor } from '../../src/shell/stream-processor';
import {
  cleanup,
  configOf,
  createRawTopic,
  deadLettersOf,
  elasticsearch,
  inspector,
  isolation,
  piezometerReading,
  postgresWindows,
  quietLogger,
  readTopic,
  sleep,
  testKafka,
  type Isolation,
} from './support/harness';

const SIZE_MS = 10_000;
const IDLE_FLUSH_MS = 1_500;

/**
 * The idle advance closes the windows of a partition that has nothing left to read. Readings
 * written in a transaction that is not committed yet (a producer held up between its writes and
 * its commit, as in a broker failover that moves the transaction coordinator) are in the log but
 * invisible to a read-committed consumer: the partition looks caught up while they are on their
 * way. Counting only up to the last stable offset, the advance closed the window without them,
 * and they were dead-lettered as late once committed (the lean broker-loss test in CI,
 * 2026-12-05). The partition is caught up only at the end of the log, open transactions included.
 */
describe('idle advance and open transactions (real Kafka, PostgreSQL, Elasticsearch)', () => {
  let kafka: Kafka;
  let db: Knex;
  let es: Client;
  let test: Isolation;
  let processor: StreamProcessor | undefined;
  let producer: Producer | undefined;

  beforeAll(() => {
    kafka = testKafka();
    db = inspector();
    es = elasticsearch();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await processor?.stop();
    await cleanup(kafka, test, db, es);
    await db.destroy();
    await es.close();
  });

  it('does not close a window while readings of it wait in an uncommitted transaction', async () => {
    test = isolation('opentx', {
      WINDOW_SIZE_MS: String(SIZE_MS),
      WINDOW_GRACE_MS: '5000',
      IDLE_FLUSH_MS: String(IDLE_FLUSH_MS),
    });
    await createRawTopic(kafka, test, 1);
    // One window of an instrument reading every second, half an hour ago (a backfill: the idle
    // advance to the processor's clock closes it at once unless something holds it).
    const startMs = Math.floor((Date.now() - 30 * 60_000) / SIZE_MS) * SIZE_MS;
    const readings = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => ({
        value: piezometerReading('PZ-TX', startMs + (from + i) * 1_000),
        partition: 0,
      }));
    const transactional = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      transactionalId: `${test.id}-tx`,
    });
    producer = transactional;
    await transactional.connect();

    const first = await transactional.transaction();
    await first.send({ topic: test.rawTopic, acks: -1, messages: readings(0, 5) });
    await first.commit();
    processor = await startStreamProcessor(configOf(test), { logger: quietLogger });
    const running = processor;
    // Five readings and the commit marker read.
    await eventually(
      async () => ((running.partitions()[0]?.nextOffset ?? 0) >= 5 ? true : undefined),
      {
        timeoutMs: 60_000,
        what: 'the first five readings processed',
      },
    );

    // The rest of the window, written but not committed, for several idle times.
    const second = await transactional.transaction();
    await second.send({ topic: test.rawTopic, acks: -1, messages: readings(5, 10) });
    await sleep(4 * IDLE_FLUSH_MS);
    expect(await postgresWindows(db, test)).toEqual([]);
    await second.commit();

    // Committed: the readings are read, and the idle advance closes the whole window.
    const windows = await eventually(
      async () => {
        const stored = await postgresWindows(db, test);
        return stored.length > 0 ? stored : undefined;
      },
      { timeoutMs: 60_000, what: 'the window closed by the idle advance' },
    );
    expect(windows.map((w) => ({ count: w.reading_count, mean: w.reading_mean }))).toEqual([
      { count: 10, mean: 280 },
    ]);
    expect(deadLettersOf(await readTopic(kafka, test.dlqTopic))).toEqual([]);
  });
});
