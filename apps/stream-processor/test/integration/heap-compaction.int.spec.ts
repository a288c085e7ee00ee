import type { Client } from '@elastic/elasticsearch';
import { eventually } from '@geostream/platform/testing';
import type { Knex } from 'knex';
import type { Kafka } from 'kafkajs';
import pino from 'pino';
import { HEAP_COMPACTED_MESSAGE } from '../../src/shell/heap-compaction';
import { startStreamProcessor, type StreamProcessor } from '../../src/shell/stream-processor';
import {
  cleanup,
  configOf,
  createRawTopic,
  elasticsearch,
  inspector,
  isolation,
  piezometerReading,
  postgresCheckpoints,
  postgresWindows,
  produce,
  sleep,
  testKafka,
  type Isolation,
} from './support/harness';

/** A logger keeping its lines, so the test sees what the processor reported. */
function recordingLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

/**
 * V8 keeps the heap it grew to while catching up on a backlog; the processor compacts it once it
 * has caught up, written everything and checkpointed (COMPACT_HEAP_AFTER_BACKLOG_MS). The
 * memory bench measures what that gives back; this test that it happens then, once, and that
 * the processor goes on afterwards.
 */
describe('heap compaction after a backlog (real Kafka, PostgreSQL, Elasticsearch)', () => {
  let kafka: Kafka;
  let db: Knex;
  let es: Client;
  let test: Isolation;
  let processor: StreamProcessor | undefined;

  beforeAll(() => {
    kafka = testKafka();
    db = inspector();
    es = elasticsearch();
  });

  afterEach(async () => {
    await processor?.stop();
    processor = undefined;
    await cleanup(kafka, test, db, es);
  });

  afterAll(async () => {
    await db.destroy();
    await es.close();
  });

  /** 200 instruments, 60 s of readings each, an hour old: a backlog of 12,000 readings. */
  async function backlog(): Promise<{ readings: number; startMs: number }> {
    await createRawTopic(kafka, test, 1);
    const startMs = Math.floor((Date.now() - 3_600_000) / 10_000) * 10_000;
    const payloads: string[] = [];
    for (let second = 0; second < 60; second++)
      for (let instrument = 0; instrument < 200; instrument++)
        payloads.push(piezometerReading(`PZ-${instrument}`, startMs + second * 1_000));
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await produce(producer, test, [{ partition: 0, payloads }], { chunk: 2_000 });
    await producer.disconnect();
    return { readings: payloads.length, startMs };
  }

  it('compacts the heap after the backlog is written and checkpointed, and goes on', async () => {
    test = isolation('heapcompact', {
      COMPACT_HEAP_AFTER_BACKLOG_MS: '1',
      WINDOW_SIZE_MS: '10000',
      WINDOW_GRACE_MS: '5000',
    });
    const { readings, startMs } = await backlog();
    const { logger, lines } = recordingLogger();
    const running = await startStreamProcessor(configOf(test), { logger });
    processor = running;

    const compaction = await eventually(
      async () => lines.find((line) => line['msg'] === HEAP_COMPACTED_MESSAGE),
      { timeoutMs: 60_000, what: 'the heap compacted after the backlog' },
    );
    // Not before every reading was processed and checkpointed.
    const checkpoints = await postgresCheckpoints(db, test);
    expect(checkpoints.map((c) => Number(c.next_offset))).toEqual([readings]);
    // What it gave back is the memory bench's to measure (a heap this small has little to give).
    expect(compaction).toMatchObject({
      tookMs: expect.any(Number),
      heapMbBefore: expect.any(Number),
      heapMbAfter: expect.any(Number),
    });
    // The five windows every instrument's own time closed were written before it.
    expect((await postgresWindows(db, test)).length).toBeGreaterThanOrEqual(200 * 5);

    // The processor goes on from there: readings that come later are processed.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const later = Array.from({ length: 15 }, (_, i) =>
      piezometerReading('PZ-0', startMs + (60 + i) * 1_000),
    );
    await produce(producer, test, [{ partition: 0, payloads: later }]);
    await producer.disconnect();
    await eventually(
      async () => ((running.partitions()[0]?.nextOffset ?? 0) >= readings + 15 ? true : undefined),
      { timeoutMs: 30_000, what: 'the later readings processed' },
    );
  });

  it('never compacts with COMPACT_HEAP_AFTER_BACKLOG_MS=0', async () => {
    test = isolation('heapkeep', { COMPACT_HEAP_AFTER_BACKLOG_MS: '0' });
    const { readings } = await backlog();
    const { logger, lines } = recordingLogger();
    processor = await startStreamProcessor(configOf(test), { logger });
    await eventually(
      async () =>
        (await postgresCheckpoints(db, test)).some((c) => Number(c.next_offset) >= readings) ||
        undefined,
      { timeoutMs: 60_000, what: 'the backlog processed and checkpointed' },
    );
    await sleep(1_000);
    expect(lines.filter((line) => line['msg'] === HEAP_COMPACTED_MESSAGE)).toEqual([]);
  });
});
