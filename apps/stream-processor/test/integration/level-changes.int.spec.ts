import { isDeepStrictEqual } from 'node:util';
import type { Client } from '@elastic/elasticsearch';
import {
  CONTROL_HEADER,
  LEVEL_CHANGE_CONTROL,
  LEVEL_CHANGE_KEY,
  encodeTriggerLevelChange,
  type TriggerLevelChange,
} from '@geostream/instrument-schemas';
import { eventually } from '@geostream/platform/testing';
import type { Knex } from 'knex';
import type { Kafka, Message, Producer } from 'kafkajs';
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
const WINDOWS = { WINDOW_SIZE_MS: String(SIZE_MS), WINDOW_GRACE_MS: '5000' };

/** One piezometer per partition, reading 280 kPa: above the library's alert (250), below 300. */
const PIEZOMETERS = ['PZ-A', 'PZ-B'];

/** Every piezometer's new levels: alert at 300, so 280 is no longer at any level. */
const change: TriggerLevelChange = {
  version: 1,
  change_id: 1,
  instrument: 'piezometer',
  borehole_number: null,
  trigger_levels: { rising: { alert: 300, alarm: 350, action: 400 } },
  changed_by: 'ada',
  changed_at: '2026-12-05T07:00:00.000Z',
};

/** Readings every 10 s (at second 1 of each window), log time 300 ms after each; the change after `changeAfter` of them. */
async function produceTimeline(
  producer: Producer,
  test: Isolation,
  startMs: number,
  windows: number,
  changeAfter?: number,
): Promise<void> {
  for (const [partition, borehole] of PIEZOMETERS.entries()) {
    const messages: Message[] = [];
    for (let k = 0; k < windows; k++) {
      const atMs = startMs + k * SIZE_MS + 1_000;
      if (k === changeAfter)
        messages.push({
          key: LEVEL_CHANGE_KEY,
          value: encodeTriggerLevelChange(change),
          headers: { [CONTROL_HEADER]: LEVEL_CHANGE_CONTROL },
          timestamp: String(atMs),
        });
      messages.push({ value: piezometerReading(borehole, atMs), timestamp: String(atMs + 300) });
    }
    await producer.send({
      topic: test.rawTopic,
      acks: -1,
      messages: messages.map((m) => ({ ...m, partition })),
    });
  }
}

describe('trigger-level changes in the raw topic (real Kafka, PostgreSQL, Elasticsearch)', () => {
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

  afterAll(async () => {
    await processor?.stop();
    await cleanup(kafka, test, db, es);
    await db.destroy();
    await es.close();
  });

  it('judges the windows each partition closes after the change on the new levels, also after a restart', async () => {
    test = isolation('levels', WINDOWS);
    await createRawTopic(kafka, test, PIEZOMETERS.length);
    const startMs = Math.floor((Date.now() - 30 * 60_000) / SIZE_MS) * SIZE_MS;
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    // Window k closes when the reading of window k + 2 comes (grace 5 s): window 0 closes
    // before the change (which sits before window 3's reading), windows 1 to 5 after it.
    await produceTimeline(producer, test, startMs, 6, 3);

    const start = () => startStreamProcessor(configOf(test), { logger: quietLogger });
    const levelsInPostgres = async () =>
      (await postgresWindows(db, test)).map((w) => [
        w.borehole_number,
        (Date.parse(w.window_start) - startMs) / SIZE_MS,
        w.trigger_level,
      ]);
    processor = await start();
    const expected = PIEZOMETERS.flatMap((b) => [
      [b, 0, 'alert'],
      ...[1, 2, 3, 4, 5].map((k) => [b, k, 'none']),
    ]);
    await eventually(
      async () => ((await levelsInPostgres()).length === expected.length ? true : undefined),
      { timeoutMs: 90_000, what: 'all 12 windows in PostgreSQL' },
    );
    expect(await levelsInPostgres()).toEqual(expected);
    // The change is part of each partition's checkpoint, not of a reading.
    await eventually(
      async () =>
        (await postgresCheckpoints(db, test)).every((c) =>
          isDeepStrictEqual((c.state as { levelChanges?: unknown }).levelChanges, [change]),
        ) || undefined,
    );
    expect(deadLettersOf(await readTopic(kafka, test.dlqTopic))).toEqual([]);

    // Restarted from its checkpoints, the processor keeps the changed levels.
    await processor.stop();
    processor = undefined;
    await produceTimeline(producer, test, startMs + 6 * SIZE_MS, 3);
    await producer.disconnect();
    processor = await start();
    const later = PIEZOMETERS.flatMap((b) => [6, 7, 8].map((k) => [b, k, 'none']));
    await eventually(
      async () =>
        (await levelsInPostgres()).length === expected.length + later.length ? true : undefined,
      { timeoutMs: 90_000, what: 'the 6 windows after the restart' },
    );
    expect(await levelsInPostgres()).toEqual(
      [...expected, ...later].sort(
        (a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1]),
      ),
    );
  });
});
