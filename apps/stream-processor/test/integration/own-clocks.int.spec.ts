import type { Client } from '@elastic/elasticsearch';
import {
  INSTRUMENT_TYPES,
  windowId,
  type InstrumentType,
  type WindowRecord,
} from '@geostream/instrument-schemas';
import { defined, eventually } from '@geostream/platform/testing';
import { createPostgresSink } from '@geostream/sinks';
import type { Knex } from 'knex';
import type { Kafka } from 'kafkajs';
import { startStreamProcessor, type StreamProcessor } from '../../src/shell/stream-processor';
import {
  cleanup,
  configOf,
  createRawTopic,
  deadLettersOf,
  elasticsearch,
  elasticsearchWindows,
  inspector,
  isolation,
  postgresCheckpoints,
  postgresWindows,
  produce,
  quietLogger,
  readTopic,
  testKafka,
  type Isolation,
} from './support/harness';

const MIN = 60_000;
const SIZE_MS = 10_000;
/** The production window and grace (the harness's default is 1 s windows). */
const WINDOWS = { WINDOW_SIZE_MS: String(SIZE_MS), WINDOW_GRACE_MS: '5000' };

interface Logger {
  readonly instrument: InstrumentType;
  readonly borehole_number: string;
}

/** A reading as the reference API sends it. */
function reading(logger: Logger, atMs: number, value: number): string {
  return JSON.stringify({
    borehole_number: logger.borehole_number,
    instrument: logger.instrument,
    surface_level: 40,
    northing: 5_812_000,
    easting: 320_000,
    reading: value,
    timestamp: new Date(atMs).toISOString(),
  });
}

/** The same reading text with another timestamp (one a sink could not store). */
function stamped(text: string, timestamp: string): string {
  return text.replace(/"timestamp":"[^"]*"/, `"timestamp":"${timestamp}"`);
}

/** Per window id: the readings' values, as a naive grouping gives them when nothing is late. */
function windowsOf(readings: ReadonlyArray<{ logger: Logger; atMs: number; value: number }>) {
  const byId = new Map<string, { logger: Logger; startMs: number; values: number[] }>();
  for (const r of readings) {
    const startMs = Math.floor(r.atMs / SIZE_MS) * SIZE_MS;
    const id = windowId(r.logger.instrument, r.logger.borehole_number, startMs);
    const entry = byId.get(id) ?? { logger: r.logger, startMs, values: [] };
    entry.values.push(r.value);
    byId.set(id, entry);
  }
  return byId;
}

