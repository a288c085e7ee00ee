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
  testKafka,
  type Isolation,
} from './support/harness';

const SIZE_MS = 10_000;
/** Longer than the test waits: only the caught-up rule can close the windows in time. */
const IDLE_FLUSH_MS = 120_000;

/**
 * A backlog read long after it was logged (the processor was down, or a new consumer group
 * reads a retained upload): a caught-up partition's log clock is at least IDLE_FLUSH_MS before
 * the processor's clock (core/idle-advance), so the last windows of its instruments close as
 * soon as the backlog is read, not one idle time later.
 */
describe('idle advance after a backlog (real Kafka, PostgreSQL, Elasticsearch)', () => {
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

  it('closes the last windows of a backlog logged an hour ago as soon as it is read', async () => {
    test = isolation('idlebacklog', {
      WINDOW_SIZE_MS: String(SIZE_MS),
      WINDOW_GRACE_MS: '5000',
      IDLE_FLUSH_MS: String(IDLE_FLUSH_MS),
    });
    await createRawTopic(kafka, test, 1);
    // A store-and-forward upload: two instruments' readings of 25 s, logged an hour ago,
    // a minute after they were taken.
    const loggedAtMs = Date.now() - 3_600_000;
    const startMs = Math.floor((loggedAtMs - 60_000) / SIZE_MS) * SIZE_MS;
    const messages = ['PZ-B1', 'PZ-B2'].flatMap((borehole) =>
      Array.from({ length: 25 }, (_, i) => ({
        key: `piezometer:${borehole}`,
        value: piezometerReading(borehole, startMs + i * 1_000),
        partition: 0,
        timestamp: String(loggedAtMs + i * 10),
      })),
    );
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: test.rawTopic, acks: -1, messages });

    processor = await startStreamProcessor(configOf(test), { logger: quietLogger });
    // Each instrument's three windows: the first closed by its own readings, the others (its
    // event time stops 19 s in) by the advance, well within the idle time.
    const windows = await eventually(
      async () => {
        const stored = await postgresWindows(db, test);
        return stored.length === 6 ? stored : undefined;
      },
      { timeoutMs: 60_000, what: 'every window of the backlog, the last ones included' },
    );
    expect(windows.map((w) => [w.borehole_number, w.reading_count])).toEqual([
      ['PZ-B1', 10],
      ['PZ-B1', 10],
      ['PZ-B1', 5],
      ['PZ-B2', 10],
      ['PZ-B2', 10],
      ['PZ-B2', 5],
    ]);
    expect(deadLettersOf(await readTopic(kafka, test.dlqTopic))).toEqual([]);

    // A record that reaches the log later than IDLE_FLUSH_MS allows (its Kafka timestamp before
    // the clock the advance set): its reading is dead-lettered as late, and it is counted.
    const running = processor;
    await producer.send({
      topic: test.rawTopic,
      acks: -1,
      messages: [
        {
          key: 'piezometer:PZ-B1',
          value: piezometerReading('PZ-B1', startMs + 25_500),
          partition: 0,
          timestamp: String(loggedAtMs + 1_000),
        },
      ],
    });
    const behind = async () =>
      (await running.metrics.registry.getMetricsAsJSON())
        .find((m) => m.name === 'stream_processor_records_behind_idle_advance_total')
        ?.values.reduce((sum, v) => sum + Number(v.value), 0) ?? 0;
    await eventually(async () => ((await behind()) === 1 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the record behind the idle advance counted',
    });
    const late = await eventually(
      async () => {
        const letters = deadLettersOf(await readTopic(kafka, test.dlqTopic));
        return letters.length > 0 ? letters : undefined;
      },
      { timeoutMs: 30_000, what: 'its reading dead-lettered' },
    );
    expect(late.map((letter) => letter.reason)).toEqual(['late']);
    expect(await postgresWindows(db, test)).toHaveLength(6);
  });
});
