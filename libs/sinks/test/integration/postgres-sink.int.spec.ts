import { retry } from '@geostream/platform';
import { startTcpFaultProxy, uniqueName, type TcpFaultProxy } from '@geostream/platform/testing';
import type { Knex } from 'knex';
import {
  CheckpointSupersededError,
  SINK_ERROR_CODES,
  SinkRejectedError,
  SinkUnavailableError,
  createPostgresSink,
  isRecordRejection,
  readingWindowRowToRecord,
  type PostgresSink,
  type PostgresSinkOptions,
  type ReadingWindowRow,
} from '../../src';
import { migrateSerialised } from '../../src/postgres/migrate-serialised';
import { MIGRATIONS, UPDATED_IN_PLACE } from '../../src/postgres/migrations';
import { MIGRATIONS_TABLE } from '../../src/postgres/tables';
import { arrayLiteral } from '../../src/postgres/upsert-statement';
import { alertFor, nth, windowRecord, windowRecords } from '../support/records';
import { hostAndPort, inspector, services, viaAddress } from './services';

const T0 = Date.UTC(2022, 4, 2, 8);

interface RecordRow {
  borehole_number: string;
  ts: Date;
  reading: number;
}

describe('PostgreSQL sink (real PostgreSQL, own schema per test)', () => {
  let db: Knex;
  let schema: string;
  let sink: PostgresSink;
  const sinks: PostgresSink[] = [];
  const schemas: string[] = [];

  function newSink(options: Partial<PostgresSinkOptions> = {}): PostgresSink {
    const created = createPostgresSink({
      connectionString: services.database.url,
      schema,
      ...options,
    });
    sinks.push(created);
    return created;
  }

  const rows = async (table: string, orderBy = 'id') =>
    (await db.withSchema(schema).from(table).orderBy(orderBy)) as Record<string, unknown>[];
  const count = async (table: string) =>
    Number(((await db.withSchema(schema).from(table).count({ n: '*' })) as [{ n: string }])[0].n);

  beforeAll(() => {
    db = inspector();
  });

  beforeEach(async () => {
    schema = uniqueName('sinks_test');
    schemas.push(schema);
    sink = newSink();
    await sink.migrate();
  });

  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((s) => s.close()));
    for (const name of schemas.splice(0)) await db.raw('drop schema if exists ?? cascade', [name]);
  });

  afterAll(() => db.destroy());

  it('migrates a fresh schema: every table, index and the record view; again is harmless', async () => {
    const tables = await db('information_schema.tables')
      .where({ table_schema: schema })
      .orderBy('table_name')
      .pluck('table_name');
    expect(tables).toEqual([
      'alert_event',
      'geostream_migrations',
      'geostream_migrations_lock',
      'instrument_state',
      'plan_underlay',
      'processor_checkpoint',
      'processor_instrument_checkpoint',
      'reading_window',
      'record',
    ]);
    const indexes = await db('pg_indexes')
      .where({ schemaname: schema })
      .orderBy('indexname')
      .pluck('indexname');
    expect(indexes).toEqual(
      expect.arrayContaining([
        'alert_event_instrument_time_idx',
        'alert_event_pkey',
        'alert_event_time_idx',
        'instrument_state_pkey',
        'plan_underlay_pkey',
        'processor_checkpoint_pkey',
        'reading_window_instrument_time_idx',
        'reading_window_pkey',
        'reading_window_time_idx',
        'reading_window_trigger_level_idx',
      ]),
    );
    // The id is the primary key's columns written as one text: no index of its own (0009).
    expect(indexes).not.toContain('reading_window_id_key');
    const viewColumns = await db('information_schema.columns')
      .where({ table_schema: schema, table_name: 'record' })
      .orderBy('ordinal_position')
      .pluck('column_name');
    expect(viewColumns).toEqual([
      'borehole_number',
      'instrument',
      'surface_level',
      'northing',
      'easting',
      'reading',
      'ts',
    ]);

    // The tables rewritten row by row leave room on each page for updates in place.
    const options = await db('pg_class')
      .join('pg_namespace', 'pg_namespace.oid', 'pg_class.relnamespace')
      .where('pg_namespace.nspname', schema)
      .whereIn('pg_class.relname', [...UPDATED_IN_PLACE])
      .orderBy('pg_class.relname')
      .select('pg_class.relname', 'pg_class.reloptions');
    expect(options).toEqual(
      [...UPDATED_IN_PLACE].sort().map((relname) => ({ relname, reloptions: ['fillfactor=70'] })),
    );

    expect(await sink.migrate()).toEqual({ schema, applied: [] });
    // Several instances starting at once: serialised, nobody fails.
    const others = [newSink(), newSink()];
    await expect(Promise.all(others.map((s) => s.migrate()))).resolves.toEqual([
      { schema, applied: [] },
      { schema, applied: [] },
    ]);
  });

  it('names a server whose autovacuum is off at start-up, and is silent when it is on', async () => {
    const notes: string[] = [];
    const logger = {
      info: (_fields: unknown, message: string) => notes.push(message),
      warn: () => undefined,
      debug: () => undefined,
      error: () => undefined,
      child: () => logger,
    };
    const watched = newSink({ logger: logger as unknown as PostgresSinkOptions['logger'] });
    await watched.migrate();
    const server = ((await db.raw('show autovacuum')) as { rows: { autovacuum: string }[] }).rows[0]
      ?.autovacuum;
    // The setting is the server's (this machine's CI configuration has it off), so the test
    // follows it rather than changing a server-wide setting under the other tests.
    expect(notes.filter((m) => m.includes('autovacuum is off'))).toHaveLength(
      server === 'off' ? 1 : 0,
    );
  });

  it('migrates concurrently into a schema that does not exist yet', async () => {
    schema = uniqueName('sinks_test');
    schemas.push(schema);
    const results = await Promise.all([newSink(), newSink(), newSink()].map((s) => s.migrate()));
    // One instance applies every migration; the others find nothing left to do.
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, MIGRATIONS.length]);
  });

  it('converts the instrument checkpoints written as jsonb before migration 0008, each loaded back as it was', async () => {
    schema = uniqueName('sinks_test');
    schemas.push(schema);
    const before = MIGRATIONS.findIndex((m) => m.name === '0008_checkpoint_state_text');
    expect(before).toBeGreaterThan(0);
    await migrateSerialised(db, {
      schema,
      lockName: 'sinks-test',
      migrations: MIGRATIONS.slice(0, before),
      tableName: MIGRATIONS_TABLE,
    });
    const state = [1796461522766, null, [[1796461510000, 0.1 + 0.2]], { q: 'ünï "x" \\ \n' }];
    const where = { consumer_group: 'g', topic: 'raw', partition: 1 };
    await db
      .withSchema(schema)
      .into('processor_checkpoint')
      .insert({
        ...where,
        next_offset: '42',
        state: JSON.stringify({ at: 42 }),
      });
    await db
      .withSchema(schema)
      .into('processor_instrument_checkpoint')
      .insert({ ...where, instrument_key: 'piezometer:A', state: JSON.stringify(state) });

    const migrating = newSink();
    expect(await migrating.migrate()).toEqual({
      schema,
      applied: MIGRATIONS.slice(before).map((m) => m.name),
    });
    const column = await db('information_schema.columns')
      .where({ table_schema: schema, table_name: 'processor_instrument_checkpoint' })
      .where('column_name', 'state')
      .first('data_type');
    expect(column).toEqual({ data_type: 'text' });
    const loaded = await migrating.loadCheckpoint('g', 'raw', 1);
    expect(loaded?.instruments).toEqual([{ key: 'piezometer:A', state }]);
    expect(loaded).toMatchObject({ nextOffset: '42', state: { at: 42 } });

    // Written from now on as the processor's own JSON text.
    await migrating.writeBatch({
      checkpoints: [
        {
          consumerGroup: 'g',
          topic: 'raw',
          partition: 1,
          nextOffset: '43',
          state: { at: 43 },
          instruments: { upserts: [{ key: 'piezometer:A', state: [0.1 + 0.2] }], deletes: [] },
        },
      ],
    });
    const stored = await db
      .withSchema(schema)
      .from('processor_instrument_checkpoint')
      .where(where)
      .first('state');
    expect(stored).toEqual({ state: JSON.stringify([0.1 + 0.2]) });
  });

  it('reads every array literal we build back as the values it was built from', async () => {
    const texts = [
      'a b',
      ' lead',
      'trail ',
      'x"y',
      'p\\q',
      '\\"',
      '{,}',
      'NULL',
      'null',
      '',
      '\t\n',
      'ünï 🛈',
      null,
    ];
    const numbers = [1.5, -0, 1e21, 5e-324, 0.1 + 0.2, -1.7976931348623157e308, 2 ** 53 + 2, null];
    const read = async (type: string, values: unknown[]) =>
      (
        (await db.raw(`select unnest(?::${type}[]) as v`, [arrayLiteral(values)])) as {
          rows: { v: unknown }[];
        }
      ).rows.map((r) => r.v);
    expect(await read('text', texts)).toEqual(texts);
    expect(await read('float8', numbers)).toEqual(numbers.map((n) => (Object.is(n, -0) ? 0 : n)));
    expect(await read('int8', [9007199254740993n, -1, null])).toEqual([
      '9007199254740993',
      '-1',
      null,
    ]);
  });

  it('writes rows whose columns equal the records', async () => {
    const windows = [
      windowRecord({
        startMs: T0,
        reading_mean: 0.1 + 0.2,
        reading_min: -1e-300,
        reading_max: 1.7976931348623157e308,
      }),
      windowRecord({
        instrument: 'strain_gauge',
        borehole: 'SG/1:a',
        startMs: T0,
        trigger_level: 'alarm',
      }),
    ];
    expect(await sink.writeBatch({ windows })).toEqual({
      windows: 2,
      alerts: 0,
      instrumentStates: 2,
      checkpoints: 0,
      instrumentCheckpoints: 0,
    });
    const stored = (await rows('reading_window')) as unknown as ReadingWindowRow[];
    expect(stored.map(readingWindowRowToRecord)).toEqual(
      [...windows].sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect(stored[0]?.written_at).toBeInstanceOf(Date);
  });

  it('overwrites a replayed batch, never duplicating; a changed replay updates the values', async () => {
    const windows = windowRecords(300, { instruments: 30 });
    await sink.writeBatch({ windows });
    await sink.writeBatch({ windows });
    expect(await count('reading_window')).toBe(300);

    const corrected = windows.map((w) => ({
      ...w,
      reading_mean: w.reading_mean + 1,
      reading_count: 99,
    }));
    await sink.writeBatch({ windows: corrected });
    expect(await count('reading_window')).toBe(300);
    const stored = ((await rows('reading_window')) as unknown as ReadingWindowRow[]).map(
      readingWindowRowToRecord,
    );
    expect(stored).toEqual([...corrected].sort((a, b) => (a.id < b.id ? -1 : 1)));
  });

  it('de-duplicates a key repeated within one batch (last wins) instead of failing', async () => {
    const first = windowRecord({ startMs: T0, reading_mean: 1 });
    const last = windowRecord({ startMs: T0, reading_mean: 3 });
    const alert = alertFor(first);
    const result = await sink.writeBatch({
      windows: [first, windowRecord({ startMs: T0, reading_mean: 2 }), last],
      alerts: [alert, { ...alert, value: 42 }],
    });
    expect(result).toMatchObject({ windows: 1, alerts: 1 });
    expect((await rows('reading_window')).map((r) => r['reading_mean'])).toEqual([3]);
    expect((await rows('alert_event')).map((r) => r['value'])).toEqual([42]);
  });

  it.each(['unnest', 'values'] as const)(
    'writes a batch beyond the 65,535 bind-parameter limit (%s, chunked)',
    async (upsertStrategy) => {
      const big = newSink({ upsertStrategy });
      const windows = windowRecords(8_000, { instruments: 400 }); // 8,000 x 17 = 136,000 values
      expect((await big.writeBatch({ windows })).windows).toBe(8_000);
      await big.writeBatch({ windows });
      expect(await count('reading_window')).toBe(8_000);
      expect(await count('instrument_state')).toBe(400);
    },
  );

  it('writes windows, alerts, instrument state and checkpoint in one transaction: all or nothing', async () => {
    const windows = windowRecords(50, { instruments: 5 });
    const checkpoint = {
      consumerGroup: 'g',
      topic: 'raw',
      partition: 0,
      nextOffset: '100',
      state: {},
    };
    // The CHECK constraint on to_level fails after the windows were upserted in the same transaction.
    const badAlert = alertFor(nth(windows, 0), { to_level: 'catastrophe' as never });
    const error = await sink
      .writeBatch({ windows, alerts: [badAlert], checkpoints: [checkpoint] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkRejectedError);
    expect((error as SinkRejectedError).details).toMatchObject({
      sqlState: '23514',
      sink: 'postgres',
    });
    // A check constraint blames the records: the processor may narrow it down to them.
    expect(isRecordRejection(error)).toBe(true);
    expect(await count('reading_window')).toBe(0);
    expect(await count('instrument_state')).toBe(0);
    expect(await count('processor_checkpoint')).toBe(0);
    expect(await count('alert_event')).toBe(0);

    await sink.writeBatch({
      windows,
      alerts: [alertFor(nth(windows, 0))],
      checkpoints: [checkpoint],
    });
    expect(await count('reading_window')).toBe(50);
    expect(await count('alert_event')).toBe(1);
    expect(await sink.loadCheckpoint('g', 'raw', 0)).toMatchObject({ nextOffset: '100' });
  });

  it('moves instrument_state only forward in event time (an equal window may correct it)', async () => {
    const at = (ms: number, mean: number) =>
      windowRecord({ borehole: 'BH-9', startMs: ms, reading_mean: mean });
    await sink.writeBatch({ windows: [at(T0 + 20_000, 2)] });
    await sink.writeBatch({ windows: [at(T0 + 10_000, 1)] }); // older: a replay or a zombie
    let [state] = await rows('instrument_state', 'borehole_number');
    expect(state).toMatchObject({ last_window_id: at(T0 + 20_000, 0).id, last_reading_mean: 2 });

    await sink.writeBatch({ windows: [at(T0 + 20_000, 5)] });
    [state] = await rows('instrument_state', 'borehole_number');
    expect(state?.['last_reading_mean']).toBe(5);

    await sink.writeBatch({ windows: [at(T0 + 30_000, 3), at(T0 + 40_000, 4), at(T0, 0)] });
    [state] = await rows('instrument_state', 'borehole_number');
    expect(state).toMatchObject({ last_window_id: at(T0 + 40_000, 0).id, last_reading_mean: 4 });
    expect(state?.['last_reading_at']).toEqual(new Date(at(T0 + 40_000, 4).last_timestamp));
  });

  it('round-trips checkpoints: int64 offsets exactly, state JSON intact, last write wins', async () => {
    const state = {
      aggregator: {
        windows: [{ key: 'piezometer:BH-1', sum: 0.1 + 0.2, n: 3, ts: [1, 2] }],
        watermark: -5,
      },
      alerts: { 'piezometer:BH-1': { rising: 'alarm' } },
      text: 'ünïcode "quoted" \\ \n',
      nothing: null,
    };
    await sink.writeBatch({
      checkpoints: [
        {
          consumerGroup: 'g',
          topic: 'raw',
          partition: 3,
          nextOffset: '9223372036854775807',
          state,
        },
      ],
    });
    const loaded = await sink.loadCheckpoint('g', 'raw', 3);
    expect(loaded).toMatchObject({
      consumerGroup: 'g',
      topic: 'raw',
      partition: 3,
      nextOffset: '9223372036854775807',
    });
    expect(loaded?.state).toEqual(state);
    expect(Date.parse(loaded?.updatedAt ?? '')).not.toBeNaN();

    // Without `follows` (no fence asked for) a checkpoint is written as given, older or not.
    await sink.writeBatch({
      checkpoints: [{ consumerGroup: 'g', topic: 'raw', partition: 3, nextOffset: '7', state: [] }],
    });
    expect(await sink.loadCheckpoint('g', 'raw', 3)).toMatchObject({ nextOffset: '7', state: [] });
    expect(await sink.loadCheckpoint('g', 'raw', 4)).toBeUndefined();
    expect(await sink.loadCheckpoint('other', 'raw', 3)).toBeUndefined();
  });

  it("keeps a checkpoint's instrument rows: upserts and deletes with the partition row, all loaded back", async () => {
    const checkpoint = (
      nextOffset: string,
      upserts: { key: string; state: unknown }[],
      deletes: string[],
    ) => ({
      consumerGroup: 'g',
      topic: 'raw',
      partition: 2,
      nextOffset,
      state: { at: nextOffset },
      instruments: { upserts, deletes },
    });
    await sink.writeBatch({
      checkpoints: [
        checkpoint(
          '10',
          [
            { key: 'piezometer:B', state: { v: 1 } },
            { key: 'piezometer:A', state: { v: 1 } },
            { key: 'piezometer:Ä', state: { v: 1 } },
          ],
          [],
        ),
      ],
    });
    await sink.writeBatch({
      checkpoints: [checkpoint('20', [{ key: 'piezometer:B', state: { v: 2 } }], ['piezometer:A'])],
    });
    const loaded = await sink.loadCheckpoint('g', 'raw', 2);
    expect(loaded).toMatchObject({ nextOffset: '20', state: { at: '20' } });
    expect(loaded?.instruments).toEqual([
      { key: 'piezometer:B', state: { v: 2 } },
      { key: 'piezometer:Ä', state: { v: 1 } },
    ]);
    expect(await sink.loadCheckpoint('g', 'raw', 3)).toBeUndefined();
    // A failed transaction writes no instrument row either.
    const failed = await sink
      .writeBatch({
        alerts: [alertFor(windowRecord(), { to_level: 'catastrophe' as never })],
        checkpoints: [checkpoint('30', [{ key: 'piezometer:C', state: {} }], ['piezometer:B'])],
      })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(SinkRejectedError);
    expect((await sink.loadCheckpoint('g', 'raw', 2))?.instruments.map((i) => i.key)).toEqual([
      'piezometer:B',
      'piezometer:Ä',
    ]);
  });

  it('refuses a checkpoint whose partition row moved on since its writer knew it, writing none of its rows', async () => {
    const checkpoint = (nextOffset: string, follows: string | null, key: string) => ({
      consumerGroup: 'g',
      topic: 'raw',
      partition: 5,
      nextOffset,
      follows,
      state: { at: nextOffset },
      instruments: { upserts: [{ key, state: { at: nextOffset } }], deletes: [] },
    });
    // The first owner: none before; then its own next, following its first.
    await sink.writeBatch({ checkpoints: [checkpoint('10', null, 'piezometer:A')] });
    await sink.writeBatch({ checkpoints: [checkpoint('20', '10', 'piezometer:A')] });
    // The same write again (its commit answer lost): already there, accepted.
    await sink.writeBatch({ checkpoints: [checkpoint('20', '10', 'piezometer:A')] });
    // A new owner loaded 20 and wrote 30; the zombie, which still follows 10, is refused, as is
    // one that believes there was none.
    await sink.writeBatch({ checkpoints: [checkpoint('30', '20', 'piezometer:B')] });
    for (const stale of [
      checkpoint('25', '20', 'piezometer:A'),
      checkpoint('15', null, 'piezometer:C'),
    ]) {
      const refused = await sink.writeBatch({ checkpoints: [stale] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(CheckpointSupersededError);
      expect(refused).toMatchObject({
        code: SINK_ERROR_CODES.checkpointSuperseded,
        details: { partition: 5, follows: stale.follows, stored: '30' },
      });
    }
    const loaded = await sink.loadCheckpoint('g', 'raw', 5);
    expect(loaded).toMatchObject({ nextOffset: '30', state: { at: '30' } });
    expect(loaded?.instruments).toEqual([
      { key: 'piezometer:A', state: { at: '20' } },
      { key: 'piezometer:B', state: { at: '30' } },
    ]);
  });

  it("stores each instrument's clock as judged with its latest window", async () => {
    const window = windowRecord({ borehole: 'BH-C' });
    await sink.writeBatch({
      windows: [window],
      clocks: new Map([[window.id, { status: 'ahead' as const, offsetMs: 3_600_000 }]]),
    });
    const [state] = await rows('instrument_state', 'borehole_number');
    expect(state).toMatchObject({ clock_status: 'ahead', clock_offset_ms: '3600000' });
  });

  it('refuses a checkpoint whose offset is not an int64 decimal string, writing nothing', async () => {
    const error = await sink
      .writeBatch({
        windows: [windowRecord()],
        checkpoints: [
          { consumerGroup: 'g', topic: 'raw', partition: 0, nextOffset: '12.5', state: {} },
        ],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkRejectedError);
    expect(await count('reading_window')).toBe(0);
  });

  it("answers the reference query: SELECT * FROM record WHERE instrument='piezometer' LIMIT 5", async () => {
    const windows = [
      ...windowRecords(8, { instruments: 2 }),
      windowRecord({ instrument: 'water_standpipe', startMs: T0 }),
    ];
    await sink.writeBatch({ windows });
    // As a psql user would: the schema on the search path, the reference's query verbatim.
    const result = await db.transaction(async (trx): Promise<{ rows: RecordRow[] }> => {
      await trx.raw('set local search_path to ??', [schema]);
      return trx.raw("SELECT * FROM record WHERE instrument='piezometer' LIMIT 5");
    });
    expect(result.rows).toHaveLength(5);
    const first = result.rows[0] as RecordRow;
    expect(Object.keys(first)).toEqual([
      'borehole_number',
      'instrument',
      'surface_level',
      'northing',
      'easting',
      'reading',
      'ts',
    ]);
    const source = windows.find(
      (w) =>
        w.borehole_number === first.borehole_number && w.window_start === first.ts.toISOString(),
    );
    expect(first.reading).toBe(source?.reading_mean);
  });

  describe('when PostgreSQL is unreachable (a fault proxy cut for this sink only)', () => {
    let proxy: TcpFaultProxy;

    beforeEach(async () => {
      proxy = await startTcpFaultProxy(hostAndPort(services.database.url, 5432));
    });

    afterEach(() => proxy.close());

    it('fails with a retriable SinkUnavailableError, and works again once restored', async () => {
      const viaProxy = newSink({
        connectionString: viaAddress(services.database.url, proxy.address),
        connectTimeoutMs: 1_000,
        acquireTimeoutMs: 2_000,
      });
      await viaProxy.writeBatch({ windows: windowRecords(10) });
      proxy.cut();

      for (const attempt of [
        () => viaProxy.writeBatch({ windows: windowRecords(20) }),
        () => viaProxy.ping(),
      ]) {
        const error = await attempt().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SinkUnavailableError);
        expect(error).toMatchObject({ code: SINK_ERROR_CODES.unavailable, retriable: true });
      }

      proxy.restore();
      await viaProxy.ping();
      await viaProxy.writeBatch({ windows: windowRecords(20) });
      expect(await count('reading_window')).toBe(20);
    });

    it('lets the caller retry through an outage without losing the batch', async () => {
      const viaProxy = newSink({
        connectionString: viaAddress(services.database.url, proxy.address),
        connectTimeoutMs: 1_000,
        acquireTimeoutMs: 2_000,
      });
      proxy.cut();
      setTimeout(() => proxy.restore(), 1_500);
      let failures = 0;
      await retry(() => viaProxy.writeBatch({ windows: windowRecords(100) }), {
        retries: 50,
        initialDelayMs: 100,
        maxDelayMs: 300,
        onRetry: () => failures++,
      });
      expect(failures).toBeGreaterThan(0);
      expect(await count('reading_window')).toBe(100);
    });
  });
});