describe('every instrument on its own clock (real Kafka, PostgreSQL, Elasticsearch)', () => {
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

  it('counts real-time, store-and-forward and wrong-clock loggers on one partition in full, in all three sinks', async () => {
    // One partition, 20 minutes: 10 loggers sending each reading as taken (every 2 s, in the log
    // within a second), 5 store-and-forward nodes uploading every 5 minutes, one logger whose
    // clock runs 40 minutes fast. With one watermark per partition, the fast clock alone made
    // nearly every other reading late.
    test = isolation('clocks', WINDOWS);
    await createRawTopic(kafka, test, 1);
    const start = Math.floor((Date.now() - 40 * MIN) / SIZE_MS) * SIZE_MS;
    const live = Array.from({ length: 10 }, (_, i) => ({
      instrument: INSTRUMENT_TYPES[i % 5] as InstrumentType,
      borehole_number: `RT-${i}`,
    }));
    const nodes = Array.from({ length: 5 }, (_, i) => ({
      instrument: INSTRUMENT_TYPES[i % 5] as InstrumentType,
      borehole_number: `SF-${i}`,
    }));
    const fast: Logger = { instrument: 'piezometer', borehole_number: 'FAST-1' };
    const value = (logger: Logger, t: number) =>
      logger.instrument === 'water_standpipe' ? 37 + (t % 7) / 8 : 10 + (t % 13) / 4;

    const messages: Array<{ logMs: number; payload: string; seq: number }> = [];
    const expected: Array<{ logger: Logger; atMs: number; value: number }> = [];
    let seq = 0;
    for (let t = 0; t < 20 * MIN; t += 2_000) {
      const atMs = start + t;
      for (const logger of live) {
        const v = value(logger, t);
        messages.push({ logMs: atMs + 300, payload: reading(logger, atMs, v), seq: seq++ });
        expected.push({ logger, atMs, value: v });
      }
      for (const logger of nodes) {
        const v = value(logger, t);
        // Held on the node, uploaded at the next 5-minute mark.
        const uploadMs = start + Math.ceil((t + 1) / (5 * MIN)) * 5 * MIN;
        messages.push({ logMs: uploadMs, payload: reading(logger, atMs, v), seq: seq++ });
        expected.push({ logger, atMs, value: v });
      }
      const fastAt = atMs + 40 * MIN;
      const v = value(fast, t);
      messages.push({ logMs: atMs + 300, payload: reading(fast, fastAt, v), seq: seq++ });
      expected.push({ logger: fast, atMs: fastAt, value: v });
    }
    messages.sort((a, b) => a.logMs - b.logMs || a.seq - b.seq);
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await produce(
      producer,
      test,
      [
        {
          partition: 0,
          payloads: messages.map((m) => m.payload),
          timestamps: messages.map((m) => m.logMs),
        },
      ],
      { chunk: 1_000 },
    );
    await producer.disconnect();

    const byId = windowsOf(expected);
    const running = await startStreamProcessor(
      configOf(test, { MAX_QUIET_WAIT_MS: String(2 * 86_400_000) }),
      { logger: quietLogger },
    );
    processor = running;
    await eventually(
      async () =>
        (await postgresWindows(db, test)).length === byId.size &&
        running.partitions().every((p) => p.openWindows === 0 && p.settled)
          ? true
          : undefined,
      { timeoutMs: 90_000, what: `all ${byId.size} windows in PostgreSQL` },
    );

    const check = (windows: readonly WindowRecord[]) => {
      expect(windows.map((w) => w.id).sort()).toEqual([...byId.keys()].sort());
      for (const w of windows) {
        const model = defined(byId.get(w.id), `expected window ${w.id}`);
        expect(w.reading_count).toBe(model.values.length);
        expect(w.reading_mean).toBeCloseTo(
          model.values.reduce((a, b) => a + b, 0) / model.values.length,
          9,
        );
      }
    };
    check(await postgresWindows(db, test));
    check(await elasticsearchWindows(es, test));
    const perType = new Map<string, WindowRecord>();
    for (const type of INSTRUMENT_TYPES)
      for (const m of await readTopic(kafka, `${test.topicPrefix}${type}`)) {
        const record = JSON.parse(defined(m.value, 'a window message').toString()) as WindowRecord;
        perType.set(record.id, record);
      }
    check([...perType.values()]);
    // No good reading dead-lettered: none at all.
    expect(deadLettersOf(await readTopic(kafka, test.dlqTopic))).toEqual([]);
    // Every instrument's windows: the store-and-forward nodes' all 120, the fast one's too.
    for (const logger of [...nodes, fast])
      expect(
        [...byId.values()].filter((w) => w.logger.borehole_number === logger.borehole_number),
      ).toHaveLength(120);
    // The fast clock is reported, with its offset; the others are right.
    const clocks = (await db
      .withSchema(test.schema)
      .from('instrument_state')
      .select('borehole_number', 'clock_status', 'clock_offset_ms')) as Array<{
      borehole_number: string;
      clock_status: string;
      clock_offset_ms: string | null;
    }>;
    expect(clocks.find((c) => c.borehole_number === 'FAST-1')).toMatchObject({
      clock_status: 'ahead',
    });
    expect(
      Number(clocks.find((c) => c.borehole_number === 'FAST-1')?.clock_offset_ms),
    ).toBeGreaterThan(39 * MIN);
    expect(
      clocks.filter((c) => c.borehole_number !== 'FAST-1').every((c) => c.clock_status === 'ok'),
    ).toBe(true);
    expect(running.health()).toMatchObject({ status: 'ok' });
  });

  it('dead-letters each hostile record with its reason, and a record PostgreSQL refuses as sink_rejected, while every other instrument keeps flowing', async () => {
    test = isolation('hostile', WINDOWS);
    await createRawTopic(kafka, test, 1);
    // A refusal injected on purpose: a check constraint of this test's schema, created before the
    // processor's migrations run (they create the table: add it to the table they create).
    const start = Math.floor((Date.now() - 10 * MIN) / SIZE_MS) * SIZE_MS;
    const good: Logger = { instrument: 'piezometer', borehole_number: 'GOOD-1' };
    const refused: Logger = { instrument: 'piezometer', borehole_number: 'REFUSE-ME' };
    const hostile: Array<[string, string]> = [
      [stamped(reading(good, start, 1), '0000-01-01T00:00:00Z'), 'timestamp_out_of_range'],
      [stamped(reading(good, start, 1), '9999-12-31T23:59:55Z'), 'timestamp_out_of_range'],
      [reading({ ...good, borehole_number: 'BH-\ud800' }, start, 1), 'invalid_value'],
      [reading({ ...good, borehole_number: '🚇'.repeat(100) }, start, 1), 'invalid_value'],
      [
        reading(good, start, 1).replace('"reading":1', '"reading":1.7e308'),
        'out_of_physical_range',
      ],
      [
        reading(good, start, 1).replace('"surface_level":40', '"surface_level":1e300'),
        'out_of_physical_range',
      ],
    ];
    // Year 0000 first on the partition, as in the issue; the others among good readings.
    const payloads: string[] = [];
    for (let t = 0; t < 5 * MIN; t += 5_000) {
      const i = t / 5_000;
      if (i < hostile.length) payloads.push(defined(hostile[i], 'a hostile record')[0]);
      payloads.push(reading(good, start + t, 100 + (t % 7)));
      payloads.push(reading(refused, start + t, 100));
    }
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await produce(producer, test, [{ partition: 0, payloads }], { chunk: 200 });
    await producer.disconnect();

    // The schema as the processor migrates it, plus the refusal, before the processor starts.
    const config = configOf(test);
    const sink = createPostgresSink({
      connectionString: config.database.url,
      schema: config.outputs.postgresSchema,
    });
    await sink.migrate();
    await sink.close();
    await db.raw(
      `alter table ??.reading_window add constraint refuse_me check (borehole_number <> 'REFUSE-ME')`,
      [test.schema],
    );
    const again = await startStreamProcessor(config, { logger: quietLogger });
    processor = again;
    const goodWindows = (5 * MIN) / SIZE_MS;
    await eventually(
      async () => {
        const checkpoints = await postgresCheckpoints(db, test);
        return checkpoints[0] !== undefined &&
          Number(checkpoints[0].next_offset) >= payloads.length &&
          again.partitions().every((p) => p.openWindows === 0 && p.settled) &&
          (await postgresWindows(db, test)).length === goodWindows
          ? true
          : undefined;
      },
      { timeoutMs: 60_000, what: 'the good instrument written, the partition past every record' },
    );
    const windows = await postgresWindows(db, test);
    expect(new Set(windows.map((w) => w.borehole_number))).toEqual(new Set(['GOOD-1']));
    const letters = deadLettersOf(await readTopic(kafka, test.dlqTopic));
    const reasons = letters.map((d) => d.reason);
    expect(reasons.filter((r) => r !== 'sink_rejected').sort()).toEqual(
      hostile.map(([, reason]) => reason).sort(),
    );
    // Each window PostgreSQL refused: dead-lettered once (repeats identical), naming the sink.
    const rejected = letters.filter((d) => d.reason === 'sink_rejected');
    expect(new Set(rejected.map((d) => d.id)).size).toBe(goodWindows);
    for (const letter of rejected) {
      expect(letter.message).toMatch(/^postgres rejected piezometer:REFUSE-ME:/);
      expect(letter.message).toContain('refuse_me');
    }
    expect(again.health()).toMatchObject({ status: 'ok' });
  });
});
