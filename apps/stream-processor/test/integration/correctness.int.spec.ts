import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { Client } from '@elastic/elasticsearch';
import {
  parseSiteConfig,
  type Alert,
  type SiteConfig,
  type WindowRecord,
} from '@geostream/instrument-schemas';
import { defined, eventually } from '@geostream/platform/testing';
import type { Knex } from 'knex';
import type { Kafka } from 'kafkajs';
import { startStreamProcessor, type StreamProcessor } from '../../src/shell/stream-processor';
import { T0, envelopeJson, readingJson, type TestInstrument } from '../support/messages';
import { expectedAlerts } from '../support/oracle';
import { streamArbitrary } from '../support/stream-arbitrary';
import {
  allDeadLetters,
  allWindows,
  byId,
  expectedRecords,
  oracleOfPartitions,
} from './support/expectations';
import {
  asRawMessages,
  cleanup,
  configOf,
  createRawTopic,
  deadLettersOf,
  elasticsearch,
  elasticsearchWindows,
  inspector,
  isLevelAlert,
  isolation,
  postgresAlerts,
  postgresCheckpoints,
  postgresWindows,
  produce,
  quietLogger,
  readTopic,
  testKafka,
  type Isolation,
} from './support/harness';

const SPEC = { sizeMs: 1_000, graceMs: 500 };
const PZ: TestInstrument = {
  instrument: 'piezometer',
  borehole_number: 'PZ-A',
  surface_level: 40,
  northing: 5812100,
  easting: 320100,
};
const SM: TestInstrument = {
  instrument: 'settlement_marker',
  borehole_number: 'SM-A',
  surface_level: 41,
  northing: 5812110,
  easting: 320110,
};
const BH: TestInstrument = {
  instrument: 'water_standpipe',
  borehole_number: 'BH-A',
  surface_level: 79.45,
  northing: 5812120,
  easting: 320120,
};
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const json = (value: unknown) => JSON.stringify(value);

/** A timeline with answers worked out by hand (1 s windows, 0.5 s grace). */
const handWritten: Array<string | Uint8Array | null> = [
  json(readingJson(PZ, 100, 100)),
  json(readingJson(PZ, 200, 110)),
  json(readingJson(PZ, 900, 120)),
  json(readingJson(PZ, 200, 110)), // duplicate
  json(readingJson(PZ, 1_200, 260)),
  json(readingJson(PZ, 950, 130)), // out of order, within grace: counted in [0, 1 s)
  json(readingJson(PZ, 1_600, 280)), // watermark 1.1 s closes [0, 1 s): mean 115 of 4
  json(readingJson(PZ, 800, 999)), // late
  JSON.stringify(
    envelopeJson([
      readingJson(PZ, 1_700, 320),
      readingJson(PZ, 1_800, null as never), // null_value
      readingJson(SM, 1_750, -12),
      readingJson(PZ, 300, 1), // late, as its own item bytes
    ]),
  ),
  json(readingJson(PZ, 1_900, 1, { borehole_number: '' })), // empty_string
  Uint8Array.from([0xc3, 0x28, 0x00, 0xff]), // garbage
  json(readingJson(PZ, 1_900, 1, { instrument: 'inclinometer' })), // unknown_instrument
  null, // tombstone: not_json
  json(readingJson(SM, 2_500, -25)), // closes [1 s, 2 s) of PZ-A (alert) and SM-A (alert)
  json(readingJson(BH, 2_600, 78)), // alarm by the site config (79.45 - 1.5)
  json(readingJson(PZ, 2_700, 1)).replace('"reading":1', '"reading":NaN'), // non_finite_number
  'x'.repeat(600_000), // not_json; its dead letter (base64 + text) is over the broker's default 1 MiB
];

const siteConfig: SiteConfig = (() => {
  const parsed = parseSiteConfig({
    version: 1,
    instruments: [
      {
        instrument: 'water_standpipe',
        borehole_number: 'BH-A',
        trigger_levels: {
          relative_to: 'surface_level',
          rising: { alert: -2, alarm: -1.5, action: -1 },
        },
      },
    ],
  });
  if (!parsed.ok) throw new Error('bad test site config');
  return parsed.value;
})();

