import type { FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import {
  CONTROL_HEADER,
  LEVEL_CHANGE_CONTROL,
  parseTriggerLevelChange,
  type TriggerLevelChange,
} from '@geostream/instrument-schemas';
import { createKafka, createLogger } from '@geostream/platform';
import { eventually, testServices, uniqueName } from '@geostream/platform/testing';
import { createPostgresSink } from '@geostream/sinks';
import { APP_TABLES } from '@geostream/sinks/names';
import { authorizeByRole } from '../../src/auth/principal';
import { startLevelPublisher, type LevelPublisher } from '../../src/levels/level-publisher';
import { createOperations } from '../../src/operations';
import { appFor, createTestSchema, type TestSchema } from '../support/app-under-test';
import { makeWindow } from '../support/records';
import {
  call,
  createTestAppSchema,
  signInAs,
  type Agent,
  type TestAppSchema,
} from '../support/operations';

/**
 * Admins change trigger levels through the API (inject()), against a real PostgreSQL and Kafka:
 * who may, what is refused and why (nothing recorded then), the append-only record, the levels
 * the instrument detail then shows, and the publisher writing each change to every partition of
 * an own raw topic, in order, once the outbox is empty.
 */
const logger = createLogger('batch-dashboard-levels-int', 'warn');
const PARTITIONS = 3;

let pg: TestSchema;
let ops: TestAppSchema;
let app: FastifyInstance;
let kafka: Kafka;
let rawTopic: string;
let publisher: LevelPublisher | undefined;
let ada: Agent;
/** The app's clock: a change waiting over a minute for the raw topic turns /health degraded. */
let now = Date.now();

const changeCount = async () =>
  Number(((await ops.db(APP_TABLES.levelChange).count({ n: '*' }).first()) as { n: string }).n);

const rising = { rising: { alert: 300, alarm: 350, action: 400 } };

beforeAll(async () => {
  pg = await createTestSchema('dash_levels');
  const sink = createPostgresSink({ connectionString: pg.url, schema: pg.schema });
  await sink.writeBatch({
    windows: [
      makeWindow({
        instrument: 'piezometer',
        borehole: 'P-1',
        startMs: Date.now() - 60_000,
        mean: 280,
      }),
    ],
  });
  await sink.close();
  ops = await createTestAppSchema('dash_levels_app');
  for (const [user, role] of [
    ['ada', 'admin'],
    ['eve', 'engineer'],
    ['val', 'viewer'],
  ] as const)
    await ops.addUser(user, role);
  ({ app } = await appFor(pg, {
    clock: () => now,
    authorize: authorizeByRole,
    operations: { db: ops.db, schema: ops.schema, sessionMaxAgeS: 3_600 },
  }));
  ada = await signInAs(app, 'ada');
  kafka = createKafka(testServices().kafka, logger);
  rawTopic = uniqueName('levels-raw');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: rawTopic, numPartitions: PARTITIONS, replicationFactor: 1 }],
  });
  await admin.disconnect();
}, 120_000);

afterAll(async () => {
  await publisher?.stop();
  const admin = kafka?.admin();
  if (admin) {
    await admin.connect();
    await admin.deleteTopics({ topics: [rawTopic] }).catch(() => undefined);
    await admin.disconnect();
  }
  await app?.close();
  await ops?.drop();
  await pg?.drop();
});

