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
  postgresCheckpoints,
  postgresWindows,
  quietLogger,
  readTopic,
  testKafka,
  type Isolation,
} from './support/harness';

const SIZE_MS = 10_000;

/** Readings of windows `from` to `to` - 1, one each at its second 1, logged 300 ms later. */
async function produceWindows(
  producer: Producer,
  test: Isolation,
  startMs: number,
  from: number,
  to: number,
): Promise<void> {
  const messages = [];
  for (let k = from; k < to; k++) {
    const atMs = startMs + k * SIZE_MS + 1_000;
    messages.push({
      value: piezometerReading('PZ-F', atMs),
      timestamp: String(atMs + 300),
      partition: 0,
    });
  }
  await producer.send({ topic: test.rawTopic, acks: -1, messages });
}

/**
 * Checkpoints are incremental: a partition row and the rows of the instruments that changed.
 * An instance that lost its partition (a zombie) must not write its rows over the new owner's,
 * so each checkpoint names the one it follows, and PostgreSQL refuses it once another was
 * written. Here "another instance" puts back an earlier checkpoint of the partition: the
 * processor's next checkpoint is refused, it drops its state, reloads that checkpoint and
 * replays from it (with nothing new to read), and ends with exactly the windows of an
 * uninterrupted run.
 */
describe('checkpoint fence (real Kafka, PostgreSQL, Elasticsearch)', () => {
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

  it('refuses a checkpoint that does not follow the stored one, reloads that one and replays from it', async () => {
    test = isolation('fence', { WINDOW_SIZE_MS: String(SIZE_MS), WINDOW_GRACE_MS: '5000' });
    await createRawTopic(kafka, test, 1);
    const startMs = Math.floor((Date.now() - 30 * 60_000) / SIZE_MS) * SIZE_MS;
    const producing = kafka.producer({ idempotent: true });
    producer = producing;
    await producing.connect();
    const checkpointAt = async (offset: number) =>
      eventually(
        async () =>
          (await postgresCheckpoints(db, test))[0]?.next_offset === String(offset)
            ? true
            : undefined,
        { timeoutMs: 60_000, what: `the checkpoint at ${offset}` },
      );
    const where = { consumer_group: test.group, topic: test.rawTopic, partition: 0 };

    await produceWindows(producing, test, startMs, 0, 6);
    processor = await startStreamProcessor(configOf(test), { logger: quietLogger });
    await checkpointAt(6);
    // Kept as it is stored (jsonb and all), to be put back later.
    const copy = async (from: string, to: string) =>
      db.raw('create table ??.?? as select * from ??.?? where consumer_group = ?', [
        test.schema,
        to,
        test.schema,
        from,
        test.group,
      ]);
    await copy('processor_checkpoint', 'earlier_checkpoint');
    await copy('processor_instrument_checkpoint', 'earlier_instruments');
    await produceWindows(producing, test, startMs, 6, 9);
    await checkpointAt(9);

    // Another instance writes its checkpoint of the partition: the one at 6.
    await db.transaction(async (trx) => {
      for (const [target, source] of [
        ['processor_instrument_checkpoint', 'earlier_instruments'],
        ['processor_checkpoint', 'earlier_checkpoint'],
      ] as const) {
        await trx.withSchema(test.schema).from(target).where(where).del();
        await trx.raw('insert into ??.?? select * from ??.??', [
          test.schema,
          target,
          test.schema,
          source,
        ]);
      }
    });
    await produceWindows(producing, test, startMs, 9, 12);
    // Its next checkpoint (after 12, following 9) is refused: it drops its state and reloads 6.
    const running = processor;
    await eventually(async () => (running.partitions()[0]?.nextOffset === 6 ? true : undefined), {
      timeoutMs: 60_000,
      what: 'the refusal, and the reload of the checkpoint at 6',
    });
    // The consumer had read up to 12 with the state it dropped, and nothing new comes: it is
    // pointed back at the checkpoint all the same, and replays 6 to 12.
    await checkpointAt(12);
    await produceWindows(producing, test, startMs, 12, 15);

    await checkpointAt(15);
    const windows = (await postgresWindows(db, test))
      .map((w) => ({
        k: (Date.parse(w.window_start) - startMs) / SIZE_MS,
        count: w.reading_count,
        mean: w.reading_mean,
      }))
      .sort((a, b) => a.k - b.k);
    const closed = Array.from({ length: 13 }, (_, k) => ({ k, count: 1, mean: 280 }));
    expect(windows.slice(0, 13)).toEqual(closed);
    expect(new Set(windows.map((w) => w.k)).size).toBe(windows.length);
    // Nothing replayed was taken for late or duplicate: no dead letter at all.
    expect(deadLettersOf(await readTopic(kafka, test.dlqTopic))).toEqual([]);
  });
});