describe('stream processor end to end (real Kafka, PostgreSQL, Elasticsearch)', () => {
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

  it('writes exactly the expected windows to all three sinks, alerts for crossings, and every bad or late reading to the DLQ', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sp-site-'));
    const siteConfigFile = path.join(dir, 'site.json');
    writeFileSync(siteConfigFile, JSON.stringify(siteConfig));
    test = isolation('correct', { SITE_CONFIG_FILE: siteConfigFile });

    const generated = defined(
      fc.sample(streamArbitrary(300, 250), { numRuns: 1, seed: 42 })[0],
      'the sampled stream',
    );
    await createRawTopic(kafka, test, 2);
    const producer = kafka.producer({
      idempotent: true,
      transactionalId: `${test.id}-tx`,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    await produce(
      producer,
      test,
      [
        { partition: 0, payloads: handWritten },
        { partition: 1, payloads: generated.messages.map((m) => m.value) },
      ],
      { chunk: 40, transactional: true },
    );
    await producer.disconnect();

    const produced = await readTopic(kafka, test.rawTopic);
    const byPartition = new Map([0, 1].map((p) => [p, asRawMessages(produced, p)]));
    const oracles = oracleOfPartitions(byPartition, SPEC);
    const expectedWindows = expectedRecords(allWindows(oracles), SPEC.sizeMs, siteConfig);
    const expectedDeadLetters = allDeadLetters(oracles);

    const running = await startStreamProcessor(configOf(test), { logger: quietLogger });
    processor = running; // stopped in afterEach
    const ends = new Map(produced.map((m) => [m.partition, Number(m.offset) + 1]));
    await eventually(
      async () => {
        const checkpoints = await postgresCheckpoints(db, test);
        const done =
          checkpoints.length === 2 &&
          checkpoints.every(
            (c) =>
              Number(c.next_offset) >=
              defined(ends.get(c.partition), `end offset of raw partition ${c.partition}`),
          ) &&
          running.partitions().every((p) => p.openWindows === 0 && p.settled) &&
          (await postgresWindows(db, test)).length === expectedWindows.length;
        return done || undefined;
      },
      { timeoutMs: 60_000, what: 'both partitions processed and flushed' },
    );

    // The hand-written answers.
    const windows = await postgresWindows(db, test);
    const find = (id: string) => windows.find((w) => w.id === id);
    expect(find(`piezometer:PZ-A:${iso(0)}`)).toMatchObject({
      reading_count: 4,
      reading_mean: 115,
      reading_min: 100,
      reading_max: 130,
      trigger_level: 'none',
    });
    expect(find(`piezometer:PZ-A:${iso(1_000)}`)).toMatchObject({
      reading_count: 3,
      reading_mean: 860 / 3,
      trigger_level: 'alert',
    });
    expect(find(`settlement_marker:SM-A:${iso(1_000)}`)).toMatchObject({
      reading_count: 1,
      trigger_level: 'alert',
    });
    expect(find(`water_standpipe:BH-A:${iso(2_000)}`)).toMatchObject({
      reading_mean: 78,
      trigger_level: 'alarm',
      unit: 'm',
    });

    // Every sink holds exactly the model's windows.
    expect(windows).toEqual(expectedWindows);
    expect(await elasticsearchWindows(es, test)).toEqual(expectedWindows);
    const perType = await Promise.all(
      ['piezometer', 'settlement_marker', 'water_standpipe', 'strain_gauge', 'extensometer'].map(
        (t) => readTopic(kafka, `${test.topicPrefix}${t}`),
      ),
    );
    const latestByKey = new Map<string, WindowRecord>();
    for (const message of perType.flat()) {
      const record = JSON.parse(
        defined(message.value, `value of window message ${message.offset}`).toString(),
      ) as WindowRecord;
      expect(message.key).toBe(record.id);
      const seen = latestByKey.get(record.id);
      if (seen) expect(record).toEqual(seen); // a repeat is identical
      latestByKey.set(record.id, record);
    }
    expect([...latestByKey.values()].sort(byId)).toEqual(expectedWindows);

    // Dead letters: the model's reasons and coordinates, with the original bytes.
    const deadLetters = deadLettersOf(await readTopic(kafka, test.dlqTopic));
    const coordinates = (d: {
      partition: number;
      offset: string;
      item: number | null;
      reason: string;
    }) => `${d.partition}:${d.offset}:${d.item}:${d.reason}`;
    expect(
      [
        ...new Set(
          deadLetters.map((d) =>
            coordinates({
              partition: d.source.partition,
              offset: d.source.offset,
              item: d.item_index,
              reason: d.reason,
            }),
          ),
        ),
      ].sort(),
    ).toEqual(expectedDeadLetters.map(coordinates).sort());
    // The DLQ is keyed by source coordinates, so one source's letters may sit in any DLQ partition.
    const handDeadLetters = deadLetters
      .filter((d) => d.source.partition === 0)
      .sort(
        (a, b) =>
          Number(a.source.offset) - Number(b.source.offset) ||
          (a.item_index ?? -1) - (b.item_index ?? -1),
      );
    expect(handDeadLetters.map((d) => [d.source.offset, d.item_index, d.reason])).toEqual([
      ['7', null, 'late'],
      ['8', 1, 'null_value'],
      ['8', 3, 'late'],
      ['9', null, 'empty_string'],
      ['10', null, 'not_json'],
      ['11', null, 'unknown_instrument'],
      ['12', null, 'not_json'],
      ['15', null, 'non_finite_number'],
      ['16', null, 'not_json'],
    ]);
    const handDeadLetter = (index: number) =>
      defined(handDeadLetters[index], `dead letter ${index} of the hand-written partition`);
    expect(handDeadLetter(8).payload_bytes).toBe(600_000);
    expect(Buffer.from(handDeadLetter(4).payload_base64, 'base64')).toEqual(
      Buffer.from(handWritten[10] as Uint8Array),
    );
    expect(
      JSON.parse(defined(handDeadLetter(2).payload_utf8, 'UTF-8 payload of dead letter 2')),
    ).toEqual(readingJson(PZ, 300, 1));
    for (const d of deadLetters) {
      const source = defined(
        produced.find((m) => m.partition === d.source.partition && m.offset === d.source.offset),
        `raw message ${d.source.partition}:${d.source.offset} of dead letter ${d.id}`,
      );
      expect(d.dead_lettered_at).toBe(new Date(Number(source.timestamp)).toISOString());
      if (d.item_index === null)
        expect(Buffer.from(d.payload_base64, 'base64')).toEqual(source.value ?? Buffer.alloc(0));
    }

    // Alerts: one per level change, on the topic and in PostgreSQL, with deterministic ids.
    const expectedAlertIds = expectedAlerts(allWindows(oracles), siteConfig)
      .map((a) => a.id)
      .sort();
    expect(expectedAlertIds).toEqual(
      expect.arrayContaining([
        `piezometer:PZ-A:${iso(1_000)}:rising:raise:alert`,
        `settlement_marker:SM-A:${iso(1_000)}:falling:raise:alert`,
        `settlement_marker:SM-A:${iso(2_000)}:falling:raise:alarm`,
        `water_standpipe:BH-A:${iso(2_000)}:rising:raise:alarm`,
      ]),
    );
    const alertMessages = await readTopic(kafka, test.alertsTopic);
    const alertIds = alertMessages
      .map(
        (m) =>
          JSON.parse(defined(m.value, `value of alert message ${m.offset}`).toString()) as Alert,
      )
      .filter(isLevelAlert)
      .map((a) => a.id);
    expect([...new Set(alertIds)].sort()).toEqual(expectedAlertIds);
    expect((await postgresAlerts(db, test)).map((a) => a.id)).toEqual(expectedAlertIds);

    // Accounting: every reading counted, duplicate or dead-lettered, in the checkpoints and metrics.
    const checkpoints = await postgresCheckpoints(db, test);
    for (const { partition, result } of oracles) {
      const accounting = defined(
        checkpoints.find((c) => c.partition === partition),
        `checkpoint of partition ${partition}`,
      ).state.accounting;
      expect(accounting).toMatchObject({
        readings: result.readings,
        counted: result.counted,
        duplicates: result.duplicates,
      });
    }
    const metrics = await running.metrics.registry.getMetricsAsJSON();
    const total = (name: string) =>
      (metrics.find((m) => m.name === name)?.values ?? []).reduce(
        (sum, v) => sum + Number(v.value),
        0,
      );
    const readings = oracles.reduce((n, o) => n + o.result.readings, 0);
    expect(total('stream_processor_readings_consumed_total')).toBe(readings);
    expect(
      total('stream_processor_readings_counted_total') +
        total('stream_processor_readings_duplicate_total') +
        total('stream_processor_dead_letters_total'),
    ).toBe(readings);
    expect(running.health()).toMatchObject({ status: 'ok' });
  });

  it('with ELASTICSEARCH_URL=off writes PostgreSQL and Kafka alone, and creates no index', async () => {
    test = isolation('no-es', { ELASTICSEARCH_URL: 'off' });
    await createRawTopic(kafka, test, 1);
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await produce(producer, test, [{ partition: 0, payloads: handWritten.slice(0, 14) }]);
    await producer.disconnect();
    const produced = await readTopic(kafka, test.rawTopic);
    const oracles = oracleOfPartitions(new Map([[0, asRawMessages(produced, 0)]]), SPEC);
    const expectedWindows = expectedRecords(allWindows(oracles), SPEC.sizeMs, undefined);

    const running = await startStreamProcessor(configOf(test), { logger: quietLogger });
    processor = running; // stopped in afterEach
    await eventually(
      async () =>
        (await postgresWindows(db, test)).length === expectedWindows.length &&
        running.partitions().every((p) => p.settled)
          ? true
          : undefined,
      { timeoutMs: 60_000, what: 'windows in PostgreSQL' },
    );
    expect(await postgresWindows(db, test)).toEqual(expectedWindows);
    const perType = await readTopic(kafka, `${test.topicPrefix}piezometer`);
    expect(new Set(perType.map((m) => m.key))).toEqual(
      new Set(expectedWindows.filter((w) => w.instrument === 'piezometer').map((w) => w.id)),
    );
    expect(
      Object.keys(await es.indices.get({ index: `${test.esPrefix}-*`, allow_no_indices: true })),
    ).toEqual([]);
    expect(running.health().checks['elasticsearch']).toBeUndefined();
  });
});