describe('changing trigger levels', () => {
  it('is for admins only: an engineer and a viewer get a 403, and nothing is recorded', async () => {
    for (const user of ['eve', 'val']) {
      const agent = await signInAs(app, user);
      const { status, body } = await call(app, 'POST', '/api/admin/level-changes', {
        agent,
        body: { instrument: 'piezometer', trigger_levels: rising, comment: 'tighter' },
      });
      expect([status, body['code']]).toEqual([403, 'forbidden']);
      expect((await call(app, 'GET', '/api/admin/level-changes', { agent })).status).toBe(403);
    }
    expect(await changeCount()).toBe(0);
  });

  it('refuses levels out of order, levels of the wrong kind and a blank comment, saying why', async () => {
    const refusals = await Promise.all(
      [
        {
          instrument: 'piezometer',
          trigger_levels: { rising: { alert: 400, alarm: 350, action: 300 } },
          comment: 'x',
        },
        {
          instrument: 'piezometer',
          trigger_levels: { relative_to: 'surface_level', ...rising },
          comment: 'x',
        },
        { instrument: 'piezometer', trigger_levels: rising, comment: '   ' },
        { instrument: 'tiltmeter', trigger_levels: rising, comment: 'x' },
        // An empty form field is not "the whole type", nor "back to the file".
        { instrument: 'piezometer', borehole_number: '', trigger_levels: rising, comment: 'x' },
        { instrument: 'piezometer', trigger_levels: '', comment: 'x' },
        { instrument: 'piezometer', back_to_file: '', comment: 'x' },
        { instrument: 'piezometer', trigger_levels: rising, back_to_file: true, comment: 'x' },
        // Longer than the processors take (256 UTF-8 bytes), though within the pattern.
        {
          instrument: 'piezometer',
          borehole_number: '井'.repeat(100),
          trigger_levels: rising,
          comment: 'x',
        },
        { instrument: 'piezometer', trigger_levels: rising, comment: 'nul \u0000 byte' },
      ].map((body) => call(app, 'POST', '/api/admin/level-changes', { agent: ada, body })),
    );
    expect(refusals.map((r) => [r.status, r.body['code']])).toEqual([
      [400, 'invalid_trigger_levels'],
      [400, 'invalid_trigger_levels'],
      [400, 'invalid_comment'],
      [400, 'invalid_parameters'],
      [400, 'invalid_parameters'],
      [400, 'invalid_parameters'],
      [400, 'invalid_parameters'],
      [400, 'levels_or_back_to_file'],
      [400, 'invalid_trigger_levels'],
      [400, 'invalid_comment'],
    ]);
    expect(JSON.stringify(refusals[0]?.body)).toMatch(/alert < alarm < action/);
    expect(JSON.stringify(refusals[1]?.body)).toMatch(/only water_standpipe/);
    expect(await changeCount()).toBe(0);
  });

  it('records a change with who and why, shows it in the instrument detail, and keeps the record append-only', async () => {
    const before = await call(app, 'GET', '/api/instrument?type=piezometer&borehole=P-1', {
      agent: ada,
    });
    expect(before.status).toBe(200);
    expect(before.body['trigger_levels']).toEqual({
      rising: { alert: 250, alarm: 300, action: 350 },
    });

    const { status, body } = await call(app, 'POST', '/api/admin/level-changes', {
      agent: ada,
      body: {
        instrument: 'piezometer',
        borehole_number: 'P-1',
        trigger_levels: rising,
        comment: 'designer’s revised levels, memo 14',
      },
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({
      instrument: 'piezometer',
      borehole_number: 'P-1',
      trigger_levels: rising,
      changed_by: 'ada',
      comment: 'designer’s revised levels, memo 14',
      published: false,
    });
    const after = await call(app, 'GET', '/api/instrument?type=piezometer&borehole=P-1', {
      agent: ada,
    });
    expect(after.body['trigger_levels']).toEqual(rising);

    const listed = await call(app, 'GET', '/api/admin/level-changes', { agent: ada });
    expect(listed.body['in_force']).toEqual([body]);
    expect(listed.body['unpublished']).toBe(1);
    const health = async () => (await call(app, 'GET', '/health')).body;
    expect(await health()).toMatchObject({ status: 'ok', checks: { level_changes: { ok: true } } });
    // /metrics counts by route pattern (never by URL) and shows what waits for the raw topic.
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(
      /^geostream_dashboard_level_changes_waiting\{service="batch-dashboard"\} 1$/m,
    );
    expect(metrics.body).toMatch(
      /^geostream_dashboard_http_requests_total\{route="\/api\/admin\/level-changes",method="POST",status="2xx",service="batch-dashboard"\} 1$/m,
    );
    expect(metrics.body).toMatch(/route="\/api\/instrument",method="GET",status="2xx"/);
    expect(metrics.body).not.toMatch(/borehole=P-1/);
    now += 61_000;
    expect(await health()).toMatchObject({
      status: 'degraded',
      checks: {
        level_changes: { ok: false, detail: expect.stringMatching(/waited for the raw topic/) },
      },
    });
    const config = await call(app, 'GET', '/api/admin/site-config', { agent: ada });
    expect(config.body['instruments']).toEqual([
      { instrument: 'piezometer', borehole_number: 'P-1', trigger_levels: rising },
    ]);

    await expect(
      ops.db(APP_TABLES.levelChange).where({ id: body['id'] }).update({ comment: 'rewritten' }),
    ).rejects.toThrow(/append-only|permission denied/);
    await expect(ops.db(APP_TABLES.levelChange).where({ id: body['id'] }).delete()).rejects.toThrow(
      /append-only|permission denied/,
    );
  });

  it('writes each change to every partition of the raw topic in order, then empties the outbox', async () => {
    const back = await call(app, 'POST', '/api/admin/level-changes', {
      agent: ada,
      body: {
        instrument: 'piezometer',
        borehole_number: 'P-1',
        back_to_file: true,
        comment: 'back to the file',
      },
    });
    const typeWide = await call(app, 'POST', '/api/admin/level-changes', {
      agent: ada,
      body: {
        instrument: 'settlement_marker',
        trigger_levels: { falling: { alert: -5, alarm: -10, action: -15 } },
        comment: 'zone B',
      },
    });
    expect([back.status, typeWide.status]).toEqual([201, 201]);

    const operations = createOperations({ db: ops.db, schema: ops.schema, sessionMaxAgeS: 60 });
    publisher = startLevelPublisher({ kafka, store: operations.levels, rawTopic, logger });
    const received = new Map<number, TriggerLevelChange[]>();
    const consumer = kafka.consumer({ groupId: uniqueName('levels-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic: rawTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        expect(String(message.headers?.[CONTROL_HEADER])).toBe(LEVEL_CHANGE_CONTROL);
        const parsed = parseTriggerLevelChange(JSON.parse(String(message.value)));
        if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
        received.set(partition, [...(received.get(partition) ?? []), parsed.value]);
      },
    });
    try {
      await eventually(
        () =>
          [...received.values()].reduce((n, list) => n + list.length, 0) === 3 * PARTITIONS ||
          undefined,
        { timeoutMs: 60_000 },
      );
      for (let partition = 0; partition < PARTITIONS; partition++)
        expect(received.get(partition)?.map((c) => [c.instrument, c.borehole_number])).toEqual([
          ['piezometer', 'P-1'],
          ['piezometer', 'P-1'],
          ['settlement_marker', null],
        ]);
      const ids = received.get(0)?.map((c) => c.change_id) ?? [];
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      await eventually(async () => (await operations.levels.backlog()) === 0 || undefined);
      const listed = await call(app, 'GET', '/api/admin/level-changes', { agent: ada });
      expect(listed.body['unpublished']).toBe(0);
      expect((await call(app, 'GET', '/health')).body).toMatchObject({
        status: 'ok',
        checks: { level_changes: { ok: true, detail: 'every change is in the raw topic' } },
      });
      expect((listed.body['history'] as { published: boolean }[]).every((c) => c.published)).toBe(
        true,
      );
      // The instrument is back on the library's levels (no SITE_CONFIG_FILE here).
      const detail = await call(app, 'GET', '/api/instrument?type=piezometer&borehole=P-1', {
        agent: ada,
      });
      expect(detail.body['trigger_levels']).toEqual({
        rising: { alert: 250, alarm: 300, action: 350 },
      });
    } finally {
      await consumer.disconnect();
    }
  }, 90_000);
});
